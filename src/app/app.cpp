#include "app/app.h"

#include <chrono>
#include <random>

#include "protocol/json.h"

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
         platform::WebSocketClient& sockets, platform::LocalStore* store)
    : window_(window),
      http_(http),
      sockets_(sockets),
      client_(http, sdk::ClientOptions{.base_url = options.server_url}),
      chat_({http, sockets, store, monotonic_ms, uniform_random},
            sdk::ChatClientOptions{.base_url = options.server_url}),
      theme_(options.font_dir),
      view_(theme_, chat_),
      devtools_(theme_) {
  http_.set_wake([this] { window_.wake(); });
  sockets_.set_wake([this] { window_.wake(); });
  chat_.start();
}

void App::tick() {
  http_.poll();
  sockets_.poll();
  const int64_t now = monotonic_ms();
  client_.tick(now);
  chat_.tick();
  if (chat_.session().signed_in && conversations_.key().empty()) {
    conversations_ =
        chat_.cache().observe(sdk::conversations_key(), sdk::fetch_conversations(chat_.api(), {}));
  }
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
    view_.draw(client_);
    devtools_.draw(chat_, monotonic_ms());
    ++frames_;
    if (view_.animating()) window_.wake();  // the typing dots move
    return after_draw ? after_draw() : true;
  };
  hooks.after_render = std::move(after_render);
  return hooks;
}

std::string App::state_json() const {
  const sdk::ServerStatus& server = client_.server();
  protocol::Json state = {{"connection", sdk::to_string(server.state)},
                          {"serverVersion", server.version},
                          {"lastError", server.last_error},
                          {"frames", frames_},
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
  state["theme"] = "dark";
  protocol::Json conversations = protocol::Json::array();
  if (const auto page = chat_.cache().data<Page<ConversationSummary>>(sdk::conversations_key())) {
    for (const ConversationSummary& row : page->data) {
      conversations.push_back({{"id", row.conversation.id},
                               {"title", row.conversation.title},
                               {"unread", row.unread_count}});
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
        if (m->metadata && m->metadata->usage) {
          row["tokens"] = m->metadata->usage->total_tokens;
          row["model"] = m->metadata->model.value_or("");
        }
        messages.push_back(std::move(row));
      }
    }
  }
  state["messages"] = std::move(messages);
  return protocol::dump_json(state);
}

}  // namespace imchat::app
