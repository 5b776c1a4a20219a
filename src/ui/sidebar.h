// Sidebar: the conversation list — newest activity first, a search box that filters as
// you type, New chat, and per row the title, a preview of the last message, its age and
// the unread count. Right-click (or the row's ⋯) renames inline or deletes after a
// confirmation. Reads the SDK's cached list; acts through ChatSync's mutations.
#pragma once

#include <functional>
#include <string>

#include <imgui.h>

#include "sdk/chat_client.h"
#include "ui/landmarks.h"
#include "ui/theme.h"

namespace imchat::ui {

class Sidebar {
 public:
  Sidebar(Theme& theme, sdk::ChatClient& chat, Landmarks& landmarks)
      : theme_(theme), chat_(chat), landmarks_(landmarks) {}

  // selected: the open conversation's id. Draws the status block at the bottom through
  // draw_status (the caller knows the server's state).
  void draw(ImVec2 pos, ImVec2 size, const std::string& selected);

  std::function<void()> on_new_chat;
  std::function<void(const std::string& id)> on_open;
  std::function<void(const std::string& id)> on_deleted;
  std::function<void(ImVec2 pos, float width)> draw_status;

 private:
  void draw_row(ImDrawList* draw, const ConversationSummary& row, ImVec2 pos, float width,
                bool selected);
  void draw_delete_confirmation();

  Theme& theme_;
  sdk::ChatClient& chat_;
  Landmarks& landmarks_;
  std::string search_;
  std::string renaming_;  // id of the row whose title is being edited
  std::string rename_text_;
  bool focus_rename_ = false;
  std::string deleting_;  // id waiting for the confirmation
  std::string deleting_title_;
};

}  // namespace imchat::ui
