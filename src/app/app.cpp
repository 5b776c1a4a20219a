#include "app/app.h"

#include <chrono>

#include "protocol/json.h"

namespace imchat::app {

int64_t monotonic_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

App::App(AppOptions options, platform::Window& window, platform::HttpClient& http)
    : window_(window),
      http_(http),
      client_(http, sdk::ClientOptions{.base_url = options.server_url}),
      theme_(options.font_dir),
      view_(theme_) {
  http_.set_wake([this] { window_.wake(); });
}

platform::FrameHooks App::hooks(std::function<bool()> after_draw,
                                std::function<void()> after_render) {
  platform::FrameHooks hooks;
  hooks.tick = [this] {
    http_.poll();
    client_.tick(monotonic_ms());
  };
  hooks.prepare = [this](float ratio) { return theme_.apply(ratio); };
  hooks.draw = [this, after_draw = std::move(after_draw)] {
    view_.draw(client_);
    ++frames_;
    return after_draw ? after_draw() : true;
  };
  hooks.after_render = std::move(after_render);
  return hooks;
}

std::string App::state_json() const {
  const sdk::ServerStatus& server = client_.server();
  protocol::Json state = {{"connection", sdk::to_string(server.state)},
                          {"serverVersion", server.version},
                          {"lastError", server.last_error},
                          {"frames", frames_},
                          {"pixelRatio", theme_.scale()},
                          {"fontError", theme_.fonts().load_error}};
  return protocol::dump_json(state);
}

}  // namespace imchat::app
