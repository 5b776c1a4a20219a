// PageEvents: turns what the SDK holds into what the page around the app should know —
// where the user is (the URL), the document title with the unread count, screen-reader
// announcements, and the embedding page's events (ready, message, unread, error; see
// docs/embedding.md). Runs on every tick, including while the tab is hidden and draws
// nothing, so a background chat still updates the title and the embedding page.
//
// Announcements come in semantic chunks: a message from someone else when it arrives, and
// a streamed reply paragraph by paragraph as each one is finished, then "Reply finished" —
// never token by token, which would make a screen reader stutter.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "platform/page.h"
#include "sdk/chat_client.h"

namespace imchat::app {

// What the screen shows, by reference: update() runs every tick and copies nothing unless
// something changed.
struct PageView {
  const std::string& open;   // the open conversation ("" = the welcome screen)
  const std::string& error;  // what the composer shows as its error ("" = none)
  bool drawn = false;        // at least one frame is on screen
};

class PageEvents {
 public:
  explicit PageEvents(platform::Page& page) : page_(page) {}

  void update(const sdk::ChatClient& chat, const PageView& view);

  int64_t unread() const { return unread_; }

 private:
  void update_title(const Page<ConversationSummary>* page, const ConversationSummary* open,
                    const std::string& open_id);
  void update_messages(const sdk::ChatClient& chat, const std::string& open,
                       const ConversationSummary* summary);
  void on_message(const Message& m, const std::string& self, const ConversationSummary* summary);
  void announce_streaming(const Message& m, size_t& spoken);

  platform::Page& page_;
  bool ready_ = false;
  std::string location_ = "\x01";  // nothing told yet
  std::string title_;
  std::shared_ptr<const Page<ConversationSummary>> seen_page_;  // the list the title is from
  std::string seen_open_;
  int64_t unread_ = -1;
  std::string error_;
  // The open conversation's messages: which were already there or told, and how much of
  // each reply being written was read out.
  std::string watched_;
  std::shared_ptr<const sdk::MessageList> list_;
  bool baseline_ = false;
  std::unordered_set<std::string> told_;
  std::unordered_map<std::string, size_t> spoken_;
};

// Markdown as a screen reader should say it: no emphasis marks, backticks or heading hashes.
std::string spoken_text(std::string_view markdown);

}  // namespace imchat::app
