// imchat (web): the wasm entry point. The page shell (web/index.html) provides the canvas
// and window.imchat; the server that served the page is the API server (same origin).
#include <emscripten/emscripten.h>

#include <string>

#include "app/app.h"

namespace {
imchat::app::App* g_app = nullptr;
std::string g_state;
}  // namespace

// window.imchat.state() reads this. The pointer stays valid until the next call.
extern "C" EMSCRIPTEN_KEEPALIVE const char* imchat_state_json() {
  g_state = g_app ? g_app->state_json() : std::string("{\"connection\":\"starting\"}");
  return g_state.c_str();
}

int main() {
  using namespace imchat;
  // Leaked on purpose: the browser owns the loop and main() returns right away.
  auto* window = platform::make_window().release();
  if (auto opened = window->open({.title = "imchat"}); !opened) {
    emscripten_log(EM_LOG_ERROR, "imchat: %s", opened.error().describe().c_str());
    return 1;
  }
  auto* http = platform::make_http_client().release();
  g_app = new app::App({.server_url = "", .font_dir = "/fonts"}, *window, *http);
  window->run(g_app->hooks());
  return 0;
}
