// App: wires a Window, an HttpClient, the SDK and the views together. Shared by the web
// and native entry points (main_web.cpp, main_native.cpp), which add only what differs.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "app/app_options.h"
#include "app/page_events.h"
#include "app/saved_state.h"
#include "platform/http_client.h"
#include "platform/local_store.h"
#include "platform/page.h"
#include "platform/websocket.h"
#include "platform/window.h"
#include "sdk/chat_client.h"
#include "sdk/client.h"
#include "sdk/scoped_store.h"
#include "ui/app_view.h"
#include "ui/query_devtools.h"
#include "ui/theme.h"

namespace imchat::app {

class App {
 public:
  // The transports and the store belong to the entry point (they outlive the App).
  App(AppOptions options, platform::Window& window, platform::HttpClient& http,
      platform::WebSocketClient& sockets, platform::LocalStore* store, platform::Page& page);

  // Frame hooks for Window::run; extra_draw runs after the views (test hooks, screenshots).
  platform::FrameHooks hooks(std::function<bool()> after_draw = {},
                             std::function<void()> after_render = {});

  // What the app shows, as JSON: the contract of window.imchat.state() and of the native
  // test's state file. {"connection","serverVersion","lastError","frames","frameTimes" (ms,
  // the last 60 frames' UI work),"pixelRatio","fontError","realtime","user","queries","outbox",
  // "devtools","route","open","composer","composerError","composerFocused","editing","selection","textInput",
  // "theme","textSize","sidebarWidth" (logical px),"touch","scroll":[offset,max] (CSS px),
  // "conversations":[{id,title,unread,model,systemPrompt,temperature?}],
  // "messages":[{id,role,status,delivery,content,tokens?,model?,seen?}],"typing":[user ids],"live",
  // "landmarks":{name:[x,y,width,height]} (CSS px; ui/landmarks.h)}
  std::string state_json() const;
  std::vector<double> frame_times() const;

  // Transports and SDK timers, without drawing: the loop's tick, and on the web a timer
  // that keeps the SDK alive while the tab is hidden (no animation frames then).
  void tick();
  // When tick() next has work (ms on monotonic_ms()'s clock); nullopt: nothing scheduled.
  std::optional<int64_t> next_deadline_ms() const;
  // The page became visible again or the network came back.
  void on_visible() { chat_.on_visible(); }
  void set_devtools(bool open) { devtools_.set_open(open); }
  // The embedding page's session token (kept in memory only); "" signs out of it.
  void set_token(const std::string& token);
  // "dark" | "light", as the settings menu would.
  void set_theme(const std::string& theme);
  // What Ctrl/Cmd+C copies now: the active text field's selection, else a message's.
  std::string selected_text() const;
  // What a user can do (window.imchat.newConversation/open/send; native test hooks).
  ui::AppView& view() { return view_; }

  const sdk::Client& client() const { return client_; }
  sdk::ChatClient& chat() { return chat_; }
  uint64_t frames() const { return frames_; }

 private:
  void save_view_state();

  platform::Window& window_;
  platform::HttpClient& http_;
  platform::WebSocketClient& sockets_;
  std::unique_ptr<sdk::ScopedStore> account_store_;  // token, outbox, drafts: the server's
  platform::Page& page_;
  PageEvents page_events_;
  SavedState saved_;          // settings, the last open chat, drafts
  std::string pending_open_;  // to open once signed in
  sdk::Client client_;
  sdk::ChatClient chat_;
  ui::Theme theme_;
  ui::AppView view_;
  ui::QueryDevtools devtools_;
  // The conversation list, kept current while signed in (the sidebar's data).
  sdk::QueryCache::Observer conversations_;
  uint64_t frames_ = 0;
  // CPU time of the last frames' UI work (building the ImGui frame), in ms, as a ring.
  std::array<float, 60> frame_ms_{};
};

int64_t monotonic_ms();

}  // namespace imchat::app
