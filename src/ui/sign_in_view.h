// SignInView: the screen shown while there is no session and the server allows no guests —
// sign in with email and password, create an account (name, email, password), or continue
// as a guest when the server allows it. Enter submits from any field, Tab moves between
// them, the password is masked and can be shown, paste works everywhere (a canvas gets no
// help from the browser's password manager: docs/hosting.md says so). Errors are the
// server's words, shown inline; a wrong password and an unknown email read the same.
#pragma once

#include <string>

#include <imgui.h>

#include "sdk/chat_client.h"
#include "ui/landmarks.h"
#include "ui/theme.h"

namespace imchat::ui {

class SignInView {
 public:
  SignInView(Theme& theme, sdk::ChatClient& chat, Landmarks& landmarks)
      : theme_(theme), chat_(chat), landmarks_(landmarks) {}

  void draw(ImVec2 pos, ImVec2 size);
  bool creating_account() const { return create_; }
  // Another frame is needed: the card was placed on a height that changed, or a field is
  // taking the keyboard.
  bool settling() const { return settling_; }
  // The error shown under the fields: a check made here, else the SDK's.
  const std::string& error() const;

 private:
  bool field(const char* label, const char* id, std::string& text, float width, int flags,
             const char* landmark);
  void field_label(const char* text);
  bool input(const char* id, std::string& text, int flags);
  void submit();

  Theme& theme_;
  sdk::ChatClient& chat_;
  Landmarks& landmarks_;
  bool create_ = false;  // "Create account" instead of "Sign in"
  bool reveal_ = false;  // the password shown
  enum class Field { kNone, kFirst, kName, kEmail, kPassword };
  Field focus_ = Field::kFirst;  // takes the keyboard at the next frame
  bool waiting_ = false;         // a sign-in was sent; its answer decides the focus
  int focus_frames_ = 0;         // frames still to draw for a focus change to land
  float card_height_ = 0;        // as measured last frame
  bool settling_ = false;
  std::string name_, email_, password_;
  std::string local_error_;  // a check made before asking the server
};

}  // namespace imchat::ui
