// imchat (web): the wasm entry point. The page shell (web/index.html) provides the canvas,
// window.imchat (what tests and the embedding bridge call) and window.imchatBoot: the
// configuration it read before starting us (config.json, then ?server= and the embedding
// options; see docs/embedding.md). The API server is the page's own origin unless the
// configuration names another.
#include <emscripten/em_js.h>
#include <emscripten/emscripten.h>
#include <emscripten/eventloop.h>

#include <algorithm>
#include <cstdlib>
#include <string>

#include "app/app.h"
#include "app/boot_options.h"
#include "protocol/json.h"

namespace {
imchat::app::App* g_app = nullptr;
std::string g_state;
}  // namespace

// window.imchat.state() reads this. The pointer stays valid until the next call.
extern "C" EMSCRIPTEN_KEEPALIVE const char* imchat_state_json() {
  g_state = g_app ? g_app->state_json() : std::string("{\"connection\":\"starting\"}");
  return g_state.c_str();
}

extern "C" EMSCRIPTEN_KEEPALIVE void imchat_set_devtools(int open) {
  if (g_app) g_app->set_devtools(open != 0);
}

// window.imchat.newConversation() / open(id) / send(text): what a click or Enter does.
extern "C" EMSCRIPTEN_KEEPALIVE void imchat_new_conversation() {
  if (g_app) g_app->view().new_conversation();
}

extern "C" EMSCRIPTEN_KEEPALIVE void imchat_open(const char* id) {
  if (g_app && id) g_app->view().open(id);
}

extern "C" EMSCRIPTEN_KEEPALIVE int imchat_send(const char* text) {
  return g_app && text && g_app->view().send(text) ? 1 : 0;
}

// What the browser's copy and cut events put on the system clipboard (window_web_input.js).
extern "C" EMSCRIPTEN_KEEPALIVE const char* imchat_selected_text() {
  static std::string text;
  text = g_app ? g_app->selected_text() : std::string();
  return text.c_str();
}

// The embedding page's session and theme (postMessage setToken / setTheme).
extern "C" EMSCRIPTEN_KEEPALIVE void imchat_set_token(const char* token) {
  if (g_app && token) g_app->set_token(token);
}

extern "C" EMSCRIPTEN_KEEPALIVE void imchat_set_theme(const char* theme) {
  if (g_app && theme) g_app->set_theme(theme);
}

// Links in messages open in a new tab, never in the chat's own frame.
// JavaScript below: clang-format would split the strict-equality operator in two.
// clang-format off
EM_JS(void, imchat_open_url, (const char* url), {
  const href = UTF8ToString(url);
  if (/^(https?:|mailto:)/i.test(href)) window.open(href, '_blank', 'noopener,noreferrer');
});
// clang-format on

// The page became visible or the network came back (web/index.html listens).
extern "C" EMSCRIPTEN_KEEPALIVE void imchat_on_visible() {
  if (g_app) g_app->on_visible();
}

// window.imchatBoot as JSON (malloc'd; the caller frees it).
// clang-format off
EM_JS(char*, imchat_boot_json, (), {
  const text = JSON.stringify(window.imchatBoot || {});
  const size = lengthBytesUTF8(text) + 1;
  const out = _malloc(size);
  stringToUTF8(text, out, size);
  return out;
});
// clang-format on

// The loading screen says why the app could not start.
// clang-format off
EM_JS(void, imchat_start_failed, (const char* reason), {
  if (window.imchatPage) window.imchatPage.failed(UTF8ToString(reason));
});
// clang-format on

namespace {

// window.imchatBoot, read by the one rule for where the app may connect.
imchat::Result<imchat::app::AppOptions> boot_options() {
  char* text = imchat_boot_json();
  auto options = imchat::app::read_boot_options(text);
  std::free(text);
  return options;
}

// The SDK's timers (reconnects, pings, retries) on the browser's clock: a hidden tab gets
// no animation frames, and a chat must stay connected in the background.
void on_sdk_timer(void*) {
  if (!g_app) return;
  g_app->tick();
  const auto next = g_app->next_deadline_ms();
  const int64_t delay =
      next ? std::clamp<int64_t>(*next - imchat::app::monotonic_ms(), 10, 30000) : 30000;
  emscripten_set_timeout(&on_sdk_timer, static_cast<double>(delay), nullptr);
}

}  // namespace

int main() {
  using namespace imchat;
  // Leaked on purpose: the browser owns the loop and main() returns right away.
  auto* window = platform::make_window().release();
  if (auto opened = window->open({.title = "imchat"}); !opened) {
    emscripten_log(EM_LOG_ERROR, "imchat: %s", opened.error().describe().c_str());
    imchat_start_failed("canvas");  // the only way open() fails in a browser
    return 1;
  }
  auto* http = platform::make_http_client().release();
  auto* sockets = platform::make_websocket_client().release();
  auto* store = platform::make_local_store().release();
  auto* page = platform::make_page().release();
  auto options = boot_options();
  if (!options) {
    // A ?server= the site did not list, a broken config.json: nothing has been sent anywhere.
    emscripten_log(EM_LOG_ERROR, "imchat: %s", options.error().message.c_str());
    imchat_start_failed(options.error().message.c_str());
    return 1;
  }
  g_app = new app::App(std::move(*options), *window, *http, *sockets, store, *page);
  g_app->view().set_open_url([](const std::string& url) { imchat_open_url(url.c_str()); });
  emscripten_set_timeout(&on_sdk_timer, 100, nullptr);
  window->run(g_app->hooks());
  return 0;
}
