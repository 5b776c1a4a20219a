#include "app/app.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>

#include <imgui.h>

#include "app/state_json.h"
#include "ui/draw_util.h"

namespace imchat::app {

int64_t monotonic_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

double uniform_random() {
  static std::mt19937_64 generator{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(generator);
}

App::App(AppOptions options, platform::Window& window, platform::HttpClient& http,
         platform::WebSocketClient& sockets, platform::LocalStore* store, platform::Page& page)
    : window_(window),
      http_(http),
      sockets_(sockets),
      account_store_(store ? std::make_unique<sdk::ScopedStore>(*store, options.store_scope)
                           : nullptr),
      page_(page),
      page_events_(page),
      saved_(store, account_store_.get()),
      client_(http, sdk::ClientOptions{.base_url = options.server_url}),
      chat_({http, sockets, account_store_.get(), monotonic_ms, uniform_random},
            sdk::ChatClientOptions{.base_url = options.server_url}),
      theme_(options.font_dir),
      view_(theme_, chat_),
      devtools_(theme_) {
  // Theme and text size, as the user left them (else as the page's configuration says).
  ui::AppSettings initial;
  initial.light = options.theme == "light";
  view_.apply_settings(saved_.settings(initial));
  // A deleted conversation's draft goes with it.
  view_.on_deleted = [this](const std::string& id) {
    saved_.forget_draft(id, view_.chat_view().conversation_id());
  };
  view_.on_settings_changed = [this](const ui::AppSettings& settings) {
    saved_.save_settings(settings);
    window_.wake();
  };
  theme_.set_touch(options.touch);
  theme_.stage_fonts();
  view_.restore_drafts(saved_.load_drafts());
  pending_open_ = options.conversation;
  if (pending_open_.empty()) pending_open_ = saved_.last_open();
  saved_.starting_at(pending_open_);
  http_.set_wake([this] { window_.wake(); });
  // Socket events are mostly a streaming reply's words, which need not be drawn faster than
  // they can be read: paced. What the user did (input) and HTTP answers draw at once.
  sockets_.set_wake([this] { window_.wake_paced(); });
  if (!options.token_from_host) chat_.start();
}

void App::set_token(const std::string& token) {
  if (!token.empty()) chat_.sign_in_with_token(token);
  window_.wake();
}

void App::set_theme(const std::string& theme) {
  if (theme != "light" && theme != "dark") return;
  ui::AppSettings settings = view_.settings();
  settings.light = theme == "light";
  view_.apply_settings(settings);
  window_.wake();
}

std::string App::selected_text() const {
  std::string field = ui::active_field_selection();
  return field.empty() ? view_.chat_view().selection() : field;
}

// After each frame: what the user typed and where they are survive a reload.
void App::save_view_state() {
  const ui::ChatView& chat_view = view_.chat_view();
  // While the chat asked for at start waits to open, the one remembered stays.
  if (pending_open_.empty()) saved_.remember_open(chat_view.conversation_id());
  saved_.remember_draft(chat_view.conversation_id(), chat_view.draft());
}

void App::tick() {
  http_.poll();
  sockets_.poll();
  const int64_t now = monotonic_ms();
  client_.tick(now);
  chat_.tick();
  if (chat_.session().signed_in && conversations_.key().empty()) {
    conversations_ =
        chat_.cache().observe(sdk::conversations_key(), chat_.sync().fetch_conversations({}));
  }
  // The conversation asked for at start (the address, the embedding page, or last time's)
  // opens once there is a session to read it with.
  if (!pending_open_.empty() && chat_.session().signed_in) {
    view_.open(std::exchange(pending_open_, {}));
    window_.wake();
  }
  page_events_.update(
      chat_, {.open = pending_open_.empty() ? view_.chat_view().conversation_id() : pending_open_,
              .error = view_.chat_view().error(),
              .drawn = frames_ > 0});
}

std::optional<int64_t> App::next_deadline_ms() const {
  return chat_.next_deadline_ms();
}

platform::FrameHooks App::hooks(std::function<bool()> after_draw,
                                std::function<void()> after_render) {
  platform::FrameHooks hooks;
  hooks.tick = [this] { tick(); };
  hooks.prepare = [this](float ratio) { return theme_.apply(ratio); };
  hooks.draw = [this, after_draw = std::move(after_draw)] {
    const auto start = std::chrono::steady_clock::now();
    view_.chat_view().set_has_keyboard(window_.has_keyboard());
    view_.draw(client_);
    devtools_.draw(chat_, monotonic_ms());
    frame_ms_[frames_ % frame_ms_.size()] =
        std::chrono::duration<float, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (++frames_ == 1) page_.shown();
    if (view_.animating()) window_.wake();  // the typing dots move
    save_view_state();
    return after_draw ? after_draw() : true;
  };
  hooks.after_render = std::move(after_render);
  return hooks;
}

// The last frames' UI times, oldest first, in ms rounded to µs.
std::vector<double> App::frame_times() const {
  std::vector<double> times;
  const uint64_t n = std::min<uint64_t>(frames_, frame_ms_.size());
  for (uint64_t i = frames_ - n; i < frames_; ++i)
    times.push_back(std::round(frame_ms_[i % frame_ms_.size()] * 1000.0) / 1000.0);
  return times;
}

std::string App::state_json() const {
  return app::state_json(StateSources{.client = client_,
                                      .chat = chat_,
                                      .theme = theme_,
                                      .view = view_,
                                      .devtools = devtools_,
                                      .frames = frames_,
                                      .frame_times = frame_times()});
}

}  // namespace imchat::app
