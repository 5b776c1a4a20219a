#include "ui/app_view.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <imgui.h>
#include <imgui_internal.h>  // ImGui::GetHoveredID, HoveredIdDisabled

#include "ui/draw_util.h"

namespace imchat::ui {

AppView::AppView(Theme& theme, sdk::ChatClient& chat)
    : theme_(theme),
      chat_(chat),
      sidebar_(theme, chat, landmarks_),
      chat_view_(theme, chat, landmarks_),
      sign_in_(theme, chat, landmarks_) {
  sidebar_.on_new_chat = [this] { new_conversation(); };
  sidebar_.on_open = [this](const std::string& id) { open(id); };
  sidebar_.on_deleted = [this](const std::string& id) {
    if (chat_view_.conversation_id() == id) open("");
    chat_view_.forget_draft(id);
    if (on_deleted) on_deleted(id);
  };
  chat_view_.show_sidebar = [this] { drawer_ = true; };
}

const std::string& AppView::route() const {
  static const std::string kHome = "home", kChat = "chat", kList = "list", kSignIn = "sign_in";
  if (signing_in_screen()) return kSignIn;
  if (narrow_ && drawer_) return kList;
  return chat_view_.conversation_id().empty() ? kHome : kChat;
}

void AppView::new_conversation() {
  if (creating_ || !chat_.session().signed_in) return;
  creating_ = true;
  NewConversation input;
  input.title = sdk::kNewChatTitle;
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
  landmarks_.begin_frame();
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
  if (signing_in_screen()) {
    sign_in_.draw(ImVec2(0, 0), ImVec2(width, height));
  } else {
    draw_panes(client, width, height);
  }
  // What can be clicked shows a pointing hand, as on a page (ImGui leaves the arrow). A
  // disabled control is hovered too in ImGui's eyes, but nothing happens on a click there.
  if (ImGui::GetMouseCursor() == ImGuiMouseCursor_Arrow && ImGui::GetHoveredID() != 0 &&
      !GImGui->HoveredIdDisabled)
    ImGui::SetMouseCursor(ImGuiMouseCursor_Hand);
  ImGui::End();
}

void AppView::draw_panes(const sdk::Client& client, float width, float height) {
  sidebar_.draw_status = [this, &client](ImVec2 pos, float max_width) {
    const float gear = theme_.tap(32);
    draw_status(client.server(), pos, max_width - gear - theme_.px(8), false);
    draw_settings_button(ImVec2(pos.x + max_width - gear, pos.y + theme_.px(12)), gear);
  };
  if (!narrow_) {
    const float sidebar_width =
        std::round(std::clamp(theme_.px(settings_.sidebar_width), theme_.px(kSidebarMin),
                              std::max(theme_.px(kSidebarMin), width - theme_.px(kMinChatWidth))));
    sidebar_.draw(ImVec2(0, 0), ImVec2(sidebar_width, height), chat_view_.conversation_id());
    chat_view_.draw(ImVec2(sidebar_width, 0), ImVec2(width - sidebar_width, height), false);
    draw_sidebar_divider(sidebar_width, height);
  } else if (drawer_) {
    sidebar_.draw(ImVec2(0, 0), ImVec2(width, height), chat_view_.conversation_id());
  } else {
    chat_view_.draw(ImVec2(0, 0), ImVec2(width, height), true);
  }
  draw_settings();
}

void AppView::draw_sidebar_divider(float x, float height) {
  // Its own window, above the panes: their child windows would otherwise take the hover.
  const float grip = theme_.px(6);
  ImGui::SetNextWindowPos(ImVec2(x - grip / 2, 0));
  ImGui::SetNextWindowSize(ImVec2(grip, height));
  ImGui::Begin("##sidebar_divider", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoBackground |
                   ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoNav |
                   ImGuiWindowFlags_NoFocusOnAppearing | ImGuiWindowFlags_NoMove);
  ImGui::InvisibleButton("##resize", ImVec2(grip, height));
  landmarks_.mark_item("sidebar.divider");
  const bool hot = ImGui::IsItemHovered() || ImGui::IsItemActive();
  if (hot) {
    ImGui::SetMouseCursor(ImGuiMouseCursor_ResizeEW);
    ImGui::GetWindowDrawList()->AddRectFilled(
        ImVec2(x - theme_.px(1), 0), ImVec2(x + theme_.px(1), height), theme_.palette().primary);
  }
  if (ImGui::IsItemActive() && ImGui::IsMouseDragging(ImGuiMouseButton_Left, 0)) {
    settings_.sidebar_width = std::round(
        std::clamp(ImGui::GetIO().MousePos.x / theme_.scale(), kSidebarMin, kSidebarMax));
  }
  bool changed = ImGui::IsItemDeactivated();
  if (ImGui::IsItemHovered() && ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left)) {
    settings_.sidebar_width = kSidebarDefault;
    changed = true;
  }
  if (changed && on_settings_changed) on_settings_changed(settings_);
  ImGui::End();
}

void AppView::apply_settings(const AppSettings& settings) {
  settings_ = settings;
  settings_.sidebar_width = std::clamp(settings.sidebar_width, kSidebarMin, kSidebarMax);
  theme_.set_light(settings.light);
  theme_.set_text_size(settings.text_size);
  settings_.text_size = theme_.text_size();
}

void AppView::draw_settings_button(ImVec2 pos, float size) {
  const Palette& p = theme_.palette();
  ImDrawList* draw = ImGui::GetWindowDrawList();
  ImGui::SetCursorScreenPos(pos);
  // Opened from draw_settings(): popup ids belong to the window they are opened in.
  if (ImGui::InvisibleButton("##settings", ImVec2(size, size))) open_settings_ = true;
  settings_anchor_ = ImVec2(pos.x, pos.y - theme_.px(6));
  landmarks_.mark_item("settings");
  const bool hot = ImGui::IsItemHovered();
  if (hot) {
    draw->AddRectFilled(pos, ImVec2(pos.x + size, pos.y + size), p.row_hover, theme_.px(8));
    ImGui::SetTooltip("Settings");
  }
  // A gear: eight teeth around a ring, drawn so it needs no icon font.
  const ImVec2 c(pos.x + size / 2, pos.y + size / 2);
  const ImU32 col = hot ? p.text : p.text_muted;
  const float r = theme_.px(5.5f);
  for (int i = 0; i < 8; ++i) {
    const float a = static_cast<float>(i) * 3.14159265f / 4;
    const ImVec2 d(std::cos(a), std::sin(a));
    draw->AddLine(ImVec2(c.x + d.x * r, c.y + d.y * r),
                  ImVec2(c.x + d.x * (r + theme_.px(3)), c.y + d.y * (r + theme_.px(3))), col,
                  theme_.px(2.6f));
  }
  draw->AddCircle(c, r, col, 24, theme_.px(2.2f));
}

namespace {

// A row of buttons of which one is chosen (Dark | Light). Returns the index clicked, or -1.
int segmented(const Theme& theme, Landmarks& landmarks, const char* landmark_prefix,
              const char* const* labels, int count, int chosen, float width) {
  const Palette& p = theme.palette();
  int clicked = -1;
  const float gap = theme.px(4);
  const float w = (width - gap * static_cast<float>(count - 1)) / static_cast<float>(count);
  for (int i = 0; i < count; ++i) {
    if (i > 0) ImGui::SameLine(0, gap);
    const bool on = i == chosen;
    if (colored_button(labels[i], ImVec2(w, 0), on ? p.primary : p.button_quiet,
                       on ? p.primary_hover : p.button_quiet_hover, on ? p.on_primary : p.text))
      clicked = i;
    char name[64];
    std::snprintf(name, sizeof name, "%s.%d", landmark_prefix, i);
    landmarks.mark_item(name);
  }
  return clicked;
}

}  // namespace

void AppView::draw_settings() {
  const Palette& p = theme_.palette();
  const Fonts& f = theme_.fonts();
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(theme_.px(16), theme_.px(14)));
  ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(theme_.px(8), theme_.px(8)));
  ImGui::PushStyleVar(ImGuiStyleVar_FramePadding, ImVec2(theme_.px(10), theme_.px(6)));
  ImGui::PushStyleVar(ImGuiStyleVar_PopupBorderSize, 1.0f);
  ImGui::PushStyleColor(ImGuiCol_PopupBg, ImGui::ColorConvertU32ToFloat4(p.surface));
  if (open_settings_) {
    ImGui::OpenPopup("##settings_menu");
    open_settings_ = false;
  }
  // Above the gear, kept on screen.
  ImGui::SetNextWindowPos(
      ImVec2(std::min(settings_anchor_.x, ImGui::GetIO().DisplaySize.x - theme_.px(268)),
             settings_anchor_.y),
      ImGuiCond_Always, ImVec2(0, 1));
  ImGui::SetNextWindowSize(ImVec2(theme_.px(260), 0));
  if (ImGui::BeginPopup("##settings_menu")) {
    const float width = theme_.px(260 - 32);
    ImGui::PushFont(f.body_bold);
    ImGui::TextUnformatted("Settings");
    ImGui::PopFont();
    AppSettings next = settings_;
    ImGui::PushFont(f.small);
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(p.text_muted));
    ImGui::TextUnformatted("Theme");
    ImGui::PopStyleColor();
    static const char* const kThemes[] = {"Dark", "Light"};
    if (const int i = segmented(theme_, landmarks_, "settings.theme", kThemes, 2,
                                settings_.light ? 1 : 0, width);
        i >= 0)
      next.light = i == 1;
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(p.text_muted));
    ImGui::TextUnformatted("Text size");
    ImGui::PopStyleColor();
    static const char* const kSizes[] = {"Small", "Default", "Large"};
    static const float kSizeValues[] = {14, 15, 17};
    const int size_index = settings_.text_size < 15 ? 0 : settings_.text_size > 15 ? 2 : 1;
    if (const int i = segmented(theme_, landmarks_, "settings.text", kSizes, 3, size_index, width);
        i >= 0)
      next.text_size = kSizeValues[i];
    ImGui::PopFont();
    if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape), false)) ImGui::CloseCurrentPopup();
    if (!(next == settings_)) {
      apply_settings(next);
      if (on_settings_changed) on_settings_changed(settings_);
    }
    ImGui::EndPopup();
  }
  ImGui::PopStyleColor();
  ImGui::PopStyleVar(4);
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
