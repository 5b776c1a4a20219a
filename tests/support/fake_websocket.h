// A scripted WebSocketClient for unit tests: the test plays the server — accepts or
// refuses connections, pushes frames, closes — and reads what the client sent. Events
// reach the client through poll(), like the real transports.
#pragma once

#include <deque>
#include <map>
#include <string>
#include <vector>

#include "platform/websocket.h"
#include "protocol/json.h"

namespace imchat::testing {

class FakeWebSocketClient final : public platform::WebSocketClient {
 public:
  struct Socket {
    std::string url;
    bool open = false;
    bool closed_by_client = false;
    int client_close_code = 0;
    std::vector<std::string> sent;
  };

  platform::SocketId open(const std::string& url, platform::WsHandler on_event) override {
    const platform::SocketId id = next_id_++;
    sockets_[id].url = url;
    handlers_[id] = std::move(on_event);
    return id;
  }
  void send(platform::SocketId socket, std::string text) override {
    auto it = sockets_.find(socket);
    if (it != sockets_.end() && it->second.open && !it->second.closed_by_client)
      it->second.sent.push_back(std::move(text));
  }
  void close(platform::SocketId socket, int code) override {
    handlers_.erase(socket);
    auto it = sockets_.find(socket);
    if (it == sockets_.end()) return;
    it->second.closed_by_client = true;
    it->second.client_close_code = code;
  }
  void poll() override {
    auto batch = std::move(queue_);
    queue_.clear();
    for (auto& [id, event] : batch) {
      auto it = handlers_.find(id);
      if (it == handlers_.end()) continue;
      auto handler = it->second;
      if (event.kind == platform::WsEvent::Kind::kClosed) handlers_.erase(it);
      handler(std::move(event));
    }
  }
  void set_wake(std::function<void()>) override {}

  // --- the test's side ---
  platform::SocketId latest() const { return next_id_ - 1; }
  int opened() const { return static_cast<int>(next_id_ - 1); }
  Socket& socket(platform::SocketId id) { return sockets_.at(id); }
  bool live(platform::SocketId id) const { return handlers_.count(id) > 0; }

  void accept(platform::SocketId id) {
    sockets_.at(id).open = true;
    queue_.push_back({id, {platform::WsEvent::Kind::kOpen, {}, 0, {}}});
  }
  void push(platform::SocketId id, std::string text) {
    queue_.push_back({id, {platform::WsEvent::Kind::kText, std::move(text), 0, {}}});
  }
  void push(platform::SocketId id, const protocol::Json& frame) { push(id, frame.dump()); }
  void drop(platform::SocketId id, int code = 1006, std::string reason = "connection lost") {
    sockets_.at(id).open = false;
    queue_.push_back({id, {platform::WsEvent::Kind::kClosed, {}, code, std::move(reason)}});
  }
  // The frames the client sent on a socket, parsed; and forgets them.
  std::vector<protocol::Json> take_sent(platform::SocketId id) {
    std::vector<protocol::Json> out;
    for (auto& text : sockets_.at(id).sent)
      out.push_back(protocol::Json::parse(text));
    sockets_.at(id).sent.clear();
    return out;
  }

 private:
  platform::SocketId next_id_ = 1;
  std::map<platform::SocketId, Socket> sockets_;
  std::map<platform::SocketId, platform::WsHandler> handlers_;
  std::vector<std::pair<platform::SocketId, platform::WsEvent>> queue_;
};

}  // namespace imchat::testing
