// Composer: the box a message is written in, under the conversation — one draft per
// conversation (kept across reloads by the entry point), Enter to send and Shift+Enter for
// a new line, Send or Stop, growing to eight lines, "… is typing" sent to the others in a
// people chat, and edit & resend of the user's latest message. The note under it says
// what went wrong last (error()). It sends through hooks: ChatView decides what sending is.
#pragma once

#include <functional>
#include <string>
#include <unordered_map>

#include <imgui.h>

#include "sdk/chat_client.h"
#include "ui/landmarks.h"
#include "ui/theme.h"

namespace imchat::ui {

class Composer {
 public:
  Composer(Theme& theme, sdk::ChatClient& chat, Landmarks& landmarks)
      : theme_(theme), chat_(chat), landmarks_(landmarks) {}

  // Another conversation (or none): an edit in progress gives the draft back to the chat it
  // belongs to, and the box takes the keyboard in the new one.
  void open(const std::string& conversation_id);
  // Whether typing reaches the app (platform::Window::has_keyboard). While it does not, the
  // box lets go of the focus (no caret beside another field's) and takes it back when the
  // keyboard returns, caret where it was.
  void set_has_keyboard(bool has);

  // Edit & resend: the message's text goes into the box (the draft waits), Enter saves it
  // and, with reply_id, has that reply written again.
  void start_edit(const Message& message, const std::string& reply_id);
  void cancel_edit();

  // Its height this frame (it grows with its lines; the edit banner adds a line).
  float height() const;
  // Draws it at pos, the width of the chat; ai_chat: no typing frames; replying: Stop
  // instead of Send.
  void draw(ImDrawList* draw, ImVec2 pos, float width, bool ai_chat, bool replying);

  const std::string& draft() const;
  // Unsent text per conversation, as a reload left it (the entry point keeps them).
  const std::unordered_map<std::string, std::string>& drafts() const { return drafts_; }
  void restore_drafts(std::unordered_map<std::string, std::string> drafts) {
    drafts_ = std::move(drafts);
  }
  void forget_draft(const std::string& conversation_id) { drafts_.erase(conversation_id); }
  const std::string& editing() const { return editing_id_; }
  bool focused() const { return composer_focused_; }
  const std::string& error() const { return error_; }
  void set_error(std::string message) { error_ = std::move(message); }

  // Enter or Send with text: true when it was sent (the box empties).
  std::function<bool(const std::string& text)> send;
  std::function<void()> stop;    // Stop, or Escape, while a reply is being written
  std::function<void()> edited;  // an edit was saved

 private:
  bool submit(const std::string& text);  // Enter: send, or save the edit
  std::string& draft_slot();

  Theme& theme_;
  sdk::ChatClient& chat_;
  Landmarks& landmarks_;
  std::string id_;
  std::unordered_map<std::string, std::string> drafts_;
  std::string error_;
  // Edit & resend: the message being edited, the reply to generate again, and the draft the
  // box held before.
  std::string editing_id_;
  std::string editing_reply_id_;
  std::string draft_before_edit_;
  bool caret_to_end_ = false;  // the next active frame puts the caret at the end
  bool focus_composer_ = false;
  bool composer_focused_ = false;
  bool release_composer_ = false;  // open() came while the box was active
  bool has_keyboard_ = true;
  bool refocus_on_keyboard_ = false;  // it had (or was to get) the focus when it left
  float composer_lines_ = 1;
};

}  // namespace imchat::ui
