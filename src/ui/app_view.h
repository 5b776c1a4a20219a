// AppView: the whole window — sidebar and chat pane side by side, or below 720 logical px
// one at a time (the sidebar as a drawer with a back button) — drawn every frame from
// what the SDK holds. No networking and no platform calls here: the views read the SDK and
// act through it. The actions a user takes are also methods, so window.imchat.* and the
// native test hooks do exactly what a click or a keypress does.
#pragma once

#include <functional>
#include <string>

#include "sdk/chat_client.h"
#include "sdk/client.h"
#include "ui/chat_view.h"
#include "ui/sidebar.h"
#include "ui/sign_in_view.h"
#include "ui/theme.h"

namespace imchat::ui {

// What a user sets for the whole app (kept by the entry point across reloads).
struct AppSettings {
  bool light = false;         // theme
  float text_size = 15;       // body text in logical px: 14, 15 or 17 from the menu
  float sidebar_width = 272;  // logical px; the divider beside the sidebar drags it
  bool operator==(const AppSettings&) const = default;
};

class AppView {
 public:
  AppView(Theme& theme, sdk::ChatClient& chat);

  void draw(const sdk::Client& client);

  // What a user can do.
  void new_conversation();
  void open(const std::string& conversation_id);
  bool send(const std::string& text) { return chat_view_.send(text); }

  const ChatView& chat_view() const { return chat_view_; }
  ChatView& chat_view() { return chat_view_; }
  void restore_drafts(std::unordered_map<std::string, std::string> drafts) {
    chat_view_.restore_drafts(std::move(drafts));
  }
  const Landmarks& landmarks() const { return landmarks_; }
  bool drawer_open() const { return drawer_; }
  bool animating() const { return chat_view_.animating() || sign_in_.settling(); }
  // "sign_in" | "home" | "chat" | "list" (the narrow drawer)
  const std::string& route() const;
  const SignInView& sign_in_view() const { return sign_in_; }
  void set_open_url(std::function<void(const std::string&)> open_url) {
    chat_view_.open_url = std::move(open_url);
  }

  // Theme and text size: take effect at the next frame.
  void apply_settings(const AppSettings& settings);
  const AppSettings& settings() const { return settings_; }
  std::function<void(const AppSettings&)> on_settings_changed;  // the user changed them
  std::function<void(const std::string& id)> on_deleted;        // the user deleted a conversation

  // Below this logical width the sidebar would crowd the chat; it becomes a drawer.
  static constexpr float kNarrowWidth = 720;
  // How far the sidebar can be dragged (logical px); the chat keeps at least kMinChatWidth.
  static constexpr float kSidebarMin = 220, kSidebarMax = 420, kSidebarDefault = 272;
  static constexpr float kMinChatWidth = 420;

 private:
  bool signing_in_screen() const {
    return chat_.session().needs_sign_in && !chat_.session().signed_in;
  }
  void draw_panes(const sdk::Client& client, float width, float height);
  void draw_status(const sdk::ServerStatus& status, ImVec2 pos, float max_width, bool align_right);
  void draw_settings_button(ImVec2 pos, float size);
  void draw_settings();
  // The strip on the sidebar's edge that drags its width (double-click: the default).
  void draw_sidebar_divider(float x, float height);

  Theme& theme_;
  sdk::ChatClient& chat_;
  Landmarks landmarks_;  // before the views, which hold a reference
  Sidebar sidebar_;
  ChatView chat_view_;
  SignInView sign_in_;
  bool drawer_ = true;  // narrow layout: the list is showing
  bool creating_ = false;
  bool narrow_ = false;
  AppSettings settings_;
  bool open_settings_ = false;
  ImVec2 settings_anchor_;
};

}  // namespace imchat::ui
