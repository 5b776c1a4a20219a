// Web WebSocketClient: the browser's WebSocket through emscripten/websocket.h.
// Implements: open (page-relative URLs resolved against the page), send, close, events
// queued for poll(). Emscripten 3.1.6 traps handled here (../shared/notes/web-platform.md):
//  - send while CONNECTING throws an uncaught JS error that aborts the module: send checks
//    the ready state and drops what is not open (the SDK only sends after kOpen anyway);
//  - text frames report a byte count that includes the trailing NUL: it is cut off;
//  - only close codes 1000 and 3000–4999 may be sent: others become 1000;
//  - callbacks run between frames on the main thread: they only queue and wake.
#include <emscripten/em_js.h>
#include <emscripten/emscripten.h>
#include <emscripten/websocket.h>

#include <cstdlib>
#include <map>
#include <vector>

#include "platform/websocket.h"

namespace imchat::platform {
namespace {

// "/ws?token=…" → "ws://host:port/ws?token=…" (wss on an https page); absolute URLs pass.
// JavaScript below: clang-format would split the strict-equality operator in two.
// clang-format off
EM_JS(char*, imchat_resolve_ws_url, (const char* url), {
  const u = new URL(UTF8ToString(url), window.location.href);
  if (u.protocol === 'http:') u.protocol = 'ws:';
  if (u.protocol === 'https:') u.protocol = 'wss:';
  const text = u.toString();
  const size = lengthBytesUTF8(text) + 1;
  const out = _malloc(size);
  stringToUTF8(text, out, size);
  return out;
});
// clang-format on

struct Queued {
  SocketId socket;
  WsEvent event;
};

class WebWebSocketClient;

// The callbacks' userData; lives until the socket is deleted.
struct Link {
  WebWebSocketClient* owner;
  SocketId id;
  EMSCRIPTEN_WEBSOCKET_T handle;
};

class WebWebSocketClient final : public WebSocketClient {
 public:
  ~WebWebSocketClient() override {
    for (auto& [id, link] : links_)
      drop(*link, 1001);
  }

  SocketId open(const std::string& url, WsHandler on_event) override {
    const SocketId id = next_id_++;
    handlers_[id] = std::move(on_event);
    char* resolved = imchat_resolve_ws_url(url.c_str());
    EmscriptenWebSocketCreateAttributes attr;
    emscripten_websocket_init_create_attributes(&attr);
    attr.url = resolved;
    attr.createOnMainThread = EM_TRUE;
    const EMSCRIPTEN_WEBSOCKET_T handle = emscripten_websocket_new(&attr);
    std::free(resolved);
    if (handle <= 0) {
      ready_.push_back({id, WsEvent{WsEvent::Kind::kClosed, {}, 1006, "cannot open " + url}});
      return id;
    }
    auto link = std::make_unique<Link>(Link{this, id, handle});
    emscripten_websocket_set_onopen_callback(handle, link.get(), &on_open);
    emscripten_websocket_set_onmessage_callback(handle, link.get(), &on_message);
    emscripten_websocket_set_onclose_callback(handle, link.get(), &on_close);
    // onerror is always followed by onclose, which carries the code: nothing to do there.
    links_[id] = std::move(link);
    return id;
  }

  void send(SocketId socket, std::string text) override {
    auto it = links_.find(socket);
    if (it == links_.end()) return;
    unsigned short state = 0;
    emscripten_websocket_get_ready_state(it->second->handle, &state);
    if (state != 1 /* OPEN */) return;
    emscripten_websocket_send_utf8_text(it->second->handle, text.c_str());
  }

  void close(SocketId socket, int code) override {
    handlers_.erase(socket);
    auto it = links_.find(socket);
    if (it == links_.end()) return;
    drop(*it->second, code);
    links_.erase(it);
  }

  void poll() override {
    std::vector<Queued> batch;
    batch.swap(ready_);
    for (auto& queued : batch) {
      auto it = handlers_.find(queued.socket);
      if (it == handlers_.end()) continue;
      if (queued.event.kind == WsEvent::Kind::kClosed) {
        WsHandler handler = std::move(it->second);
        handlers_.erase(it);
        if (auto link = links_.find(queued.socket); link != links_.end()) {
          emscripten_websocket_delete(link->second->handle);
          links_.erase(link);
        }
        handler(std::move(queued.event));
      } else {
        WsHandler handler = it->second;  // the handler may close its own socket
        handler(std::move(queued.event));
      }
    }
  }

  void set_wake(std::function<void()> wake) override { wake_ = std::move(wake); }

 private:
  static void drop(Link& link, int code) {
    unsigned short state = 3;
    emscripten_websocket_get_ready_state(link.handle, &state);
    if (state <= 1) {  // CONNECTING or OPEN
      const bool allowed = code == 1000 || (code >= 3000 && code <= 4999);
      emscripten_websocket_close(link.handle, static_cast<unsigned short>(allowed ? code : 1000),
                                 "");
    }
    emscripten_websocket_delete(link.handle);  // unhooks the callbacks
  }

  void queue(SocketId id, WsEvent event) {
    ready_.push_back({id, std::move(event)});
    if (wake_) wake_();
  }

  static EM_BOOL on_open(int, const EmscriptenWebSocketOpenEvent*, void* user) {
    auto* link = static_cast<Link*>(user);
    link->owner->queue(link->id, WsEvent{WsEvent::Kind::kOpen, {}, 0, {}});
    return EM_TRUE;
  }

  static EM_BOOL on_message(int, const EmscriptenWebSocketMessageEvent* e, void* user) {
    auto* link = static_cast<Link*>(user);
    if (!e->isText) return EM_TRUE;  // the protocol is JSON text; binary is not ours
    size_t size = e->numBytes;
    if (size > 0 && e->data[size - 1] == 0) --size;  // the NUL 3.1.6 counts
    link->owner->queue(link->id, WsEvent{WsEvent::Kind::kText,
                                         std::string(reinterpret_cast<const char*>(e->data), size),
                                         0,
                                         {}});
    return EM_TRUE;
  }

  static EM_BOOL on_close(int, const EmscriptenWebSocketCloseEvent* e, void* user) {
    auto* link = static_cast<Link*>(user);
    std::string reason = e->reason;
    if (reason.empty()) reason = e->wasClean ? "closed by the server" : "connection lost";
    link->owner->queue(link->id, WsEvent{WsEvent::Kind::kClosed, {}, e->code, std::move(reason)});
    return EM_TRUE;
  }

  SocketId next_id_ = 1;
  std::map<SocketId, WsHandler> handlers_;
  std::map<SocketId, std::unique_ptr<Link>> links_;
  std::vector<Queued> ready_;
  std::function<void()> wake_;
};

}  // namespace

std::unique_ptr<WebSocketClient> make_websocket_client() {
  return std::make_unique<WebWebSocketClient>();
}

}  // namespace imchat::platform
