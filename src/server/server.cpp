#include "server/server.h"

#include <boost/asio/strand.hpp>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include "server/http_session.h"
#include "server/log.h"
#include "server/query_string.h"
#include "server/ws_session.h"

namespace imchat::server {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

Server::Server(Config config) : config_(std::move(config)), io_(config_.threads), acceptor_(io_) {}

Server::~Server() {
  stop();
  for (auto& t : threads_)
    t.join();
  // Database and model work still queued or running finishes before storage goes away.
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
  storage_ = make_sqlite_storage(*database_);
  tokens_ = std::make_unique<TokenIssuer>(*secret, config_.token_ttl_seconds);
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
  replies_ = std::make_unique<Replies>(*storage_, hub_, *providers_, workers_.get_executor(),
                                       ReplyOptions{.catalog = catalog_.get(),
                                                    .context_messages = config_.context_messages,
                                                    .default_model = default_model});
  replies_->recover_interrupted();
  api_ = std::make_unique<Api>(*storage_, *tokens_,
                               ApiOptions{.replies = replies_.get(),
                                          .catalog = catalog_.get(),
                                          .write_limiter = write_limiter_.get(),
                                          .available_providers = providers_->available(),
                                          .guest_enabled = config_.guest_enabled(),
                                          .max_message_bytes = config_.max_message_bytes});
  router_ = std::make_unique<Router>(RouterOptions{config_.web_root, config_.cors_origins,
                                                   config_.frame_ancestors, api_.get(),
                                                   workers_.get_executor()});
  storage_->set_change_listener(
      [this](const ChangeEvent& event, const std::vector<std::string>& participants) {
        hub_.on_change(event, participants);
      });
  on_upgrade_ = [this](boost::beast::tcp_stream stream, Request upgrade, std::string remote) {
    // /ws?token=…: browsers cannot set headers on a WebSocket, so the token is in the URL
    // (the access log strips query strings). A bad token still gets a WebSocket, closed at
    // once with 4401 so the client can tell "sign in again" from "network down".
    std::string user_id;
    const std::string target(upgrade.target());
    if (auto query = QueryString::parse(target)) {
      if (auto token = query->get("token")) {
        if (auto user = tokens_->verify(*token, now_utc().ms / 1000)) user_id = *user;
      }
    }
    std::make_shared<WsSession>(
        std::move(stream),
        WsContext{hub_, *storage_, workers_.get_executor(), config_.max_message_bytes,
                  replies_.get(), write_limiter_.get(),
                  std::chrono::milliseconds(config_.ws_flush_ms)},
        std::move(user_id), std::move(remote))
        ->run(std::move(upgrade));
  };

  boost::system::error_code ec;
  const auto address = asio::ip::make_address(config_.bind, ec);
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
  return Ok{};
}

std::string Server::url() const {
  const bool v6 = config_.bind.find(':') != std::string::npos;
  return "http://" + (v6 ? "[" + config_.bind + "]" : config_.bind) + ":" + std::to_string(port_);
}

void Server::do_accept() {
  acceptor_.async_accept(
      asio::make_strand(io_), [this](boost::system::error_code ec, tcp::socket socket) {
        if (ec == asio::error::operation_aborted) return;  // stopping
        if (!ec) {
          std::make_shared<HttpSession>(std::move(socket), *router_, on_upgrade_)->run();
        } else {
          log_event("warn", "accept_failed", {{"error", ec.message()}});
        }
        do_accept();
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
  });
  io_.stop();
}

}  // namespace imchat::server
