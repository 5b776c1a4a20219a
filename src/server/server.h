// Server: the io_context, its thread pool, the listening socket and what requests need
// (router, database). start() binds and returns; run() serves until stop().
#pragma once

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include "model/result.h"
#include "server/api/auth_api.h"
#include "server/api/rest_api.h"
#include "server/auth/authenticator.h"
#include "server/auth/credentials.h"
#include "server/auth/kdf_pool.h"
#include "server/auth/live_sockets.h"
#include "server/chat/messages.h"
#include "server/chat/rate_limiter.h"
#include "server/chat/replies.h"
#include "server/config.h"
#include "server/providers/model_catalog.h"
#include "server/providers/provider_set.h"
#include "server/realtime/hub.h"
#include "server/realtime/local_bus.h"
#include "server/store/database.h"
#include "server/store/storage.h"
#include "server/transport/connection_limits.h"
#include "server/transport/http_session.h"
#include "server/transport/router.h"

namespace imchat::server {

class Server {
 public:
  explicit Server(Config config);
  ~Server();

  // Opens the database, binds and listens. After it succeeds, port() is the real port.
  Status start();
  uint16_t port() const { return port_; }
  std::string url() const;

  // Serves on config.threads threads (the caller's among them) until stop().
  void run();
  // Serves on background threads; returns at once. For tests.
  void run_in_background();
  // Thread-safe; run() returns once in-flight handlers finish.
  void stop();

  // For tests: the password pool (how many hashes ran), the store, open sockets.
  const KdfPool& kdf() const { return *kdf_; }
  Storage& storage() { return *storage_; }
  const LiveSockets& live_sockets() const { return live_; }
  // Removes guests unused for the configured time (also hourly, on its own).
  void expire_guests(Timestamp unused_since);

 private:
  void do_accept();
  void on_accept_failed(const boost::system::error_code& ec);
  void accept_websocket(Upgrade upgrade);
  void schedule_guest_expiry();

  Config config_;
  // Database and KDF work, off the network threads. Declared before io_ so it outlives
  // it: handlers io_ still holds when it is destroyed may own sessions, and a session
  // owns a strand over this pool.
  boost::asio::thread_pool workers_{2};
  std::unique_ptr<KdfPool> kdf_;  // passwords; stopped before workers_ (it posts to them)
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer accept_retry_;
  boost::asio::steady_timer guest_expiry_;
  std::chrono::milliseconds accept_backoff_{0};
  std::chrono::steady_clock::time_point accept_logged_{};
  size_t accept_failures_unlogged_ = 0;
  std::chrono::steady_clock::time_point refusal_logged_{};
  OpenCounts connections_;         // TCP, per client address
  OpenCounts sockets_by_user_;     // WebSockets, per account
  OpenCounts sockets_by_address_;  // WebSockets, per client address
  LiveSockets live_;
  std::unique_ptr<Database> database_;
  std::unique_ptr<Storage> storage_;
  std::unique_ptr<TokenIssuer> tokens_;
  std::unique_ptr<Authenticator> authenticator_;
  std::unique_ptr<AuthApi> auth_api_;
  std::unique_ptr<Api> api_;
  std::unique_ptr<Router> router_;
  Hub hub_;
  LocalBus bus_{hub_};  // where events leave for the hub (a Redis bus, with several nodes)
  std::unique_ptr<ModelCatalog> catalog_;
  std::unique_ptr<RateLimiter> write_limiter_;
  std::unique_ptr<ProviderSet> providers_;
  std::unique_ptr<Replies> replies_;  // after what it uses: destroyed (and stopped) first
  std::unique_ptr<Messages> messages_;
  UpgradeHandler on_upgrade_;
  std::vector<std::thread> threads_;
  uint16_t port_ = 0;
};

}  // namespace imchat::server
