// App: wires a Window, an HttpClient, the SDK and the views together. Shared by the web
// and native entry points (main_web.cpp, main_native.cpp), which add only what differs.
#pragma once

#include <cstdint>
#include <string>

#include "platform/http_client.h"
#include "platform/window.h"
#include "sdk/client.h"
#include "ui/app_view.h"
#include "ui/theme.h"

namespace imchat::app {

struct AppOptions {
  std::string server_url;  // "" = same origin (web)
  std::string font_dir;
};

class App {
 public:
  App(AppOptions options, platform::Window& window, platform::HttpClient& http);

  // Frame hooks for Window::run; extra_draw runs after the views (test hooks, screenshots).
  platform::FrameHooks hooks(std::function<bool()> after_draw = {},
                             std::function<void()> after_render = {});

  // What the app shows, as JSON: the contract of window.imchat.state() and of the native
  // test's state file. {"connection","serverVersion","lastError","frames","pixelRatio",
  // "fontError"}
  std::string state_json() const;

  const sdk::Client& client() const { return client_; }
  uint64_t frames() const { return frames_; }

 private:
  platform::Window& window_;
  platform::HttpClient& http_;
  sdk::Client client_;
  ui::Theme theme_;
  ui::AppView view_;
  uint64_t frames_ = 0;
};

int64_t monotonic_ms();

}  // namespace imchat::app
