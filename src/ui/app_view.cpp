#include "ui/app_view.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include <imgui.h>

namespace imchat::ui {
namespace {

constexpr ImGuiWindowFlags kPaneFlags = ImGuiWindowFlags_NoScrollbar |
                                        ImGuiWindowFlags_NoScrollWithMouse |
                                        ImGuiWindowFlags_NoSavedSettings;

void text_at(ImDrawList* draw, ImFont* font, ImVec2 pos, ImU32 color, const char* text) {
  draw->AddText(font, font->FontSize, pos, color, text);
}

ImVec2 text_size(ImFont* font, const char* text) {
  return font->CalcTextSizeA(font->FontSize, FLT_MAX, 0.0f, text);
}

}  // namespace

void AppView::draw(const sdk::Client& client) {
  const ImGuiIO& io = ImGui::GetIO();
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(io.DisplaySize);
  ImGui::Begin("imchat", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize |
                   ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus |
                   ImGuiWindowFlags_NoScrollbar);
  const float width = io.DisplaySize.x;
  const float height = io.DisplaySize.y;
  const bool narrow = width < theme_.px(kNarrowWidth);
  const float sidebar_width = narrow ? 0.0f : theme_.px(272);
  if (sidebar_width > 0) draw_sidebar(client, sidebar_width, height);
  draw_chat_pane(client, sidebar_width, width - sidebar_width, height, narrow);
  ImGui::End();
}

void AppView::draw_sidebar(const sdk::Client& client, float width, float height) {
  const Palette& p = theme_.palette();
  const Fonts& f = theme_.fonts();
  ImGui::SetCursorPos(ImVec2(0, 0));
  ImGui::BeginChild("sidebar", ImVec2(width, height), false, kPaneFlags);
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const ImVec2 origin = ImGui::GetWindowPos();
  draw->AddRectFilled(origin, ImVec2(origin.x + width, origin.y + height), p.sidebar);
  draw->AddLine(ImVec2(origin.x + width - 1, origin.y),
                ImVec2(origin.x + width - 1, origin.y + height), p.border);

  // Brand: a rounded mark and the product name.
  const float pad = theme_.px(16);
  const float mark = theme_.px(30);
  const ImVec2 mark_min(origin.x + pad, origin.y + pad);
  draw->AddRectFilled(mark_min, ImVec2(mark_min.x + mark, mark_min.y + mark), p.primary,
                      theme_.px(9));
  const ImVec2 glyph = text_size(f.body_bold, "i");
  text_at(draw, f.body_bold,
          ImVec2(std::round(mark_min.x + (mark - glyph.x) / 2),
                 std::round(mark_min.y + (mark - glyph.y) / 2)),
          p.text, "i");
  const ImVec2 name_size = text_size(f.body_bold, "imchat");
  text_at(
      draw, f.body_bold,
      ImVec2(mark_min.x + mark + theme_.px(10), std::round(mark_min.y + (mark - name_size.y) / 2)),
      p.text, "imchat");

  // New chat: the primary action, disabled until the server can create conversations.
  ImGui::SetCursorPos(ImVec2(pad, pad + mark + theme_.px(18)));
  ImGui::BeginDisabled(true);
  ImGui::PushFont(f.body_bold);
  ImGui::Button("+  New chat", ImVec2(width - 2 * pad, theme_.px(40)));
  ImGui::PopFont();
  ImGui::EndDisabled();

  ImGui::SetCursorPos(ImVec2(pad, ImGui::GetCursorPosY() + theme_.px(14)));
  ImGui::PushFont(f.small);
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(p.text_faint));
  ImGui::TextUnformatted("RECENT");
  ImGui::PopStyleColor();
  ImGui::SetCursorPosX(pad);
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(p.text_muted));
  ImGui::TextUnformatted("No conversations yet");
  ImGui::PopStyleColor();
  ImGui::PopFont();

  // Connection status, pinned to the bottom.
  const float status_height = theme_.px(56);
  draw->AddLine(ImVec2(origin.x, origin.y + height - status_height),
                ImVec2(origin.x + width - 1, origin.y + height - status_height), p.border);
  draw_status(client.server(), ImVec2(origin.x + pad, origin.y + height - status_height),
              width - 2 * pad, false);
  ImGui::EndChild();
}

void AppView::draw_status(const sdk::ServerStatus& status, ImVec2 pos, float max_width,
                          bool align_right) {
  const Palette& p = theme_.palette();
  const Fonts& f = theme_.fonts();
  ImDrawList* draw = ImGui::GetWindowDrawList();
  ImU32 dot = p.warning;
  const char* label = "Connecting…";
  if (status.state == sdk::ConnectionState::kConnected) {
    dot = p.success;
    label = "Connected";
  } else if (status.state == sdk::ConnectionState::kUnreachable) {
    dot = p.error;
    label = "Server unreachable";
  }
  // A stack buffer: this runs every frame and must not allocate.
  char detail[64] = "";
  if (status.state == sdk::ConnectionState::kUnreachable) {
    std::snprintf(detail, sizeof detail, "retrying…");
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
    draw->PushClipRect(pos, ImVec2(pos.x + max_width, pos.y + theme_.px(56)), true);
    text_at(draw, f.small, ImVec2(pos.x + text_x, top + line + theme_.px(2)), p.text_muted, detail);
    draw->PopClipRect();
  }
  if (!status.last_error.empty() &&
      ImGui::IsMouseHoveringRect(pos, ImVec2(pos.x + max_width, pos.y + theme_.px(56)))) {
    ImGui::SetTooltip("%s", status.last_error.c_str());
  }
}

void AppView::draw_chat_pane(const sdk::Client& client, float x, float width, float height,
                             bool show_status) {
  const Palette& p = theme_.palette();
  const Fonts& f = theme_.fonts();
  ImGui::SetCursorPos(ImVec2(x, 0));
  ImGui::BeginChild("chat", ImVec2(width, height), false, kPaneFlags);
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const ImVec2 origin = ImGui::GetWindowPos();

  // Header.
  const float header = theme_.px(56);
  draw->AddLine(ImVec2(origin.x, origin.y + header), ImVec2(origin.x + width, origin.y + header),
                p.border);
  const ImVec2 title_size = text_size(f.body_bold, "New chat");
  text_at(draw, f.body_bold,
          ImVec2(origin.x + theme_.px(24), std::round(origin.y + (header - title_size.y) / 2)),
          p.text, "New chat");
  if (show_status) {
    // Narrow: the sidebar is hidden, so the header carries the connection state.
    draw_status(client.server(), ImVec2(origin.x + width - theme_.px(224), origin.y),
                theme_.px(200), true);
  }

  // Welcome, centred in the space above the composer.
  const float composer_height = theme_.px(120);
  const float center_y = origin.y + header + (height - header - composer_height) / 2;
  const char* headline = "How can I help you today?";
  const ImVec2 headline_size = text_size(f.title, headline);
  text_at(draw, f.title,
          ImVec2(std::round(origin.x + (width - headline_size.x) / 2),
                 std::round(center_y - headline_size.y)),
          p.text, headline);
  const char* sub = client.server().state == sdk::ConnectionState::kConnected
                        ? "Connected to your imchat server. Conversations are coming soon."
                        : "Waiting for the imchat server…";
  const ImVec2 sub_size = text_size(f.body, sub);
  text_at(
      draw, f.body,
      ImVec2(std::round(origin.x + (width - sub_size.x) / 2), std::round(center_y + theme_.px(12))),
      p.text_muted, sub);

  // Composer: the layout of the real one, disabled until messages can be sent.
  const float max_width = theme_.px(760);
  const float box_width = std::min(width - theme_.px(48), max_width);
  const float box_height = theme_.px(56);
  const ImVec2 box_min(std::round(origin.x + (width - box_width) / 2),
                       origin.y + height - composer_height + theme_.px(16));
  const ImVec2 box_max(box_min.x + box_width, box_min.y + box_height);
  draw->AddRectFilled(box_min, box_max, p.surface, theme_.px(16));
  draw->AddRect(box_min, box_max, p.border, theme_.px(16), 0, theme_.px(1));
  text_at(draw, f.body,
          ImVec2(box_min.x + theme_.px(20),
                 std::round(box_min.y + (box_height - f.body->FontSize) / 2)),
          p.text_faint, "Message imchat…");
  const float send = theme_.px(36);
  const ImVec2 send_min(box_max.x - send - theme_.px(10), box_min.y + (box_height - send) / 2);
  draw->AddRectFilled(send_min, ImVec2(send_min.x + send, send_min.y + send), rgb(0x3a3a4a),
                      theme_.px(10));
  // An upward arrow, drawn so it needs no icon font.
  const ImVec2 c(send_min.x + send / 2, send_min.y + send / 2);
  const float a = theme_.px(7);
  draw->AddLine(ImVec2(c.x, c.y + a), ImVec2(c.x, c.y - a), p.text_muted, theme_.px(2));
  draw->AddLine(ImVec2(c.x - a * 0.8f, c.y - a * 0.2f), ImVec2(c.x, c.y - a), p.text_muted,
                theme_.px(2));
  draw->AddLine(ImVec2(c.x + a * 0.8f, c.y - a * 0.2f), ImVec2(c.x, c.y - a), p.text_muted,
                theme_.px(2));
  const char* hint = "imchat can make mistakes. Check important info.";
  const ImVec2 hint_size = text_size(f.small, hint);
  text_at(draw, f.small,
          ImVec2(std::round(origin.x + (width - hint_size.x) / 2), box_max.y + theme_.px(12)),
          p.text_faint, hint);
  ImGui::EndChild();
}

}  // namespace imchat::ui
