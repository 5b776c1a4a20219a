#include "ui/sidebar.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>

#include <imgui_stdlib.h>

#include "ui/draw_util.h"

namespace imchat::ui {
namespace {

bool contains_folded(std::string_view text, std::string_view needle) {
  if (needle.empty()) return true;
  const auto it =
      std::search(text.begin(), text.end(), needle.begin(), needle.end(), [](char a, char b) {
        return std::tolower(static_cast<unsigned char>(a)) ==
               std::tolower(static_cast<unsigned char>(b));
      });
  return it != text.end();
}

}  // namespace

void Sidebar::draw(ImVec2 pos, ImVec2 size, const std::string& selected) {
  const Palette& p = theme_.palette();
  const Fonts& f = theme_.fonts();
  ImGui::SetCursorScreenPos(pos);
  ImGui::BeginChild("sidebar", size, false,
                    ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse |
                        ImGuiWindowFlags_NoSavedSettings);
  ImDrawList* draw = ImGui::GetWindowDrawList();
  draw->AddRectFilled(pos, ImVec2(pos.x + size.x, pos.y + size.y), p.sidebar);
  draw->AddLine(ImVec2(pos.x + size.x - 1, pos.y), ImVec2(pos.x + size.x - 1, pos.y + size.y),
                p.border);
  const float pad = theme_.px(16);

  // Brand: a rounded mark and the product name.
  const float mark = theme_.px(30);
  const ImVec2 mark_min(pos.x + pad, pos.y + pad);
  draw->AddRectFilled(mark_min, ImVec2(mark_min.x + mark, mark_min.y + mark), p.primary,
                      theme_.px(9));
  const ImVec2 glyph = text_size(f.body_bold, "i");
  text_at(draw, f.body_bold,
          ImVec2(std::round(mark_min.x + (mark - glyph.x) / 2),
                 std::round(mark_min.y + (mark - glyph.y) / 2)),
          p.on_primary, "i");
  text_at(draw, f.body_bold,
          ImVec2(mark_min.x + mark + theme_.px(10),
                 std::round(mark_min.y + (mark - f.body_bold->FontSize) / 2)),
          p.text, "imchat");

  // New chat: the primary action.
  float y = pos.y + pad + mark + theme_.px(18);
  ImGui::SetCursorScreenPos(ImVec2(pos.x + pad, y));
  ImGui::BeginDisabled(!chat_.session().signed_in);
  ImGui::PushFont(f.body_bold);
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(p.on_primary));
  if (ImGui::Button("+  New chat", ImVec2(size.x - 2 * pad, theme_.px(40))) && on_new_chat)
    on_new_chat();
  landmarks_.mark_item("new_chat");
  ImGui::PopStyleColor();
  ImGui::PopFont();
  ImGui::EndDisabled();
  y += theme_.px(40) + theme_.px(12);

  // Search: filters the loaded list as you type.
  ImGui::SetCursorScreenPos(ImVec2(pos.x + pad, y));
  ImGui::SetNextItemWidth(size.x - 2 * pad);
  // On touch screens a fingertip tall (the padding grows, the text stays).
  const float search_pad =
      theme_.touch() ? std::max(theme_.px(8), (theme_.px(Theme::kMinTap) - f.body->FontSize) / 2)
                     : theme_.px(8);
  ImGui::PushStyleVar(ImGuiStyleVar_FramePadding, ImVec2(theme_.px(12), search_pad));
  ImGui::InputTextWithHint("##search", "Search chats", &search_);
  landmarks_.mark_item("search");
  ImGui::PopStyleVar();
  y += f.body->FontSize + 2 * search_pad + theme_.px(14);

  text_at(draw, f.small, ImVec2(pos.x + pad, y), p.text_faint, "RECENT");
  y += f.small->FontSize + theme_.px(8);

  const float status_height = theme_.px(56);
  const float list_h = pos.y + size.y - status_height - y;
  ImGui::SetCursorScreenPos(ImVec2(pos.x, y));
  ImGui::BeginChild("conversations", ImVec2(size.x - 1, list_h), false,
                    ImGuiWindowFlags_NoSavedSettings);
  ImDrawList* list_draw = ImGui::GetWindowDrawList();
  const auto page = chat_.cache().data<Page<ConversationSummary>>(sdk::conversations_key());
  int shown = 0;
  if (page) {
    for (const ConversationSummary& row : page->data) {
      if (!contains_folded(row.conversation.title, search_)) continue;
      const ImVec2 row_pos = ImGui::GetCursorScreenPos();
      draw_row(list_draw, row, row_pos, size.x - 1, row.conversation.id == selected);
      ++shown;
    }
  }
  if (shown == 0) {
    ImGui::SetCursorPosX(pad);
    ImGui::PushFont(f.small);
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(p.text_muted));
    ImGui::TextUnformatted(!page             ? "Loading…"
                           : search_.empty() ? "No conversations yet"
                                             : "No chats match your search");
    ImGui::PopStyleColor();
    ImGui::PopFont();
  }
  ImGui::EndChild();

  draw_delete_confirmation();

  // Connection status, pinned to the bottom.
  draw->AddLine(ImVec2(pos.x, pos.y + size.y - status_height),
                ImVec2(pos.x + size.x - 1, pos.y + size.y - status_height), p.border);
  if (draw_status)
    draw_status(ImVec2(pos.x + pad, pos.y + size.y - status_height), size.x - 2 * pad);
  ImGui::EndChild();
}

void Sidebar::draw_row(ImDrawList* draw, const ConversationSummary& row, ImVec2 pos, float width,
                       bool selected) {
  const Palette& p = theme_.palette();
  const Fonts& f = theme_.fonts();
  const std::string& id = row.conversation.id;
  const float margin = theme_.px(8);
  const float height = theme_.px(58);
  ImGui::PushID(id.c_str());
  const ImVec2 min(pos.x + margin, pos.y);
  const ImVec2 max(pos.x + width - margin, pos.y + height);
  ImGui::SetCursorScreenPos(min);
  const bool pressed = ImGui::InvisibleButton("##row", ImVec2(max.x - min.x, height));
  const bool hovered = ImGui::IsItemHovered();
  char mark[96];  // a stack buffer: rows are marked every frame
  std::snprintf(mark, sizeof mark, "row.%s", id.c_str());
  landmarks_.mark_item(mark);
  if (pressed && renaming_ != id && on_open) on_open(id);
  if (hovered && ImGui::IsMouseDoubleClicked(0)) {
    renaming_ = id;
    rename_text_ = row.conversation.title;
    focus_rename_ = true;
  }
  if (ImGui::BeginPopupContextItem("##row_menu")) {
    if (ImGui::MenuItem("Rename")) {
      renaming_ = id;
      rename_text_ = row.conversation.title;
      focus_rename_ = true;
    }
    landmarks_.mark_item("row_menu.rename");
    if (ImGui::MenuItem("Delete")) {
      deleting_ = id;
      deleting_title_ = row.conversation.title;
    }
    landmarks_.mark_item("row_menu.delete");
    ImGui::EndPopup();
  }
  if (selected || hovered) {
    draw->AddRectFilled(min, max, selected ? p.row_selected : p.row_hover, theme_.px(10));
  }
  const float inner = theme_.px(12);
  const float right = max.x - inner;
  // Age and unread badge on the right.
  const std::string age = row.last_message ? relative_time(row.last_message->created_at, now_utc())
                                           : relative_time(row.conversation.updated_at, now_utc());
  const ImVec2 age_size = text_size(f.small, age);
  const float title_y = min.y + theme_.px(10);
  text_at(draw, f.small, ImVec2(right - age_size.x, title_y + theme_.px(1)), p.text_faint, age);
  float preview_right = right;
  if (row.unread_count > 0 && !selected) {
    const std::string count = row.unread_count > 99 ? "99+" : std::to_string(row.unread_count);
    const ImVec2 cs = text_size(f.small, count);
    const float bh = theme_.px(18);
    const float bw = std::max(bh, cs.x + theme_.px(10));
    const ImVec2 bmin(right - bw, min.y + theme_.px(31));
    draw->AddRectFilled(bmin, ImVec2(bmin.x + bw, bmin.y + bh), p.primary, bh / 2);
    text_at(draw, f.small,
            ImVec2(std::round(bmin.x + (bw - cs.x) / 2), std::round(bmin.y + (bh - cs.y) / 2)),
            p.on_primary, count);
    preview_right = bmin.x - theme_.px(8);
  }
  const float x = min.x + inner;
  if (renaming_ == id) {
    ImGui::SetCursorScreenPos(ImVec2(x - theme_.px(4), title_y - theme_.px(4)));
    ImGui::SetNextItemWidth(right - age_size.x - theme_.px(8) - x);
    if (focus_rename_) {
      ImGui::SetKeyboardFocusHere();
      focus_rename_ = false;
    }
    ImGui::PushStyleVar(ImGuiStyleVar_FramePadding, ImVec2(theme_.px(4), theme_.px(2)));
    const bool done =
        ImGui::InputText("##rename", &rename_text_,
                         ImGuiInputTextFlags_EnterReturnsTrue | ImGuiInputTextFlags_AutoSelectAll);
    ImGui::PopStyleVar();
    landmarks_.mark_item("rename.input");
    const bool escaped =
        ImGui::IsItemActive() && ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape));
    if (done || (!ImGui::IsItemActive() && !focus_rename_ && !ImGui::IsItemHovered() &&
                 ImGui::IsMouseClicked(0))) {
      std::string title = rename_text_;
      while (!title.empty() && title.back() == ' ')
        title.pop_back();
      if (!title.empty() && title != row.conversation.title) {
        sdk::ConversationPatch patch;
        patch.title = title;
        chat_.sync().update_conversation(id, patch, nullptr);
      }
      renaming_.clear();
    } else if (escaped) {
      renaming_.clear();
    }
  } else {
    text_ellipsis(draw, selected ? f.body_bold : f.body, ImVec2(x, title_y), p.text,
                  row.conversation.title, right - age_size.x - theme_.px(8) - x);
  }
  // The newest message: from the open conversation's live list when it is loaded (the
  // list page is refetched less often than a reply streams), else from the page.
  const Message* last = row.last_message ? &*row.last_message : nullptr;
  const auto live = chat_.sync().messages(id);
  if (live && !live->items.empty() && !live->items.back()->content.empty())
    last = live->items.back().get();
  const std::string preview = last ? preview_line(last->content) : std::string("No messages yet");
  text_ellipsis(draw, f.small, ImVec2(x, min.y + theme_.px(32)), p.text_muted, preview,
                preview_right - x);
  ImGui::SetCursorScreenPos(ImVec2(pos.x, pos.y + height + theme_.px(2)));
  ImGui::Dummy(ImVec2(0, 0));
  ImGui::PopID();
}

void Sidebar::draw_delete_confirmation() {
  if (!deleting_.empty() && !ImGui::IsPopupOpen("Delete chat?")) ImGui::OpenPopup("Delete chat?");
  const Palette& p = theme_.palette();
  const Fonts& f = theme_.fonts();
  const ImVec2 center(ImGui::GetIO().DisplaySize.x / 2, ImGui::GetIO().DisplaySize.y / 2);
  ImGui::SetNextWindowPos(center, ImGuiCond_Always, ImVec2(0.5f, 0.5f));
  ImGui::SetNextWindowSize(ImVec2(theme_.px(380), 0));
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(theme_.px(20), theme_.px(18)));
  ImGui::PushStyleColor(ImGuiCol_PopupBg, ImGui::ColorConvertU32ToFloat4(p.surface));
  ImGui::PushStyleColor(ImGuiCol_ModalWindowDimBg, ImVec4(0, 0, 0, 0.55f));
  if (ImGui::BeginPopupModal("Delete chat?", nullptr,
                             ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoResize |
                                 ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings)) {
    ImGui::PushFont(f.body_bold);
    ImGui::TextUnformatted("Delete chat?");
    ImGui::PopFont();
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(p.text_muted));
    ImGui::TextWrapped("This will delete \"%s\" and its messages for you.",
                       deleting_title_.c_str());
    ImGui::PopStyleColor();
    ImGui::Dummy(ImVec2(0, theme_.px(6)));
    const float bw = theme_.px(96);
    ImGui::SetCursorPosX(ImGui::GetWindowWidth() - theme_.px(20) - 2 * bw - theme_.px(8));
    const bool cancel = quiet_button(p, "Cancel", ImVec2(bw, 0)) ||
                        ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape));
    landmarks_.mark_item("delete.cancel");
    ImGui::SameLine(0, theme_.px(8));
    const bool confirm =
        colored_button("Delete", ImVec2(bw, 0), p.error, p.error_hover, p.on_primary);
    landmarks_.mark_item("delete.confirm");
    if (confirm) {
      const std::string id = deleting_;
      chat_.sync().delete_conversation(id, nullptr);
      if (on_deleted) on_deleted(id);
    }
    if (confirm || cancel) {
      deleting_.clear();
      ImGui::CloseCurrentPopup();
    }
    ImGui::EndPopup();
  }
  ImGui::PopStyleColor(2);
  ImGui::PopStyleVar();
}

}  // namespace imchat::ui
