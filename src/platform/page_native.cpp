// Native Page: a desktop window has no address, no embedding page and no live region; the
// app's announcements and events have nowhere to go, and that is fine for a debug client.
#include "platform/page.h"

namespace imchat::platform {
namespace {

class NativePage final : public Page {
 public:
  void set_location(const std::string&) override {}
  void set_title(const std::string&) override {}
  void announce(const std::string&) override {}
  void shown() override {}
  void emit(const std::string&) override {}
};

}  // namespace

std::unique_ptr<Page> make_page() {
  return std::make_unique<NativePage>();
}

}  // namespace imchat::platform
