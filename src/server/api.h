// Api: the REST routes under /api that touch storage (everything but /api/health). Runs on
// a worker thread, never on a network thread: it may block on SQLite. The /api/auth
// routes are AuthApi's (the password KDF runs on its own pool).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "server/auth_api.h"
#include "server/authenticator.h"
#include "server/http_types.h"
#include "server/responses.h"
#include "server/storage.h"

namespace imchat::server {

class Replies;
class ModelCatalog;
class RateLimiter;

struct ApiOptions {
  Replies* replies = nullptr;  // starts assistant replies in AI conversations
  const ModelCatalog* catalog = nullptr;
  RateLimiter* write_limiter = nullptr;
  std::vector<std::string> available_providers = {"builtin"};
  size_t max_message_bytes = 32 * 1024;
};

class Api {
 public:
  Api(Storage& storage, const Authenticator& authenticator, AuthApi& auth, ApiOptions options)
      : storage_(storage), authenticator_(authenticator), auth_(auth), options_(options) {}

  using Done = std::function<void(Response)>;
  // Answers through done, at once for most routes; /api/chat/… answers once the reply is
  // complete, /api/auth/… once the password KDF has run. request must stay alive until
  // done has run.
  void handle(const Request& request, const ClientInfo& client, Done done);

 private:
  Storage& storage_;
  const Authenticator& authenticator_;
  AuthApi& auth_;
  ApiOptions options_;
};

}  // namespace imchat::server
