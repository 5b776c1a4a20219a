// state_json (state_json.h): the page's and the tests' view of what is on screen.
#include "app/state_json.h"

#include <imgui.h>

#include "protocol/json.h"

namespace imchat::app {
namespace {

// Device pixels per CSS pixel, for what state() reports in CSS pixels.
double scale_of(const ui::Theme& theme) {
  return theme.scale() > 0 ? theme.scale() : 1;
}

}  // namespace

std::string state_json(const StateSources& in) {
  const sdk::ServerStatus& server = in.client.server();
  protocol::Json state = {{"connection", sdk::to_string(server.state)},
                          {"serverVersion", server.version},
                          {"lastError", server.last_error},
                          {"frames", in.frames},
                          {"frameTimes", in.frame_times},
                          {"pixelRatio", in.theme.scale()},
                          {"fontError", in.theme.fonts().load_error},
                          {"realtime", sdk::to_string(in.chat.realtime().status().state)},
                          {"user", in.chat.session().user.id},
                          {"queries", in.chat.cache().size()},
                          {"outbox", in.chat.sync().outbox().size()},
                          {"devtools", in.devtools.open()}};
  // What the screen shows, for tests and (later) the embedding page.
  const ui::ChatView& chat_view = in.view.chat_view();
  state["route"] = in.view.route();
  state["signInError"] = in.view.sign_in_view().error();
  state["signInMode"] = in.view.sign_in_view().creating_account() ? "create" : "sign_in";
  state["open"] = chat_view.conversation_id();
  state["composer"] = chat_view.draft();
  state["composerError"] = chat_view.error();
  state["composerFocused"] = chat_view.composer_focused();
  state["editing"] = chat_view.editing();
  state["selection"] = chat_view.selection();  // the message being edited in the composer, or ""
  state["textInput"] = ImGui::GetIO().WantTextInput;  // some text field has the keyboard
  state["theme"] = in.view.settings().light ? "light" : "dark";
  state["textSize"] = in.view.settings().text_size;
  state["sidebarWidth"] = in.view.settings().sidebar_width;
  state["touch"] = in.theme.touch();
  state["headerDetail"] = chat_view.header_detail();
  state["scroll"] = {chat_view.scroll() / scale_of(in.theme),
                     chat_view.max_scroll() / scale_of(in.theme)};
  state["sideScroll"] = {chat_view.side_scroll() / scale_of(in.theme),
                         chat_view.side_max_scroll() / scale_of(in.theme)};
  protocol::Json conversations = protocol::Json::array();
  if (const auto page = in.chat.cache().data<Page<ConversationSummary>>(sdk::conversations_key())) {
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
    if (const auto list = in.chat.sync().messages(chat_view.conversation_id())) {
      for (const auto& m : list->items) {
        protocol::Json row = {{"id", m->id},
                              {"role", std::string(to_string(m->role))},
                              {"status", std::string(to_string(m->status))},
                              {"delivery", sdk::to_string(in.chat.sync().delivery(*m))},
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
                  in.chat.realtime().confirmed(sdk::message_channel(chat_view.conversation_id()));
  state["typing"] = chat_view.conversation_id().empty()
                        ? std::vector<std::string>{}
                        : in.chat.sync().typing(chat_view.conversation_id());
  // Where the controls are, in CSS pixels: {"new_chat": [x, y, width, height], …}.
  protocol::Json landmarks = protocol::Json::object();
  const float scale = in.theme.scale() > 0 ? in.theme.scale() : 1;
  in.view.landmarks().for_each([&](const std::string& name, const ui::Landmark& mark) {
    landmarks[name] = {mark.min.x / scale, mark.min.y / scale, (mark.max.x - mark.min.x) / scale,
                       (mark.max.y - mark.min.y) / scale};
  });
  state["landmarks"] = std::move(landmarks);
  return protocol::dump_json(state);
}

}  // namespace imchat::app
