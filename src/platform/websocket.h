// WebSocketClient: the one way client code opens WebSockets.
//
// Implementations, one per platform (like Dear ImGui's backends):
//   websocket_native.cpp  Boost.Beast on an I/O thread; events queued for poll()
//   websocket_web.cpp     emscripten/websocket.h; events queued for poll() as well
// Events always reach the handler on the UI thread, inside poll(). A socket reports kOpen
// at most once, then text frames, then exactly one kClosed — unless the owner closes it
// first, after which nothing more is reported.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace imchat::platform {

using SocketId = uint64_t;

struct WsEvent {
  enum class Kind { kOpen, kText, kClosed };
  Kind kind = Kind::kOpen;
  std::string text;    // kText: one whole frame
  int code = 0;        // kClosed: the close code (1006 when the connection just broke)
  std::string reason;  // kClosed: why, for the UI and logs
};

using WsHandler = std::function<void(WsEvent)>;

class WebSocketClient {
 public:
  virtual ~WebSocketClient() = default;

  // Starts connecting to url ("ws://host:port/path", "wss://…", or on the web a
  // page-relative "/ws?…" resolved against the page's origin).
  virtual SocketId open(const std::string& url, WsHandler on_event) = 0;
  // Sends a text frame. Only meaningful after kOpen; dropped otherwise (the caller's
  // protocol decides what to resend).
  virtual void send(SocketId socket, std::string text) = 0;
  // Closes the socket; its handler never runs again. code: 1000 or 3000–4999.
  virtual void close(SocketId socket, int code = 1000) = 0;

  // Runs the handlers of what happened since the last call. Once per frame, UI thread.
  virtual void poll() = 0;
  // Called (from any thread) when an event is waiting for poll(), so an idle UI can wake.
  virtual void set_wake(std::function<void()> wake) = 0;
};

std::unique_ptr<WebSocketClient> make_websocket_client();

}  // namespace imchat::platform
