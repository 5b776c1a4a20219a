#include "ui/app_view.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <imgui.h>

#include "ui/draw_util.h"

namespace imchat::ui {

AppView::AppView(Theme& theme, sdk::ChatClient& chat)
    : theme_(theme), chat_(chat), sidebar_(theme, chat), chat_view_(theme, chat) {
  sidebar_.on_new_chat = [this] { new_conversation(); };
  sidebar_.on_open = [this](const std::string& id) { open(id); };
  sidebar_.on_deleted = [this](const std::string& id) {
    if (chat_view_.conversation_id() == id) open("");
  };
  chat_view_.show_sidebar = [this] { drawer_ = true; };
}

const std::string& AppView::route() const {
  static const std::string kHome = "home", kChat = "chat", kList = "list";
  if (narrow_ && drawer_) return kList;
  return chat_view_.conversation_id().empty() ? kHome : kChat;
}

void AppView::new_conversation() {
  if (creating_ || !chat_.session().signed_in) return;
  creating_ = true;
  NewConversation input;
  input.title = "New chat";
  input.type = ConversationType::kAi;
  chat_.sync().create_conversation(input, [this](Result<Conversation> created) {
    creating_ = false;
    if (created) open(created->id);
  });
}

void AppView::open(const std::string& conversation_id) {
  chat_view_.open(conversation_id);
  if (!conversation_id.empty()) drawer_ = false;
}

void AppView::draw(const sdk::Client& client) {
  const ImGuiIO& io = ImGui::GetIO();
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(io.DisplaySize);
  ImGui::Begin("imchat", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize |
                   ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus |
                   ImGuiWindowFlags_NoScrollbar);
  // Ctrl/Cmd+N: a new chat, from anywhere.
  if ((io.KeyCtrl || io.KeySuper) && ImGui::IsKeyPressed('N', false)) new_conversation();

  const float width = io.DisplaySize.x;
  const float height = io.DisplaySize.y;
  narrow_ = width < theme_.px(kNarrowWidth);
  sidebar_.draw_status = [this, &client](ImVec2 pos, float max_width) {
    draw_status(client.server(), pos, max_width, false);
  };
  if (!narrow_) {
    const float sidebar_width = theme_.px(272);
    sidebar_.draw(ImVec2(0, 0), ImVec2(sidebar_width, height), chat_view_.conversation_id());
    chat_view_.draw(ImVec2(sidebar_width, 0), ImVec2(width - sidebar_width, height), false);
  } else if (drawer_) {
    sidebar_.draw(ImVec2(0, 0), ImVec2(width, height), chat_view_.conversation_id());
  } else {
    chat_view_.draw(ImVec2(0, 0), ImVec2(width, height), true);
  }
  ImGui::End();
}

void AppView::draw_status(const sdk::ServerStatus& status, ImVec2 pos, float max_width,
                          bool align_right) {
  const Palette& p = theme_.palette();
  const Fonts& f = theme_.fonts();
  ImDrawList* draw = ImGui::GetWindowDrawList();
  ImU32 dot = p.warning;
  const char* label = "Connecting…";
  const sdk::LinkState link = chat_.realtime().status().state;
  if (status.state == sdk::ConnectionState::kConnected && link == sdk::LinkState::kOpen) {
    dot = p.success;
    label = "Connected";
  } else if (status.state == sdk::ConnectionState::kUnreachable ||
             link == sdk::LinkState::kBackoff) {
    dot = p.error;
    label = "Reconnecting…";
  }
  // A stack buffer: this runs every frame and must not allocate.
  char detail[96] = "";
  if (chat_.session().signed_in && !chat_.session().user.name.empty()) {
    std::snprintf(detail, sizeof detail, "%s · server v%s", chat_.session().user.name.c_str(),
                  status.version.c_str());
  } else if (!status.version.empty()) {
    std::snprintf(detail, sizeof detail, "server v%s", status.version.c_str());
  }
  const float radius = theme_.px(4);
  const float text_x = radius * 2 + theme_.px(8);
  if (align_right) {
    const float block = text_x + std::max(text_size(f.body, label).x, text_size(f.small, detail).x);
    pos.x += std::max(0.0f, max_width - block);
  }
  const float line = f.body->FontSize;
  const float top = pos.y + theme_.px(10);
  draw->AddCircleFilled(ImVec2(pos.x + radius, std::round(top + line / 2)), radius, dot);
  text_at(draw, f.body, ImVec2(pos.x + text_x, top), p.text, label);
  if (detail[0]) {
    text_ellipsis(draw, f.small, ImVec2(pos.x + text_x, top + line + theme_.px(2)), p.text_muted,
                  detail, max_width - text_x);
  }
  if (!status.last_error.empty() &&
      ImGui::IsMouseHoveringRect(pos, ImVec2(pos.x + max_width, pos.y + theme_.px(56)))) {
    ImGui::SetTooltip("%s", status.last_error.c_str());
  }
}

}  // namespace imchat::ui
