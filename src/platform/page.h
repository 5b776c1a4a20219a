// Page: what surrounds the app. On the web that is the document (its URL, title and
// screen-reader announcements) and, when embedded, the page around the iframe; natively
// the window, which has none of these and ignores them.
//
// Implementations, one per platform:
//   page_web.cpp     location.hash (#/c/<id>), document.title, an ARIA live region, events
//                    to the embedding page (web/index.html relays them with postMessage)
//   page_native.cpp  nothing: a desktop window has no URL, and its title stays "imchat"
//
// The page talks back through the entry point (window.imchat.* on the web), never here.
#pragma once

#include <memory>
#include <string>

namespace imchat::platform {

class Page {
 public:
  virtual ~Page() = default;
  // The open conversation ("" = none): the address follows, so a reload, a bookmark and
  // back/forward return to it.
  virtual void set_location(const std::string& conversation_id) = 0;
  virtual void set_title(const std::string& title) = 0;
  // Read out by screen readers, politely (after what they are saying).
  virtual void announce(const std::string& text) = 0;
  // The first frame is on screen: the loading screen can go.
  virtual void shown() = 0;
  // An event for the embedding page: {"type":"ready"|"message"|"unread"|"error",…} as JSON.
  virtual void emit(const std::string& event_json) = 0;
};

std::unique_ptr<Page> make_page();

}  // namespace imchat::platform
