// Native HttpClient: Boost.Beast over plain TCP on one I/O thread.
// Implements: send (GET/POST/PATCH/DELETE with headers and body), per-request timeout,
// cancel, results handed to the UI thread through a queue drained by poll().
// One Operation object per request, in the style of Beast's client examples.
#include <map>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "platform/http_client.h"
#include "platform/ui_handoff.h"
#include "protocol/url.h"

namespace imchat::platform {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct Completed {
  RequestId id;
  Result<HttpResponse> result;
};

class NativeHttpClient;

class Operation : public std::enable_shared_from_this<Operation> {
 public:
  Operation(asio::io_context& io, NativeHttpClient& owner, RequestId id, protocol::Url url,
            HttpRequest request)
      : resolver_(io),
        stream_(io),
        owner_(owner),
        id_(id),
        url_(std::move(url)),
        timeout_(std::chrono::milliseconds(request.timeout_ms)) {
    request_.method_string(request.method);
    request_.target(url_.target);
    request_.version(11);
    request_.set(http::field::host, url_.host + ":" + url_.port);
    request_.set(http::field::user_agent, "imchat-native");
    for (auto& [name, value] : request.headers)
      request_.set(name, value);
    request_.body() = std::move(request.body);
    request_.prepare_payload();
  }

  void start() {
    stream_.expires_after(timeout_);
    resolver_.async_resolve(url_.host, url_.port,
                            beast::bind_front_handler(&Operation::on_resolve, shared_from_this()));
  }

  void abort() {
    aborted_ = true;
    resolver_.cancel();
    beast::error_code ignored;
    stream_.socket().close(ignored);
  }

 private:
  void on_resolve(beast::error_code ec, tcp::resolver::results_type results) {
    if (ec) return fail("resolve", ec);
    stream_.async_connect(results,
                          beast::bind_front_handler(&Operation::on_connect, shared_from_this()));
  }

  void on_connect(beast::error_code ec, tcp::endpoint) {
    if (ec) return fail("connect", ec);
    http::async_write(stream_, request_,
                      beast::bind_front_handler(&Operation::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, size_t) {
    if (ec) return fail("write", ec);
    parser_.body_limit(64 * 1024 * 1024);
    http::async_read(stream_, buffer_, parser_,
                     beast::bind_front_handler(&Operation::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, size_t);
  void fail(const char* step, beast::error_code ec);

  tcp::resolver resolver_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  http::response_parser<http::string_body> parser_;
  NativeHttpClient& owner_;
  RequestId id_;
  protocol::Url url_;
  std::chrono::milliseconds timeout_;
  bool aborted_ = false;
};

class NativeHttpClient final : public HttpClient {
 public:
  NativeHttpClient() : work_(asio::make_work_guard(io_)), thread_([this] { io_.run(); }) {}

  ~NativeHttpClient() override {
    asio::post(io_, [this] {
      for (auto& [id, op] : running_)
        op->abort();
    });
    work_.reset();
    io_.stop();
    thread_.join();
  }

  RequestId send(HttpRequest request, HttpCallback on_done) override {
    const RequestId id = next_id_++;
    auto url = protocol::parse_url(request.url);
    if (url && url->tls()) {
      url = make_error(ErrorCode::kValidation, "https is not supported by the native client yet");
    }
    if (!url) {
      ready_.push_back({id, url.error()});
      callbacks_[id] = std::move(on_done);
      return id;
    }
    callbacks_[id] = std::move(on_done);
    asio::post(
        io_, [this, id, url = std::move(url).value(), request = std::move(request)]() mutable {
          auto op = std::make_shared<Operation>(io_, *this, id, std::move(url), std::move(request));
          running_[id] = op;
          op->start();
        });
    return id;
  }

  void cancel(RequestId id) override {
    if (callbacks_.erase(id) == 0) return;
    asio::post(io_, [this, id] {
      if (auto op = running_.find(id); op != running_.end()) op->second->abort();
    });
  }

  void poll() override {
    for (auto& done : finished_.take())
      ready_.push_back(std::move(done));
    // Callbacks may send new requests (which append to ready_ on a bad URL): take the batch.
    std::vector<Completed> batch;
    batch.swap(ready_);
    for (auto& done : batch) {
      auto it = callbacks_.find(done.id);
      if (it == callbacks_.end()) continue;  // cancelled
      HttpCallback callback = std::move(it->second);
      callbacks_.erase(it);
      callback(std::move(done.result));
    }
  }

  void set_wake(std::function<void()> wake) override { finished_.set_wake(std::move(wake)); }

  // I/O thread.
  void finish(RequestId id, Result<HttpResponse> result) {
    running_.erase(id);
    finished_.push({id, std::move(result)});
  }

 private:
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::map<RequestId, std::shared_ptr<Operation>> running_;  // I/O thread only

  UiHandoff<Completed> finished_;

  // UI thread only.
  RequestId next_id_ = 1;
  std::map<RequestId, HttpCallback> callbacks_;
  std::vector<Completed> ready_;

  std::thread thread_;  // last: starts after everything it touches exists
};

void Operation::on_read(beast::error_code ec, size_t) {
  if (ec) return fail("read", ec);
  auto& res = parser_.get();
  HttpResponse response;
  response.status = static_cast<int>(res.result_int());
  response.content_type = std::string(res[http::field::content_type]);
  response.body = std::move(res.body());
  beast::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
  owner_.finish(id_, std::move(response));
}

void Operation::fail(const char* step, beast::error_code ec) {
  if (aborted_) return owner_.finish(id_, make_error(ErrorCode::kCancelled, "request cancelled"));
  std::string what = ec == beast::error::timeout ? "timed out" : ec.message();
  owner_.finish(id_, make_error(ErrorCode::kNetwork, std::string(step) + " " + url_.host + ":" +
                                                         url_.port + ": " + what));
}

}  // namespace

std::unique_ptr<HttpClient> make_http_client() {
  return std::make_unique<NativeHttpClient>();
}

}  // namespace imchat::platform
