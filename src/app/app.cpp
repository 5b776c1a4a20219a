#include "app/app.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>

#include <imgui.h>

#include "protocol/json.h"
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

namespace {

constexpr const char* kSettingsKey = "imchat.settings";
constexpr const char* kLastOpenKey = "imchat.last";
constexpr const char* kDraftsKey = "imchat.drafts";
constexpr size_t kMaxDrafts = 50;

// Device pixels per CSS pixel, for what state() reports in CSS pixels.
double scale_of(const ui::Theme& theme) {
  return theme.scale() > 0 ? theme.scale() : 1;
}

}  // namespace

App::App(AppOptions options, platform::Window& window, platform::HttpClient& http,
         platform::WebSocketClient& sockets, platform::LocalStore* store, platform::Page& page)
    : window_(window),
      http_(http),
      sockets_(sockets),
      store_(store),
      account_store_(store ? std::make_unique<sdk::ScopedStore>(*store, options.store_scope)
                           : nullptr),
      page_(page),
      page_events_(page),
      client_(http, sdk::ClientOptions{.base_url = options.server_url}),
      chat_({http, sockets, account_store_.get(), monotonic_ms, uniform_random},
            sdk::ChatClientOptions{.base_url = options.server_url}),
      theme_(options.font_dir),
      view_(theme_, chat_),
      devtools_(theme_) {
  // Theme and text size, as the user left them (else as the page's configuration says).
  ui::AppSettings initial;
  initial.light = options.theme == "light";
  view_.apply_settings(initial);
  if (store_) {
    if (const auto saved = store_->get(kSettingsKey)) {
      ui::AppSettings settings = initial;
      if (auto json = protocol::parse_json(*saved); json && json->is_object()) {
        // Whatever is stored is read defensively: a bad value keeps the default.
        if (const auto theme = json->find("theme"); theme != json->end() && theme->is_string())
          settings.light = *theme == "light";
        if (const auto size = json->find("textSize"); size != json->end() && size->is_number())
          settings.text_size = size->get<float>();
        if (const auto w = json->find("sidebarWidth"); w != json->end() && w->is_number())
          settings.sidebar_width = w->get<float>();
      }
      view_.apply_settings(settings);
    }
  }
  // A deleted conversation's draft goes with it.
  view_.on_deleted = [this](const std::string& id) {
    if (account_store_ && saved_drafts_.erase(id))
      write_drafts(view_.chat_view().conversation_id());
  };
  view_.on_settings_changed = [this](const ui::AppSettings& settings) {
    if (store_) {
      store_->set(kSettingsKey, protocol::dump_json({{"theme", settings.light ? "light" : "dark"},
                                                     {"textSize", settings.text_size},
                                                     {"sidebarWidth", settings.sidebar_width}}));
    }
    window_.wake();
  };
  theme_.set_touch(options.touch);
  theme_.stage_fonts();
  restore_drafts();
  pending_open_ = options.conversation;
  if (pending_open_.empty() && account_store_)
    pending_open_ = account_store_->get(kLastOpenKey).value_or("");
  last_open_ = pending_open_;
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

// Drafts are kept per conversation as {"id": "text"}; a damaged entry is skipped.
void App::restore_drafts() {
  if (!account_store_) return;
  const auto saved = account_store_->get(kDraftsKey);
  if (!saved) return;
  auto json = protocol::parse_json(*saved);
  if (!json || !json->is_object()) return;
  std::unordered_map<std::string, std::string> drafts;
  for (const auto& [id, text] : json->items())
    if (text.is_string()) drafts[id] = text.get<std::string>();
  saved_drafts_ = drafts;
  view_.restore_drafts(std::move(drafts));
}

// After each frame: what the user typed and where they are survive a reload.
void App::save_view_state() {
  if (!account_store_) return;
  const ui::ChatView& chat_view = view_.chat_view();
  const std::string& open = chat_view.conversation_id();
  if (pending_open_.empty() && open != last_open_) {
    last_open_ = open;
    if (open.empty())
      account_store_->remove(kLastOpenKey);
    else
      account_store_->set(kLastOpenKey, open);
  }
  if (open.empty()) return;
  const std::string& draft = chat_view.draft();
  const auto saved = saved_drafts_.find(open);
  if (saved == saved_drafts_.end() ? draft.empty() : saved->second == draft) return;
  if (draft.empty())
    saved_drafts_.erase(open);
  else
    saved_drafts_[open] = draft;
  write_drafts(open);
}

// The drafts as {"id": "text"}, at most kMaxDrafts (the open chat's always among them).
void App::write_drafts(const std::string& open) {
  protocol::Json json = protocol::Json::object();
  for (const auto& [id, text] : saved_drafts_) {
    if (json.size() >= kMaxDrafts && id != open) continue;
    json[id] = text;
  }
  account_store_->set(kDraftsKey, protocol::dump_json(json));
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
  const sdk::ServerStatus& server = client_.server();
  protocol::Json state = {{"connection", sdk::to_string(server.state)},
                          {"serverVersion", server.version},
                          {"lastError", server.last_error},
                          {"frames", frames_},
                          {"frameTimes", frame_times()},
                          {"pixelRatio", theme_.scale()},
                          {"fontError", theme_.fonts().load_error},
                          {"realtime", sdk::to_string(chat_.realtime().status().state)},
                          {"user", chat_.session().user.id},
                          {"queries", chat_.cache().size()},
                          {"outbox", chat_.sync().outbox().size()},
                          {"devtools", devtools_.open()}};
  // What the screen shows, for tests and (later) the embedding page.
  const ui::ChatView& chat_view = view_.chat_view();
  state["route"] = view_.route();
  state["open"] = chat_view.conversation_id();
  state["composer"] = chat_view.draft();
  state["composerError"] = chat_view.error();
  state["composerFocused"] = chat_view.composer_focused();
  state["editing"] = chat_view.editing();
  state["selection"] = chat_view.selection();  // the message being edited in the composer, or ""
  state["textInput"] = ImGui::GetIO().WantTextInput;  // some text field has the keyboard
  state["theme"] = view_.settings().light ? "light" : "dark";
  state["textSize"] = view_.settings().text_size;
  state["sidebarWidth"] = view_.settings().sidebar_width;
  state["touch"] = theme_.touch();
  state["headerDetail"] = chat_view.header_detail();
  state["scroll"] = {chat_view.scroll() / scale_of(theme_),
                     chat_view.max_scroll() / scale_of(theme_)};
  state["sideScroll"] = {chat_view.side_scroll() / scale_of(theme_),
                         chat_view.side_max_scroll() / scale_of(theme_)};
  protocol::Json conversations = protocol::Json::array();
  if (const auto page = chat_.cache().data<Page<ConversationSummary>>(sdk::conversations_key())) {
    for (const ConversationSummary& row : page->data) {
      protocol::Json entry = {{"id", row.conversation.id},
                              {"title", row.conversation.title},
                              {"unread", row.unread_count},
                              {"model", row.conversation.model.value_or("")},
                              {"systemPrompt", row.conversation.system_prompt.value_or("")}};
      if (row.conversation.temperature) entry["temperature"] = *row.conversation.temperature;
      conversations.push_back(std::move(entry));
    }
  }
  state["conversations"] = std::move(conversations);
  protocol::Json messages = protocol::Json::array();
  if (!chat_view.conversation_id().empty()) {
    if (const auto list = chat_.sync().messages(chat_view.conversation_id())) {
      for (const auto& m : list->items) {
        protocol::Json row = {{"id", m->id},
                              {"role", std::string(to_string(m->role))},
                              {"status", std::string(to_string(m->status))},
                              {"delivery", sdk::to_string(chat_.sync().delivery(*m))},
                              {"content", m->content}};
        if (const auto seen = chat_view.receipts().find(m->id); seen != chat_view.receipts().end())
          row["seen"] = seen->second;
        if (m->metadata && m->metadata->usage) {
          row["tokens"] = m->metadata->usage->total_tokens;
          row["model"] = m->metadata->model.value_or("");
        }
        messages.push_back(std::move(row));
      }
    }
  }
  state["messages"] = std::move(messages);
  // The open chat's events are flowing (its subscription is confirmed on this connection).
  state["live"] = !chat_view.conversation_id().empty() &&
                  chat_.realtime().confirmed(sdk::message_channel(chat_view.conversation_id()));
  state["typing"] = chat_view.conversation_id().empty()
                        ? std::vector<std::string>{}
                        : chat_.sync().typing(chat_view.conversation_id());
  // Where the controls are, in CSS pixels: {"new_chat": [x, y, width, height], …}.
  protocol::Json landmarks = protocol::Json::object();
  const float scale = theme_.scale() > 0 ? theme_.scale() : 1;
  view_.landmarks().for_each([&](const std::string& name, const ui::Landmark& mark) {
    landmarks[name] = {mark.min.x / scale, mark.min.y / scale, (mark.max.x - mark.min.x) / scale,
                       (mark.max.y - mark.min.y) / scale};
  });
  state["landmarks"] = std::move(landmarks);
  return protocol::dump_json(state);
}

}  // namespace imchat::app
