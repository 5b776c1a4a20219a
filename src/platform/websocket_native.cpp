// Native WebSocketClient: Boost.Beast over plain TCP on one I/O thread.
// Implements: open (resolve, connect, handshake with a deadline), a read loop, a write
// queue with one write in flight (Beast allows only one), close, and events handed to the
// UI thread through a queue drained by poll(). One Connection object per socket, in the
// style of Beast's session classes.
#include <deque>
#include <map>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include "platform/ui_handoff.h"
#include "platform/websocket.h"
#include "protocol/url.h"

namespace imchat::platform {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

constexpr auto kHandshakeTimeout = std::chrono::seconds(10);

struct Queued {
  SocketId socket;
  WsEvent event;
};

class NativeWebSocketClient;

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(asio::io_context& io, NativeWebSocketClient& owner, SocketId id, protocol::Url url)
      : resolver_(io), ws_(io), owner_(owner), id_(id), url_(std::move(url)) {}

  void start() {
    beast::get_lowest_layer(ws_).expires_after(kHandshakeTimeout);
    resolver_.async_resolve(url_.host, url_.port,
                            beast::bind_front_handler(&Connection::on_resolve, shared_from_this()));
  }

  void write(std::string text) {
    if (!open_ || closing_) return;
    queue_.push_back(std::move(text));
    if (queue_.size() == 1) do_write();
  }

  // The owner is done with this socket: say goodbye politely, report nothing more.
  void close(int code) {
    silenced_ = true;
    resolver_.cancel();
    // Beast allows no close while a write is out: then the socket just goes.
    if (!open_ || closing_ || !queue_.empty()) {
      beast::error_code ignored;
      beast::get_lowest_layer(ws_).socket().close(ignored);
      return;
    }
    closing_ = true;
    ws_.async_close(websocket::close_reason(static_cast<uint16_t>(code)),
                    [self = shared_from_this()](beast::error_code) {
                      beast::error_code ignored;
                      beast::get_lowest_layer(self->ws_).socket().close(ignored);
                    });
  }

 private:
  void on_resolve(beast::error_code ec, tcp::resolver::results_type results) {
    if (ec) return fail("resolve", ec);
    beast::get_lowest_layer(ws_).async_connect(
        results, beast::bind_front_handler(&Connection::on_connect, shared_from_this()));
  }

  void on_connect(beast::error_code ec, tcp::endpoint) {
    if (ec) return fail("connect", ec);
    ws_.set_option(websocket::stream_base::decorator([](websocket::request_type& req) {
      req.set(beast::http::field::user_agent, "imchat-native");
    }));
    ws_.async_handshake(url_.host + ":" + url_.port, url_.target,
                        beast::bind_front_handler(&Connection::on_handshake, shared_from_this()));
  }

  void on_handshake(beast::error_code ec);

  void do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&Connection::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, size_t);

  void do_write() {
    ws_.text(true);
    ws_.async_write(asio::buffer(queue_.front()),
                    beast::bind_front_handler(&Connection::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, size_t) {
    if (ec) return fail("write", ec);
    queue_.pop_front();
    if (!queue_.empty() && !closing_) do_write();
  }

  void fail(const char* step, beast::error_code ec);

  tcp::resolver resolver_;
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  std::deque<std::string> queue_;
  NativeWebSocketClient& owner_;
  SocketId id_;
  protocol::Url url_;
  bool open_ = false;
  bool closing_ = false;
  bool silenced_ = false;  // closed by the owner: no more events
  bool reported_closed_ = false;
};

class NativeWebSocketClient final : public WebSocketClient {
 public:
  NativeWebSocketClient() : work_(asio::make_work_guard(io_)), thread_([this] { io_.run(); }) {}

  ~NativeWebSocketClient() override {
    asio::post(io_, [this] {
      for (auto& [id, connection] : running_)
        connection->close(1001);
    });
    work_.reset();
    // Let polite closes finish briefly; stop() then drops whatever is left.
    io_.stop();
    thread_.join();
  }

  SocketId open(const std::string& url, WsHandler on_event) override {
    const SocketId id = next_id_++;
    handlers_[id] = std::move(on_event);
    auto parsed = protocol::parse_url(url);
    if (parsed && parsed->tls()) {
      parsed = Error{ErrorCode::kValidation, "wss is not supported by the native client yet"};
    }
    if (!parsed) {
      ready_.push_back({id, WsEvent{WsEvent::Kind::kClosed, {}, 1006, parsed.error().message}});
      return id;
    }
    asio::post(io_, [this, id, url = std::move(parsed).value()]() mutable {
      auto connection = std::make_shared<Connection>(io_, *this, id, std::move(url));
      running_[id] = connection;
      connection->start();
    });
    return id;
  }

  void send(SocketId socket, std::string text) override {
    if (!handlers_.count(socket)) return;
    asio::post(io_, [this, socket, text = std::move(text)]() mutable {
      if (auto it = running_.find(socket); it != running_.end()) it->second->write(std::move(text));
    });
  }

  void close(SocketId socket, int code) override {
    if (handlers_.erase(socket) == 0) return;
    asio::post(io_, [this, socket, code] {
      auto it = running_.find(socket);
      if (it == running_.end()) return;
      it->second->close(code);
      running_.erase(it);
    });
  }

  void poll() override {
    for (auto& queued : arrived_.take())
      ready_.push_back(std::move(queued));
    // Handlers may open or close sockets (which can append to ready_): take the batch.
    std::vector<Queued> batch;
    batch.swap(ready_);
    for (auto& queued : batch) {
      auto it = handlers_.find(queued.socket);
      if (it == handlers_.end()) continue;  // closed by the owner meanwhile
      const bool last = queued.event.kind == WsEvent::Kind::kClosed;
      if (last) {
        WsHandler handler = std::move(it->second);
        handlers_.erase(it);
        handler(std::move(queued.event));
      } else {
        // Copy: the handler may close this socket, erasing itself from the map.
        WsHandler handler = it->second;
        handler(std::move(queued.event));
      }
    }
  }

  void set_wake(std::function<void()> wake) override { arrived_.set_wake(std::move(wake)); }

  // I/O thread.
  void report(SocketId id, WsEvent event) {
    if (event.kind == WsEvent::Kind::kClosed) running_.erase(id);
    arrived_.push({id, std::move(event)});
  }

 private:
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::map<SocketId, std::shared_ptr<Connection>> running_;  // I/O thread only

  UiHandoff<Queued> arrived_;

  // UI thread only.
  SocketId next_id_ = 1;
  std::map<SocketId, WsHandler> handlers_;
  std::vector<Queued> ready_;

  std::thread thread_;  // last: starts after everything it touches exists
};

void Connection::on_handshake(beast::error_code ec) {
  if (ec) return fail("handshake", ec);
  // Open: no deadline on the TCP layer any more; the SDK's ping decides when it is dead.
  beast::get_lowest_layer(ws_).expires_never();
  websocket::stream_base::timeout timeouts =
      websocket::stream_base::timeout::suggested(beast::role_type::client);
  timeouts.handshake_timeout = std::chrono::seconds(5);  // also bounds the closing handshake
  ws_.set_option(timeouts);
  open_ = true;
  if (!silenced_) owner_.report(id_, WsEvent{WsEvent::Kind::kOpen, {}, 0, {}});
  do_read();
}

void Connection::on_read(beast::error_code ec, size_t) {
  if (ec) return fail("read", ec);
  if (!silenced_) {
    owner_.report(id_,
                  WsEvent{WsEvent::Kind::kText, beast::buffers_to_string(buffer_.data()), 0, {}});
  }
  buffer_.consume(buffer_.size());
  do_read();
}

void Connection::fail(const char* step, beast::error_code ec) {
  if (silenced_ || reported_closed_) return;
  reported_closed_ = true;
  open_ = false;
  WsEvent event{WsEvent::Kind::kClosed, {}, 1006, {}};
  if (ec == websocket::error::closed) {
    event.code = ws_.reason().code;
    event.reason = std::string(ws_.reason().reason.c_str());
    if (event.reason.empty()) event.reason = "closed by the server";
  } else {
    event.reason = std::string(step) + " " + url_.host + ":" + url_.port + ": " +
                   (ec == beast::error::timeout ? std::string("timed out") : ec.message());
  }
  owner_.report(id_, std::move(event));
}

}  // namespace

std::unique_ptr<WebSocketClient> make_websocket_client() {
  return std::make_unique<NativeWebSocketClient>();
}

}  // namespace imchat::platform
