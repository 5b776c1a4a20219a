// ChatView: the open conversation — header, messages, composer — drawn from the SDK's
// cache. It keeps the column: the header (title, model button, totals), the virtualised
// message list (ListWindow: rows never seen keep an estimated height; only the rows on
// screen are drawn), typing, "↓ N new", the welcome screen. What one message looks like
// and the cache of their layouts is MessageRows (message_row.h); the box a message is
// written in is Composer (composer.h); the settings popup is ChatSettings
// (chat_settings.h). A streaming reply is a new message version per frame at most, so
// only that row is laid out again.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <imgui.h>

#include "sdk/chat_client.h"
#include "ui/chat_settings.h"
#include "ui/composer.h"
#include "ui/landmarks.h"
#include "ui/message_list.h"
#include "ui/message_row.h"
#include "ui/theme.h"

namespace imchat::ui {

class ChatView {
 public:
  ChatView(Theme& theme, sdk::ChatClient& chat, Landmarks& landmarks);
  // Its parts call back into it: it stays where it was made.
  ChatView(const ChatView&) = delete;
  ChatView& operator=(const ChatView&) = delete;

  // "" closes the conversation (the welcome screen).
  void open(const std::string& conversation_id);
  const std::string& conversation_id() const { return id_; }

  // Sends text into the open conversation as the composer would. False (and nothing
  // sent) when no conversation is open or the SDK refused it (error() says why).
  bool send(const std::string& text);
  // Stops the reply being written, if any.
  void stop();
  bool replying() const;

  void draw(ImVec2 pos, ImVec2 size, bool narrow);

  const std::string& draft() const { return composer_.draft(); }
  // Unsent text per conversation, as a reload left it (the entry point keeps them).
  const std::unordered_map<std::string, std::string>& drafts() const { return composer_.drafts(); }
  void restore_drafts(std::unordered_map<std::string, std::string> drafts) {
    composer_.restore_drafts(std::move(drafts));
  }
  void forget_draft(const std::string& conversation_id) { composer_.forget_draft(conversation_id); }
  const std::string& error() const { return composer_.error(); }
  const std::string& editing() const { return composer_.editing(); }
  // The text selected in a message (drag across it; Ctrl/Cmd+C copies), or "".
  std::string selection() const { return rows_.selection(); }
  // How many message layouts were made so far (tests: nothing is laid out twice).
  uint64_t layouts_made() const { return rows_.layouts_made(); }
  // For state(): message id → "Seen by …" as shown.
  const std::unordered_map<std::string, std::string>& receipts() const { return receipts_; }
  bool composer_focused() const { return composer_.focused(); }
  // Whether typing reaches the app (Composer::set_has_keyboard).
  void set_has_keyboard(bool has) { composer_.set_has_keyboard(has); }
  // The message list's scroll position and its largest value (device px).
  double scroll() const { return window_.scroll(); }
  double max_scroll() const { return window_.max_scroll(); }
  // The code panel or table last scrolled sideways: how far, and how far it can go (device
  // px).
  float side_scroll() const { return rows_.side_scroll(); }
  float side_max_scroll() const { return rows_.side_max_scroll(); }
  // The header's totals line ("5,000 messages · 252,500 tokens · $1.23"), as last drawn.
  const std::string& header_detail() const { return header_detail_; }
  // Something moves on screen (typing dots): the app keeps drawing frames.
  bool animating() const { return animating_ || rows_.animating(); }

  std::function<void(const std::string& url)> open_url;  // links (a new tab on the web)
  std::function<void()> show_sidebar;                    // the narrow layout's back button

 private:
  void draw_header(ImDrawList* draw, ImVec2 pos, float width, float height, bool narrow);
  void draw_messages(ImVec2 pos, ImVec2 size);
  bool is_ai_chat() const;
  const std::string& display_name(const std::string& user_id) const;
  void update_receipts();
  void draw_typing(ImDrawList* draw, ImVec2 pos);
  void draw_welcome(ImDrawList* draw, ImVec2 pos, ImVec2 size);
  void collect_rows();

  Theme& theme_;
  sdk::ChatClient& chat_;
  Landmarks& landmarks_;
  MessageRows rows_;
  Composer composer_;
  ChatSettings settings_;
  std::string id_;
  sdk::ChatSync::Watch watch_;
  ListWindow window_;
  uint64_t list_version_ = 0;
  const sdk::MessageList* list_seen_ = nullptr;
  ConversationTotals header_totals_;  // what header_detail_ says
  std::string
      header_detail_;  // "12 messages · 1,234 tokens · $0.01", rebuilt when the totals change
  float column_ = 0;   // width of the message column last frame
  size_t unseen_ = 0;  // messages added while scrolled up
  std::unordered_map<std::string, std::string> receipts_;  // message id → "Seen by Ada"
  uint64_t receipts_version_ = UINT64_MAX;
  bool animating_ = false;
};

}  // namespace imchat::ui
