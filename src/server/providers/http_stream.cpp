// HttpStream (http_stream.h): one HTTP(S) POST, its response read as it arrives.
#include "server/providers/http_stream.h"

#include <array>
#include <cstdlib>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/optional.hpp>

#include "model/version.h"

namespace imchat::server {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

std::optional<int> parse_retry_after(std::string_view value) {
  // Only the delta-seconds form: vendors send it, and an HTTP date falls back to backoff.
  if (value.empty() || value.size() > 6 || value.find_first_not_of("0123456789") != value.npos)
    return std::nullopt;
  return std::atoi(std::string(value).c_str());
}

std::string host_header(const protocol::Url& url) {
  const bool v6 = url.host.find(':') != std::string::npos;
  std::string host = v6 ? "[" + url.host + "]" : url.host;
  const bool default_port = url.port == (url.tls() ? "443" : "80");
  return default_port ? host : host + ":" + url.port;
}

// One exchange over a plain or a TLS stream; the steps are the same apart from the
// handshake.
template <class Stream>
class Exchange final : public HttpStream, public std::enable_shared_from_this<Exchange<Stream>> {
 public:
  Exchange(asio::any_io_executor executor, Stream stream, std::shared_ptr<ssl::context> tls,
           HttpStreamRequest request, HttpStreamEvents events)
      : executor_(executor),
        resolver_(executor),
        stream_(std::move(stream)),
        tls_(std::move(tls)),
        request_(std::move(request)),
        events_(std::move(events)) {}

  void begin() {
    resolver_.async_resolve(
        request_.url.host, request_.url.port,
        [self = this->shared_from_this()](beast::error_code ec, tcp::resolver::results_type r) {
          self->on_resolve(ec, std::move(r));
        });
  }

  void cancel() override {
    asio::post(executor_, [self = this->shared_from_this()] {
      if (self->done_) return;
      self->done_ = true;
      self->events_ = {};
      self->close();
    });
  }

 private:
  auto& socket() { return beast::get_lowest_layer(stream_); }

  void close() {
    resolver_.cancel();
    beast::error_code ignored;
    socket().socket().shutdown(tcp::socket::shutdown_both, ignored);
    socket().close();
  }

  void on_resolve(beast::error_code ec, tcp::resolver::results_type results) {
    if (done_) return;
    if (ec) return fail("cannot resolve " + request_.url.host + ": " + ec.message());
    socket().expires_after(request_.connect_timeout);
    socket().async_connect(
        results, [self = this->shared_from_this()](beast::error_code ec, const tcp::endpoint&) {
          self->on_connect(ec);
        });
  }

  void on_connect(beast::error_code ec) {
    if (done_) return;
    if (ec) {
      return fail("cannot connect to " + host_header(request_.url) + ": " + describe(ec));
    }
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      send();
    } else {
      // SNI, and the certificate must name the host we asked for.
      if (!SSL_set_tlsext_host_name(stream_.native_handle(), request_.url.host.c_str())) {
        return fail("TLS setup failed for " + request_.url.host);
      }
      stream_.set_verify_callback(ssl::host_name_verification(request_.url.host));
      socket().expires_after(request_.connect_timeout);
      stream_.async_handshake(
          ssl::stream_base::client, [self = this->shared_from_this()](beast::error_code ec) {
            if (self->done_) return;
            if (ec) {
              return self->fail("TLS handshake with " + self->request_.url.host +
                                " failed: " + ec.message());
            }
            self->send();
          });
    }
  }

  void send() {
    request_message_.method(http::verb::post);
    request_message_.target(request_.url.target);
    request_message_.version(11);
    request_message_.set(http::field::host, host_header(request_.url));
    request_message_.set(http::field::user_agent, std::string("imchat-server/") + kVersion);
    request_message_.set(http::field::content_type, "application/json");
    request_message_.set(http::field::accept, "text/event-stream");
    for (const auto& [name, value] : request_.headers)
      request_message_.set(name, value);
    request_message_.body() = std::move(request_.body);
    request_message_.prepare_payload();
    socket().expires_after(request_.idle_timeout);
    http::async_write(stream_, request_message_,
                      [self = this->shared_from_this()](beast::error_code ec, size_t) {
                        if (self->done_) return;
                        if (ec) return self->fail("sending the request failed: " + describe(ec));
                        self->read_header();
                      });
  }

  void read_header() {
    parser_.body_limit(boost::none);  // a stream has no natural end; the idle timeout guards
    socket().expires_after(request_.idle_timeout);
    http::async_read_header(
        stream_, buffer_, parser_,
        [self = this->shared_from_this()](beast::error_code ec, size_t) { self->on_header(ec); });
  }

  void on_header(beast::error_code ec) {
    if (done_) return;
    if (ec) return fail("no answer: " + describe(ec));
    const auto& header = parser_.get();
    auto retry_after = parse_retry_after(header[http::field::retry_after]);
    events_.on_status(static_cast<int>(header.result_int()), retry_after);
    read_body();
  }

  void read_body() {
    if (done_) return;
    if (parser_.is_done()) return finish();
    parser_.get().body().data = chunk_.data();
    parser_.get().body().size = chunk_.size();
    socket().expires_after(request_.idle_timeout);
    http::async_read_some(
        stream_, buffer_, parser_,
        [self = this->shared_from_this()](beast::error_code ec, size_t) { self->on_body(ec); });
  }

  void on_body(beast::error_code ec) {
    if (done_) return;
    if (ec == http::error::need_buffer) ec = {};
    const size_t got = chunk_.size() - parser_.get().body().size;
    if (got > 0) events_.on_data(std::string_view(chunk_.data(), got));
    if (done_) return;
    if (ec) return fail(describe(ec));
    read_body();
  }

  void finish() {
    done_ = true;
    auto events = std::move(events_);
    close();
    events.on_end();
  }

  void fail(std::string reason) {
    if (done_) return;
    done_ = true;
    auto events = std::move(events_);
    close();
    events.on_failure(std::move(reason));
  }

  static std::string describe(beast::error_code ec) {
    if (ec == beast::error::timeout) return "timed out";
    if (ec == http::error::partial_message || ec == http::error::end_of_stream ||
        ec == asio::error::eof || ec == asio::error::connection_reset) {
      return "the connection closed before the answer was complete";
    }
    return ec.message();
  }

  asio::any_io_executor executor_;
  tcp::resolver resolver_;
  Stream stream_;
  std::shared_ptr<ssl::context> tls_;  // outlives stream_'s SSL object
  HttpStreamRequest request_;
  HttpStreamEvents events_;
  http::request<http::string_body> request_message_;
  beast::flat_buffer buffer_;
  http::response_parser<http::buffer_body> parser_;
  std::array<char, 16 * 1024> chunk_{};
  bool done_ = false;
};

// For URLs we cannot even try: the failure still arrives asynchronously, like any other.
class FailedStream final : public HttpStream {
 public:
  void cancel() override {}
};

}  // namespace

Result<std::shared_ptr<ssl::context>> make_client_tls_context(const std::string& ca_file) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
  beast::error_code ec;
  context->set_verify_mode(ssl::verify_peer, ec);
  if (!ec) context->set_default_verify_paths(ec);
  if (!ec && !ca_file.empty()) context->load_verify_file(ca_file, ec);
  if (ec) {
    return make_error(
        ErrorCode::kValidation,
        "TLS setup failed" + (ca_file.empty() ? "" : " (" + ca_file + ")") + ": " + ec.message());
  }
  return context;
}

std::shared_ptr<HttpStream> start_http_stream(asio::any_io_executor executor,
                                              std::shared_ptr<ssl::context> tls,
                                              HttpStreamRequest request, HttpStreamEvents events) {
  if (request.url.tls()) {
    if (!tls) {
      asio::post(executor, [events = std::move(events)] {
        events.on_failure("https is not set up on this server");
      });
      return std::make_shared<FailedStream>();
    }
    using TlsStream = beast::ssl_stream<beast::tcp_stream>;
    auto exchange = std::make_shared<Exchange<TlsStream>>(
        executor, TlsStream(beast::tcp_stream(executor), *tls), tls, std::move(request),
        std::move(events));
    asio::post(executor, [exchange] { exchange->begin(); });
    return exchange;
  }
  auto exchange = std::make_shared<Exchange<beast::tcp_stream>>(
      executor, beast::tcp_stream(executor), nullptr, std::move(request), std::move(events));
  asio::post(executor, [exchange] { exchange->begin(); });
  return exchange;
}

}  // namespace imchat::server
