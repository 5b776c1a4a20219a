// AppView: the whole window — sidebar, chat pane, status — drawn every frame from what the
// SDK holds. No networking and no platform calls here: the view only reads.
#pragma once

#include <cstdint>

#include "sdk/client.h"
#include "ui/theme.h"

namespace imchat::ui {

class AppView {
 public:
  explicit AppView(Theme& theme) : theme_(theme) {}

  void draw(const sdk::Client& client);

  // Below this logical width the sidebar would crowd the chat; it collapses.
  static constexpr float kNarrowWidth = 720;

 private:
  void draw_sidebar(const sdk::Client& client, float width, float height);
  void draw_chat_pane(const sdk::Client& client, float x, float width, float height,
                      bool show_status);
  void draw_status(const sdk::ServerStatus& status, ImVec2 pos, float max_width, bool align_right);

  Theme& theme_;
};

}  // namespace imchat::ui
