// A small synchronous WebSocket test client (Boost.Beast) with deadlines: reads never hang
// a test, and "batch" frames are unwrapped so tests see frames one by one.
#pragma once

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <chrono>
#include <deque>
#include <optional>
#include <string>

#include "protocol/json.h"

namespace imchat::testing {

class WsClient {
 public:
  using Json = protocol::Json;

  // Connects to /ws?token=…; check connected() (a refused handshake leaves it false).
  WsClient(uint16_t port, const std::string& token) : ws_(io_) {
    namespace beast = boost::beast;
    auto& tcp = beast::get_lowest_layer(ws_);
    tcp.expires_after(std::chrono::seconds(10));
    beast::error_code ec;
    tcp.socket().connect({boost::asio::ip::make_address("127.0.0.1"), port}, ec);
    if (ec) return;
    ws_.handshake("127.0.0.1:" + std::to_string(port), "/ws?token=" + token, ec);
    connected_ = !ec;
  }

  bool connected() const { return connected_; }

  void send(const Json& frame) { send_text(frame.dump()); }
  void send_text(const std::string& text, bool as_text = true) {
    ws_.text(as_text);
    boost::beast::error_code ec;
    ws_.write(boost::asio::buffer(text), ec);
  }

  // The next frame, or nullopt when none arrives in time or the connection closed.
  std::optional<Json> next(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    if (!pending_.empty()) return pop();
    if (closed_) return std::nullopt;
    boost::beast::flat_buffer buffer;
    bool done = false;
    boost::beast::error_code result;
    ws_.async_read(buffer, [&](boost::beast::error_code ec, size_t) {
      done = true;
      result = ec;
    });
    io_.restart();
    io_.run_for(timeout);
    if (!done) {
      // Give up on this connection: a read is still pending and cannot be reused.
      boost::beast::get_lowest_layer(ws_).socket().close();
      io_.restart();
      io_.run_for(std::chrono::seconds(1));
      closed_ = true;
      return std::nullopt;
    }
    if (result) {
      closed_ = true;
      close_code_ = ws_.reason().code;
      return std::nullopt;
    }
    auto json = protocol::parse_json(boost::beast::buffers_to_string(buffer.data()));
    if (!json) return Json{{"type", "<unparseable>"}};
    if ((*json)["type"] == "batch") {
      ++batches_;
      for (auto& frame : (*json)["frames"])
        pending_.push_back(frame);
      return pop();
    }
    return *json;
  }

  // Skips nothing: the next frame must have this type.
  Json expect(const std::string& type) {
    auto frame = next();
    if (!frame) return Json{{"type", "<none>"}};
    if ((*frame)["type"] != type) return Json{{"type", "<unexpected>"}, {"got", *frame}};
    return *frame;
  }

  // Sends a ping and returns every frame that arrived before its pong. The server handles a
  // connection's frames in order, so everything already due to this client comes first.
  std::vector<Json> drain() {
    const int token = ++pings_;
    send({{"type", "ping"}, {"t", token}});
    std::vector<Json> before;
    while (auto frame = next()) {
      if ((*frame)["type"] == "pong" && (*frame)["t"] == token) return before;
      before.push_back(*frame);
    }
    before.push_back(Json{{"type", "<no pong>"}});
    return before;
  }

  int close_code() const { return close_code_; }
  int batches() const { return batches_; }

 private:
  Json pop() {
    Json frame = std::move(pending_.front());
    pending_.pop_front();
    return frame;
  }

  boost::asio::io_context io_;
  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  std::deque<Json> pending_;
  bool connected_ = false;
  bool closed_ = false;
  int close_code_ = 0;
  int pings_ = 0;
  int batches_ = 0;
};

}  // namespace imchat::testing
