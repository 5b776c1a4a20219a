// Web Page: hands the app's location, title, announcements and events to the page shell
// (web/index.html, window.imchatPage), which owns the DOM: the hash and history, the
// document title, the ARIA live region, and postMessage to the embedding page with its
// origin checks. Kept thin so the rules live in one place, next to the rest of the shell.
#include <emscripten/em_js.h>
#include <emscripten/emscripten.h>

#include "platform/page.h"

namespace imchat::platform {
namespace {

// clang-format off
EM_JS(void, imchat_page_call, (const char* method, const char* text), {
  const page = window.imchatPage;
  const name = UTF8ToString(method);
  if (page && typeof page[name] === 'function') page[name](UTF8ToString(text));
});
// clang-format on

class WebPage final : public Page {
 public:
  void set_location(const std::string& conversation_id) override {
    imchat_page_call("setLocation", conversation_id.c_str());
  }
  void set_title(const std::string& title) override { imchat_page_call("setTitle", title.c_str()); }
  void announce(const std::string& text) override { imchat_page_call("announce", text.c_str()); }
  void shown() override { imchat_page_call("shown", ""); }
  void emit(const std::string& event_json) override {
    imchat_page_call("emit", event_json.c_str());
  }
};

}  // namespace

std::unique_ptr<Page> make_page() {
  return std::make_unique<WebPage>();
}

}  // namespace imchat::platform
