// HttpSession (http_session.h): one HTTP connection — read, route, write, repeat.
#include "server/transport/http_session.h"

#include <fmt/format.h>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/websocket.hpp>

#include "server/api/responses.h"
#include "server/log.h"

namespace imchat::server {

namespace beast = boost::beast;

namespace {
constexpr auto kIdleTimeout = std::chrono::seconds(30);
constexpr size_t kMaxBodyBytes = 1024 * 1024;  // chat requests are small; uploads come later

// Transfer-Encoding a request may carry: exactly "chunked" (RFC 9112 §6.3). Anything else —
// "chunked, identity", "xchunked", "gzip" — leaves the body's length unknown; a server
// that guessed would read the rest as a second request (request smuggling), so it is
// answered 400 and the connection closed.
bool acceptable_transfer_encoding(const Request& request) {
  const auto te = request[http::field::transfer_encoding];
  if (te.empty() && request.count(http::field::transfer_encoding) == 0) return true;
  if (request.count(http::field::transfer_encoding) != 1) return false;
  return beast::iequals(te, "chunked");
}

}  // namespace

HttpSession::HttpSession(boost::asio::ip::tcp::socket socket, const Router& router,
                         const UpgradeHandler& on_upgrade, OpenCounts::Lease lease)
    : stream_(std::move(socket)),
      router_(router),
      on_upgrade_(on_upgrade),
      lease_(std::move(lease)) {
  beast::error_code ec;
  const auto endpoint = stream_.socket().remote_endpoint(ec);
  if (!ec) {
    address_ = endpoint.address().to_string();
    remote_ = address_ + ":" + std::to_string(endpoint.port());
  }
}

void HttpSession::run() {
  // Start on the session's strand: every handler of this connection runs serialised.
  boost::asio::dispatch(stream_.get_executor(),
                        beast::bind_front_handler(&HttpSession::do_read, shared_from_this()));
}

void HttpSession::do_read() {
  parser_.emplace();
  parser_->body_limit(kMaxBodyBytes);
  parser_->header_limit(16 * 1024);
  stream_.expires_after(kIdleTimeout);
  http::async_read(stream_, buffer_, *parser_,
                   beast::bind_front_handler(&HttpSession::on_read, shared_from_this()));
}

void HttpSession::on_read(beast::error_code ec, size_t) {
  if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
      ec == boost::asio::error::connection_reset || ec == boost::asio::error::operation_aborted) {
    return do_close();
  }
  if (ec) {
    // Malformed or oversized request: answer once, clearly, and close.
    log_event("warn", "bad_request", {{"remote", remote_}, {"error", ec.message()}});
    return refuse(
        ec == http::error::body_limit ? http::status::payload_too_large : http::status::bad_request,
        ec.message());
  }
  if (!acceptable_transfer_encoding(parser_->get())) {
    log_event("warn", "bad_request", {{"remote", remote_}, {"error", "transfer-encoding"}});
    return refuse(http::status::bad_request, "Transfer-Encoding must be exactly chunked");
  }
  started_ = std::chrono::steady_clock::now();
  if (boost::beast::websocket::is_upgrade(parser_->get())) {
    const std::string target(parser_->get().target());
    if (target.substr(0, target.find('?')) == "/ws") {
      // The connection now belongs to a WebSocket session; this object ends here.
      const std::string client = router_.client_address(parser_->get(), address_);
      on_upgrade_(
          Upgrade{std::move(stream_), parser_->release(), remote_, client, std::move(lease_)});
      return;
    }
  }
  auto request = std::make_shared<Request>(parser_->release());
  const std::string method(request->method_string());
  const std::string target(request->target());
  // The router may answer from a worker thread: hop back onto this connection's strand.
  router_.handle(std::move(*request), address_,
                 [self = shared_from_this(), method, target](Response response) {
                   boost::asio::post(
                       self->stream_.get_executor(),
                       [self, method, target, response = std::move(response)]() mutable {
                         self->write(method, target, std::move(response));
                       });
                 });
}

void HttpSession::refuse(http::status status, const std::string& message) {
  Request request;
  request.version(11);
  auto res = std::make_shared<StringResponse>(json_error(request, status, message));
  res->keep_alive(false);
  response_ = res;
  http::async_write(stream_, *res,
                    beast::bind_front_handler(&HttpSession::on_write, shared_from_this(), false));
}

void HttpSession::write(const std::string& method, const std::string& target, Response response) {
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started_)
          .count();
  std::visit(
      [&](auto& res) {
        log_event("info", "request",
                  {{"method", method},
                   {"path", target.substr(0, target.find('?'))},
                   {"status", std::to_string(res.result_int())},
                   {"ms", fmt::format("{:.2f}", ms)},
                   {"remote", remote_}});
        using Message = std::decay_t<decltype(res)>;
        auto message = std::make_shared<Message>(std::move(res));
        response_ = message;
        const bool keep_alive = message->keep_alive();
        // The deadline set when reading may have passed while a slow route (a whole AI
        // reply for /api/chat) worked; the write gets its own.
        stream_.expires_after(kIdleTimeout);
        http::async_write(
            stream_, *message,
            beast::bind_front_handler(&HttpSession::on_write, shared_from_this(), keep_alive));
      },
      response);
}

void HttpSession::on_write(bool keep_alive, beast::error_code ec, size_t) {
  response_.reset();
  if (ec) return do_close();
  if (!keep_alive) return drain_then_close();
  do_read();
}

// After an early answer (e.g. 413 before the body was read) the client may still be
// sending. Closing with unread data makes the kernel send RST, and the client loses our
// answer to "connection reset"; so stop writing, read and discard for a while, then close.
void HttpSession::drain_then_close() {
  beast::error_code ec;
  stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ec);
  stream_.expires_after(std::chrono::seconds(5));
  drain_buffer_.resize(64 * 1024);
  do_drain();
}

void HttpSession::do_drain() {
  stream_.async_read_some(boost::asio::buffer(drain_buffer_),
                          [self = shared_from_this()](beast::error_code ec, size_t bytes) {
                            self->drained_ += bytes;
                            if (ec || self->drained_ > 16 * 1024 * 1024)
                              return;  // done: the socket closes with us
                            self->do_drain();
                          });
}

void HttpSession::do_close() {
  beast::error_code ec;
  stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ec);
}

}  // namespace imchat::server
