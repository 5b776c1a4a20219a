// ChatSettings: the chat's settings popup — model (from the server's catalogue, by
// provider; those this server cannot use shown greyed with the reason), temperature and
// system prompt. It edits a copy and saves it with one PATCH; Escape or a click outside
// leaves the chat as it was. ChatView opens it from the header's model button.
#pragma once

#include <functional>
#include <string>

#include <imgui.h>

#include "sdk/chat_client.h"
#include "ui/landmarks.h"
#include "ui/theme.h"

namespace imchat::ui {

class ChatSettings {
 public:
  ChatSettings(Theme& theme, sdk::ChatClient& chat, Landmarks& landmarks)
      : theme_(theme), chat_(chat), landmarks_(landmarks) {}

  // Opens on the conversation's settings as they are now (the models load the first time).
  void open(const Conversation& conversation);
  // Where the popup hangs from: its top-right corner, under the button that opens it.
  void set_anchor(ImVec2 anchor) { anchor_ = anchor; }
  bool is_open() const { return open_; }
  // Each frame, inside the chat's window: the popup while it is open.
  void draw(const std::string& conversation_id);

  std::function<void(const std::string& message)> on_error;  // a save that failed

 private:
  Theme& theme_;
  sdk::ChatClient& chat_;
  Landmarks& landmarks_;
  bool open_ = false;
  bool open_popup_ = false;  // open() came: the popup opens on the next draw
  ImVec2 anchor_;
  // What the popup edits until Save.
  std::string model_;  // "" = the server's default
  float temperature_ = 0.7f;
  bool has_temperature_ = false;
  std::string prompt_;
  sdk::QueryCache::Observer models_;  // GET /api/models, once the popup was opened
};

}  // namespace imchat::ui
