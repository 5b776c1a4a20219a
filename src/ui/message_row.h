// MessageRows: what one message looks like, and the cache of their layouts. A row is laid
// out once per (message version, width) — a reply that grows at its end parses and lays
// out only what follows its settled part — and kept while it is on screen. Painting a row
// draws the bubble (avatar, rich text with selection and sideways scrolling, links, code
// Copy buttons), the line under it (time, delivery, cost, "Seen by") and its actions.
// ChatView decides which rows are visible and where; this decides how each one looks.
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
#include "ui/rich_text.h"
#include "ui/theme.h"

namespace imchat::ui {

// How a message's text looks: fonts and colours for its bubble (own messages sit on the
// primary colour). The benchmark lays replies out with it too.
RichTextStyle message_text_style(const Theme& theme, bool own);

class MessageRows {
 public:
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
  // What a row offers besides Copy: the latest reply can be regenerated, the user's latest
  // message edited and sent again.
  enum Actions { kRegenerate = 1, kEdit = 2 };
  // What painting a row needs of the conversation around it.
  struct Context {
    const std::unordered_map<std::string, std::string>* receipts = nullptr;  // id → "Seen by …"
    std::function<const std::string&(const std::string& user_id)> name_of;   // for initials
    std::string_view editing_id;  // the message in the composer (it offers no Edit)
  };

  MessageRows(Theme& theme, sdk::ChatClient& chat, Landmarks& landmarks)
      : theme_(theme), chat_(chat), landmarks_(landmarks) {}

  // Another conversation: no row of the last one is kept.
  void clear() { rows_.clear(); }
  // Before the frame's rows: layouts made with fonts and colours that are gone are dropped.
  void begin_frame();
  // After them: rows not used for two frames go (they scrolled away, or were replaced).
  void end_frame();

  // The message laid out for the column: cached, redone only when it or the width changed.
  Row& layout(const std::shared_ptr<const Message>& message, float column);
  // A row's height before it was ever laid out (from the text's length).
  float estimate_height(const Message& message, float column) const;
  // Paints a row at pos (its top-left, the column's left edge), inside the list's window.
  void draw(ImDrawList* draw, Row& row, ImVec2 pos, float column, ImVec2 clip_min, ImVec2 clip_max,
            int actions, const Context& context);
  // After the rows: a selection ends with the button, goes with a click elsewhere, and
  // Ctrl/Cmd+C copies it.
  void finish_selection();

  // The text selected in a message (drag across it), or "".
  std::string selection() const;
  // How many message layouts were made so far (tests: nothing is laid out twice).
  uint64_t layouts_made() const { return layouts_made_; }
  // The code panel or table last scrolled sideways: how far, and how far it can go.
  float side_scroll() const { return side_scroll_last_; }
  float side_max_scroll() const { return side_max_scroll_last_; }
  // A row painted this frame moves on its own (the typing dots of a reply not yet begun).
  bool animating() const { return animating_; }

  std::function<void(const std::string& url)> open_url;  // a link clicked
  // Edit pressed on the user's latest message; reply_id: the reply after it, to redo.
  std::function<void(const Message& message, const std::string& reply_id)> edit;
  std::function<void(const std::string& message)> on_error;  // an action that failed

 private:
  Theme& theme_;
  sdk::ChatClient& chat_;
  Landmarks& landmarks_;
  std::unordered_map<const Message*, Row> rows_;
  uint64_t frame_ = 0;
  uint64_t theme_generation_ = 0;
  uint64_t layouts_made_ = 0;
  bool animating_ = false;
  // A selected range inside one message (offsets into its Document::text).
  std::string sel_id_;
  uint32_t sel_anchor_ = 0, sel_focus_ = 0;
  bool selecting_ = false;
  bool sel_started_ = false;  // this frame
  // How far each message's code panels and tables are scrolled sideways (by message id, as
  // a message's rows come and go while it streams and scrolls out of view). Bounded: when it
  // holds kMaxSideScrolls messages it starts again, and they go back to their start.
  static constexpr size_t kMaxSideScrolls = 256;
  std::unordered_map<std::string, std::vector<float>> side_scrolls_;
  float side_scroll_last_ = 0;
  float side_max_scroll_last_ = 0;
};

}  // namespace imchat::ui
