// Server (server.h): the composition root — builds every part, wires them, owns the pools.
#include "server/server.h"

#include <boost/asio/strand.hpp>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include "server/api/query_string.h"
#include "server/chat/rate_limiter.h"
#include "server/log.h"
#include "server/transport/http_session.h"
#include "server/transport/ws_session.h"

namespace imchat::server {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

Server::Server(Config config)
    : config_(std::move(config)),
      kdf_(std::make_unique<KdfPool>(1, 32)),
      io_(config_.threads),
      acceptor_(io_),
      accept_retry_(io_),
      guest_expiry_(io_),
      connections_(config_.max_connections_per_address, config_.max_connections),
      sockets_by_user_(config_.max_sockets_per_user, 0),
      sockets_by_address_(config_.max_sockets_per_address, 0) {}

Server::~Server() {
  stop();
  for (auto& t : threads_)
    t.join();
  // Logins still hashing finish (and post their answers to the workers) first, then
  // database and model work finishes before storage goes away.
  kdf_.reset();
  workers_.join();
}

Status Server::start() {
  auto db = Database::open(config_.data_dir);
  if (!db) return db.error();
  database_ = std::move(db).value();
  log_event("info", "database_open",
            {{"path", database_->path()}, {"schema", std::to_string(database_->schema_version())}});

  auto secret = load_or_create_jwt_secret(config_.data_dir, config_.jwt_secret);
  if (!secret) return secret.error();
  storage_ = make_sqlite_storage(*database_, config_.accounts);
  tokens_ = std::make_unique<TokenIssuer>(*secret, config_.token_ttl_seconds);
  authenticator_ = std::make_unique<Authenticator>(*storage_, *tokens_);
  auto catalog = ModelCatalog::load(config_.models_file);
  if (!catalog) return catalog.error();
  catalog_ = std::make_unique<ModelCatalog>(std::move(*catalog));
  write_limiter_ = std::make_unique<RateLimiter>(config_.write_burst, config_.writes_per_second);
  ProviderSettings settings = config_.providers;
  settings.builtin_token_interval = std::chrono::milliseconds(config_.builtin_delay_ms);
  auto providers = ProviderSet::create(io_.get_executor(), settings, *catalog_);
  if (!providers) return providers.error();
  providers_ = std::move(*providers);
  const std::string default_model =
      config_.default_model.empty() ? providers_->default_model() : config_.default_model;
  log_event("info", "providers",
            {{"available", fmt::format("{}", fmt::join(providers_->available(), ","))},
             {"default_model", default_model}});
  replies_ = std::make_unique<Replies>(*storage_, bus_, *providers_, workers_.get_executor(),
                                       ReplyOptions{.catalog = catalog_.get(),
                                                    .context_messages = config_.context_messages,
                                                    .default_model = default_model,
                                                    .max_per_user = config_.max_replies_per_user});
  replies_->recover_interrupted();
  auth_api_ =
      std::make_unique<AuthApi>(*storage_, *authenticator_, *kdf_, live_, workers_.get_executor(),
                                AuthApiOptions{.guest_enabled = config_.guest_enabled(),
                                               .kdf_iterations = config_.kdf_iterations,
                                               .limits = config_.auth});
  messages_ = std::make_unique<Messages>(
      *storage_,
      MessagesOptions{.max_content_bytes = config_.max_message_bytes, .replies = replies_.get()});
  api_ = std::make_unique<Api>(*storage_, *authenticator_, *auth_api_, *messages_,
                               ApiOptions{.replies = replies_.get(),
                                          .catalog = catalog_.get(),
                                          .write_limiter = write_limiter_.get(),
                                          .available_providers = providers_->available()});
  router_ = std::make_unique<Router>(RouterOptions{.web_root = config_.web_root,
                                                   .cors_origins = config_.cors_origins,
                                                   .frame_ancestors = config_.frame_ancestors,
                                                   .connect_src = config_.connect_src,
                                                   .trusted_proxies = config_.trusted_proxies,
                                                   .api = api_.get(),
                                                   .workers = workers_.get_executor()});
  // Every committed change leaves by the bus, like every ephemeral frame.
  storage_->set_change_listener([this](const ChangeEvent& event, const Audience& audience) {
    bus_.publish_change(event, audience);
  });
  on_upgrade_ = [this](Upgrade upgrade) { accept_websocket(std::move(upgrade)); };

  boost::system::error_code ec;
  // "localhost" is the loopback address by name; anything else must be an address.
  const std::string bind = config_.bind == "localhost" ? "127.0.0.1" : config_.bind;
  const auto address = asio::ip::make_address(bind, ec);
  if (ec) return make_error(ErrorCode::kValidation, "bad --bind address " + config_.bind);
  const tcp::endpoint endpoint(address, config_.port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return make_error(ErrorCode::kNetwork, "cannot listen on " + config_.bind + ":" +
                                               std::to_string(config_.port) + ": " + ec.message());
  }
  port_ = acceptor_.local_endpoint().port();
  do_accept();
  if (config_.guest_ttl_days > 0) {
    // Once now, off the caller's thread, then every hour.
    asio::post(workers_, [this] {
      expire_guests(Timestamp{now_utc().ms - int64_t{config_.guest_ttl_days} * 86'400'000});
    });
    schedule_guest_expiry();
  }
  return Ok{};
}

void Server::accept_websocket(Upgrade upgrade) {
  // /ws?token=…: browsers cannot set headers on a WebSocket, so the token is in the URL
  // (the access log strips query strings). The check reads the store: on a worker.
  std::string token;
  if (auto query = QueryString::parse(std::string(upgrade.request.target()))) {
    token = query->get("token").value_or("");
  }
  auto pending = std::make_shared<Upgrade>(std::move(upgrade));
  asio::post(workers_, [this, pending, token = std::move(token)] {
    auto principal = token.empty()
                         ? Result<Principal>(make_error(ErrorCode::kUnauthorized, "no token"))
                         : authenticator_->authenticate(token, now_utc());
    auto executor = pending->stream.get_executor();
    asio::post(executor, [this, pending, principal = std::move(principal)]() mutable {
      // A refused socket still becomes a WebSocket, closed at once with the code, so the
      // client can tell "sign in again" (4401) from "network down" or "too many" (4429).
      Admission admission;
      if (!principal && principal.error().code == ErrorCode::kUnauthorized) {
        admission.refuse_code = 4401;
        admission.refuse_reason = "unauthorized";
      } else if (!principal) {
        // The check itself failed (the store is busy or broken): not the token's fault.
        // 1011 sends the client to its ordinary retry, where 4401 would make it forget a
        // session it still has — and a guest has no other way back in.
        log_event("error", "ws_auth_failed", {{"error", principal.error().describe()}});
        admission.refuse_code = 1011;
        admission.refuse_reason = "try again";
      } else {
        auto by_user = sockets_by_user_.open(principal->user.id);
        auto by_address = sockets_by_address_.open(address_key(pending->address));
        if (!by_user || !by_address) {
          admission.refuse_code = 4429;
          admission.refuse_reason = "too many connections";
        } else {
          admission.leases.push_back(std::move(*by_user));
          admission.leases.push_back(std::move(*by_address));
        }
        admission.principal = std::move(*principal);
      }
      std::make_shared<WsSession>(
          std::move(*pending),
          WsContext{.api = {.hub = hub_,
                            .bus = bus_,
                            .storage = *storage_,
                            .messages = *messages_,
                            .replies = replies_.get(),
                            .write_limiter = write_limiter_.get()},
                    .workers = workers_.get_executor(),
                    .live = &live_,
                    .flush_interval = std::chrono::milliseconds(config_.ws_flush_ms)},
          std::move(admission))
          ->run();
    });
  });
}

void Server::expire_guests(Timestamp unused_since) {
  if (auto s = storage_->expire_sessions(now_utc()); !s)
    log_event("error", "session_expiry_failed", {{"error", s.error().describe()}});
  auto removed = storage_->expire_guests(unused_since);
  if (!removed) {
    log_event("error", "guest_expiry_failed", {{"error", removed.error().describe()}});
    return;
  }
  for (const std::string& user : *removed)
    live_.end_user(user);
  if (!removed->empty())
    log_event("info", "guests_expired", {{"count", std::to_string(removed->size())}});
}

void Server::schedule_guest_expiry() {
  if (config_.guest_ttl_days <= 0) return;
  guest_expiry_.expires_after(std::chrono::hours(1));
  guest_expiry_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    asio::post(workers_, [this] {
      expire_guests(Timestamp{now_utc().ms - int64_t{config_.guest_ttl_days} * 86'400'000});
    });
    schedule_guest_expiry();
  });
}

std::string Server::url() const {
  const bool v6 = config_.bind.find(':') != std::string::npos;
  return "http://" + (v6 ? "[" + config_.bind + "]" : config_.bind) + ":" + std::to_string(port_);
}

void Server::do_accept() {
  acceptor_.async_accept(asio::make_strand(io_), [this](boost::system::error_code ec,
                                                        tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;  // stopping
    if (ec) return on_accept_failed(ec);
    accept_backoff_ = std::chrono::milliseconds(0);
    boost::system::error_code peer_ec;
    const auto peer = socket.remote_endpoint(peer_ec);
    const std::string peer_address = peer_ec ? std::string() : peer.address().to_string();
    // A trusted reverse proxy carries everyone's connections: only the overall bound
    // applies to it (its clients are told apart by X-Forwarded-For, per request).
    const bool proxy = std::find(config_.trusted_proxies.begin(), config_.trusted_proxies.end(),
                                 normalized_address(peer_address)) != config_.trusted_proxies.end();
    const std::string address = address_key(peer_address);
    if (auto lease = connections_.open(address, !proxy)) {
      std::make_shared<HttpSession>(std::move(socket), *router_, on_upgrade_, std::move(*lease))
          ->run();
    } else {
      // Over the bound (overall, or this address): closed at once, logged once a second.
      const auto now = std::chrono::steady_clock::now();
      if (now - refusal_logged_ >= std::chrono::seconds(1)) {
        refusal_logged_ = now;
        log_event("warn", "connection_refused",
                  {{"remote", address}, {"open", std::to_string(connections_.total())}});
      }
      boost::system::error_code ignored;
      socket.close(ignored);
    }
    do_accept();
  });
}

// accept() fails when the process is out of file descriptors (EMFILE), the system is
// (ENFILE), or memory is short: retrying at once would spin a core and flood the log while
// nothing can change. Wait instead — 10 ms doubling to 1 s — and log once a second with how
// many failures were not logged.
void Server::on_accept_failed(const boost::system::error_code& ec) {
  accept_failures_unlogged_++;
  const auto now = std::chrono::steady_clock::now();
  if (now - accept_logged_ >= std::chrono::seconds(1)) {
    accept_logged_ = now;
    log_event("warn", "accept_failed",
              {{"error", ec.message()}, {"failures", std::to_string(accept_failures_unlogged_)}});
    accept_failures_unlogged_ = 0;
  }
  accept_backoff_ = std::clamp(accept_backoff_ * 2, std::chrono::milliseconds(10),
                               std::chrono::milliseconds(1000));
  accept_retry_.expires_after(accept_backoff_);
  accept_retry_.async_wait([this](boost::system::error_code wait_ec) {
    if (!wait_ec) do_accept();
  });
}

void Server::run() {
  for (int i = 1; i < config_.threads; ++i)
    threads_.emplace_back([this] { io_.run(); });
  io_.run();
  for (auto& t : threads_)
    t.join();
  threads_.clear();
}

void Server::run_in_background() {
  for (int i = 0; i < config_.threads; ++i)
    threads_.emplace_back([this] { io_.run(); });
}

void Server::stop() {
  asio::post(io_, [this] {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    accept_retry_.cancel();
    guest_expiry_.cancel();
  });
  io_.stop();
}

}  // namespace imchat::server
