// ChatView: the open conversation — header, messages, composer — drawn from the SDK's
// cache. The message list is virtualised (ListWindow): each visible message is laid out
// once per (message version, width) and kept in a small cache; rows never seen keep an
// estimated height; only the rows on screen are drawn. A streaming reply is a new message
// version per frame at most, so only that row is laid out again.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <imgui.h>

#include "sdk/chat_client.h"
#include "ui/landmarks.h"
#include "ui/markdown.h"
#include "ui/message_list.h"
#include "ui/rich_text.h"
#include "ui/theme.h"

namespace imchat::ui {

// How a message's text looks: fonts and colours for its bubble (own messages sit on the
// primary colour). The benchmark lays replies out with it too.
RichTextStyle message_text_style(const Theme& theme, bool own);

class ChatView {
 public:
  ChatView(Theme& theme, sdk::ChatClient& chat, Landmarks& landmarks)
      : theme_(theme), chat_(chat), landmarks_(landmarks) {}

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

  const std::string& draft() const;
  // Unsent text per conversation, as a reload left it (the entry point keeps them).
  const std::unordered_map<std::string, std::string>& drafts() const { return drafts_; }
  void restore_drafts(std::unordered_map<std::string, std::string> drafts) {
    drafts_ = std::move(drafts);
  }
  void forget_draft(const std::string& conversation_id) { drafts_.erase(conversation_id); }
  const std::string& error() const { return error_; }
  const std::string& editing() const { return editing_id_; }
  // The text selected in a message (drag across it; Ctrl/Cmd+C copies), or "".
  std::string selection() const;
  // How many message layouts were made so far (tests: nothing is laid out twice).
  uint64_t layouts_made() const { return layouts_made_; }
  // For state(): message id → "Seen by …" as shown.
  const std::unordered_map<std::string, std::string>& receipts() const { return receipts_; }
  bool composer_focused() const { return composer_focused_; }
  // Whether typing reaches the app (platform::Window::has_keyboard). While it does not, the
  // composer lets go of the focus (no caret beside another field's) and takes it back when
  // the keyboard returns, caret where it was.
  void set_has_keyboard(bool has);
  // The message list's scroll position and its largest value (device px).
  double scroll() const { return window_.scroll(); }
  double max_scroll() const { return window_.max_scroll(); }
  // The code panel or table last scrolled sideways: how far, and how far it can go (device
  // px).
  float side_scroll() const { return side_scroll_last_; }
  float side_max_scroll() const { return side_max_scroll_last_; }
  // The header's totals line ("5,000 messages · 252,500 tokens · $1.23"), as last drawn.
  const std::string& header_detail() const { return header_detail_; }
  // Something moves on screen (typing dots): the app keeps drawing frames.
  bool animating() const { return animating_; }

  std::function<void(const std::string& url)> open_url;  // links (a new tab on the web)
  std::function<void()> show_sidebar;                    // the narrow layout's back button

 private:
  struct Row {
    std::shared_ptr<const Message> message;
    markdown::Document doc;
    markdown::Settled settled;  // while the reply streams: what of doc is final
    TextLayout text;
    float text_width = 0;  // what text was laid out at
    float height = 0;
    bool own = false;
    std::string meta;  // the muted line under the bubble
    uint64_t used = 0;
  };

  void draw_header(ImDrawList* draw, ImVec2 pos, float width, float height, bool narrow);
  void draw_messages(ImVec2 pos, ImVec2 size);
  // What a row offers besides Copy: the latest reply can be regenerated, the user's latest
  // message edited and sent again.
  enum RowActions { kRegenerate = 1, kEdit = 2 };
  void draw_row(ImDrawList* draw, Row& row, ImVec2 pos, float column, ImVec2 clip_min,
                ImVec2 clip_max, int actions);
  void start_edit(const Message& message, const std::string& reply_id);
  bool is_ai_chat() const;
  const std::string& display_name(const std::string& user_id) const;
  void update_receipts();
  void draw_typing(ImDrawList* draw, ImVec2 pos);
  void cancel_edit();
  bool submit(const std::string& text);  // the composer's Enter: send, or save the edit
  void draw_composer(ImDrawList* draw, ImVec2 pos, float width);
  void draw_welcome(ImDrawList* draw, ImVec2 pos, ImVec2 size);
  void open_settings(const Conversation& conversation);
  void draw_settings();
  Row& row_for(const std::shared_ptr<const Message>& message, float column);
  float estimate_height(const Message& message, float column) const;
  float composer_height() const;
  std::string& draft_slot();
  void collect_rows();

  Theme& theme_;
  sdk::ChatClient& chat_;
  Landmarks& landmarks_;
  std::string id_;
  sdk::ChatSync::Watch watch_;
  ListWindow window_;
  uint64_t list_version_ = 0;
  const sdk::MessageList* list_seen_ = nullptr;
  std::unordered_map<const Message*, Row> rows_;
  ConversationTotals header_totals_;  // what header_detail_ says
  std::string
      header_detail_;  // "12 messages · 1,234 tokens · $0.01", rebuilt when the totals change
  // The chat settings popup, and what it edits until Save.
  bool settings_open_ = false;
  bool open_settings_popup_ = false;
  ImVec2 settings_anchor_;
  std::string settings_model_;  // "" = the server's default
  float settings_temperature_ = 0.7f;
  bool settings_has_temperature_ = false;
  std::string settings_prompt_;
  sdk::QueryCache::Observer models_;  // GET /api/models, once the popup was opened
  uint64_t frame_ = 0;
  uint64_t theme_generation_ = 0;
  uint64_t layouts_made_ = 0;
  float column_ = 0;   // width of the message column last frame
  size_t unseen_ = 0;  // messages added while scrolled up
  std::unordered_map<std::string, std::string> drafts_;
  std::string error_;
  // Edit & resend: the message being edited in the composer, the reply to generate again,
  // and the draft the composer held before.
  std::string editing_id_;
  std::string editing_reply_id_;
  std::string draft_before_edit_;
  bool caret_to_end_ = false;  // the composer's next active frame puts the caret at the end
  // A selected range inside one message (offsets into its Document::text).
  std::string sel_id_;
  uint32_t sel_anchor_ = 0, sel_focus_ = 0;
  bool selecting_ = false;
  bool sel_started_ = false;                               // this frame
  std::unordered_map<std::string, std::string> receipts_;  // message id → "Seen by Ada"
  uint64_t receipts_version_ = UINT64_MAX;
  // How far each message's code panels and tables are scrolled sideways (by message id, as
  // a message's rows come and go while it streams and scrolls out of view). Bounded: when it
  // holds kMaxSideScrolls messages it starts again, and they go back to their start.
  static constexpr size_t kMaxSideScrolls = 256;
  std::unordered_map<std::string, std::vector<float>> side_scrolls_;
  float side_scroll_last_ = 0;
  float side_max_scroll_last_ = 0;
  bool focus_composer_ = false;
  bool animating_ = false;
  bool composer_focused_ = false;
  bool release_composer_ = false;  // open() came while the composer was active
  bool has_keyboard_ = true;
  bool refocus_on_keyboard_ = false;  // the composer had (or was to get) the focus when it left
  float composer_lines_ = 1;
};

}  // namespace imchat::ui
