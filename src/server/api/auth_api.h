// AuthApi: the /api/auth routes — sign-up, login, guest, sign-out, password change. Every
// one that anyone can call without an account is throttled per client address (and per
// email where one is given), and a login that keeps failing backs off; the password KDF
// runs on the KdfPool (503 + Retry-After when its queue is full), never on the workers
// that serve chat traffic. A login costs the same with or without an account behind the
// email (a dummy hash is checked): timing reveals nothing.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>

#include "server/api/http_types.h"
#include "server/api/responses.h"
#include "server/auth/authenticator.h"
#include "server/auth/kdf_pool.h"
#include "server/auth/live_sockets.h"
#include "server/chat/rate_limiter.h"
#include "server/store/storage.h"

namespace imchat::server {

// The throttles of the routes anyone may call (docs/protocol.md, "Limits").
struct AuthLimits {
  double address_burst = 30;           // sign-in attempts of any kind per client address…
  double address_per_second = 0.2;     // …refilled at 12 a minute
  double guest_burst = 10;             // new guests per client address…
  double guest_per_second = 1.0 / 30;  // …refilled at 2 a minute
  double email_burst = 10;             // logins and sign-ups naming one email…
  double email_per_second = 0.1;       // …refilled at 6 a minute
  int email_free_failures = 5;         // wrong passwords for one email before the backoff…
  int address_free_failures = 20;      // …and from one address (offices share addresses)
  int max_backoff_s = 900;             // the backoff doubles from 1 s up to this
  double config_burst = 60;            // GET /api/auth/config per client address…
  double config_per_second = 1;        // …refilled at one a second (each page load asks once)
};

struct AuthApiOptions {
  bool guest_enabled = true;
  int kdf_iterations = kDefaultKdfIterations;
  AuthLimits limits;
};

class AuthApi {
 public:
  using Done = std::function<void(Response)>;

  AuthApi(Storage& storage, const Authenticator& authenticator, KdfPool& kdf, LiveSockets& live,
          boost::asio::any_io_executor workers, AuthApiOptions options);

  // GET /api/auth/config (public): what a sign-in screen may offer —
  // {"guests": bool, "registration": "open", "sso": []}.
  Response config(const Request& req, const ClientInfo& client);
  // POST /api/auth/register | login | guest. done may run later, on another thread; req
  // must stay alive until it has.
  void sign_in(const Request& req, const ClientInfo& client, Done done);
  // POST /api/auth/logout: ends this session (its sockets close with 4401).
  void logout(const Request& req, const Principal& who, Done done);
  // POST /api/auth/password {currentPassword, newPassword}: every other session ends.
  void change_password(const Request& req, const Principal& who, Done done);

 private:
  struct Throttles;
  void register_user(const Request& req, const ClientInfo& client, Done done);
  void login(const Request& req, const ClientInfo& client, Done done);
  void guest(const Request& req, const ClientInfo& client, Done done);
  // Runs `work` on the KDF pool, then `then(result)` on a worker, which answers.
  template <typename Work, typename Then>
  void with_kdf(const Request& req, Done done, Work work, Then then);
  Response session_response(const Request& req, http::status status, const User& user);
  const std::string& dummy_hash();

  Storage& storage_;
  const Authenticator& authenticator_;
  KdfPool& kdf_;
  LiveSockets& live_;
  boost::asio::any_io_executor workers_;
  AuthApiOptions options_;
  std::shared_ptr<Throttles> throttles_;
  std::once_flag dummy_once_;
  std::string dummy_hash_;
};

}  // namespace imchat::server
