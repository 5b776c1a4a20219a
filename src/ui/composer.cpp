// Composer (composer.h): the message box under the conversation.
#include "ui/composer.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include <imgui.h>
#include <imgui_internal.h>
#include <imgui_stdlib.h>

#include "ui/draw_util.h"

namespace imchat::ui {

void Composer::open(const std::string& conversation_id) {
  cancel_edit();  // gives the draft back to the conversation it belongs to
  id_ = conversation_id;
  error_.clear();
  focus_composer_ = !id_.empty();
  // Opened from outside (the address, the embedding page) while the box has the keyboard:
  // ImGui edits its own copy of an active field's text, and would write the old chat's
  // draft into the new one. The field lets go before it is drawn again.
  release_composer_ = true;
}

void Composer::set_has_keyboard(bool has) {
  if (has == has_keyboard_) return;
  has_keyboard_ = has;
  if (!has) {
    refocus_on_keyboard_ = composer_focused_ || focus_composer_;
    focus_composer_ = false;
    release_composer_ = true;
  } else if (std::exchange(refocus_on_keyboard_, false)) {
    // Back by a click: the click says where the focus goes, as on a page.
    const ImGuiIO& io = ImGui::GetIO();
    focus_composer_ = !ImGui::IsAnyMouseDown() && !io.MouseReleased[0];
  }
}

std::string& Composer::draft_slot() {
  return drafts_[id_];
}

const std::string& Composer::draft() const {
  static const std::string kEmpty;
  const auto it = drafts_.find(id_);
  return it == drafts_.end() ? kEmpty : it->second;
}

float Composer::height() const {
  const Fonts& f = theme_.fonts();
  const float line = f.body->FontSize;
  const float banner = editing_id_.empty() ? 0 : theme_.px(30);
  return banner + theme_.px(40) + composer_lines_ * line + theme_.px(28) + theme_.px(30);
}

void Composer::start_edit(const Message& message, const std::string& reply_id) {
  if (editing_id_.empty()) draft_before_edit_ = draft_slot();
  editing_id_ = message.id;
  editing_reply_id_ = reply_id;
  draft_slot() = message.content;
  focus_composer_ = true;
  caret_to_end_ = true;  // go on typing where the question ends
  error_.clear();
}

void Composer::cancel_edit() {
  if (editing_id_.empty()) return;
  editing_id_.clear();
  editing_reply_id_.clear();
  draft_slot() = std::move(draft_before_edit_);
  draft_before_edit_.clear();
}

bool Composer::submit(const std::string& text) {
  if (editing_id_.empty()) return send && send(text);
  const std::string content(trimmed_end(text));
  if (content.empty()) return false;
  chat_.sync().edit_and_resend(editing_id_, content, editing_reply_id_, [this](Result<Ok> done) {
    if (!done) error_ = "Could not save the edit: " + done.error().message;
  });
  editing_id_.clear();
  editing_reply_id_.clear();
  draft_slot() = std::move(draft_before_edit_);
  draft_before_edit_.clear();
  if (edited) edited();
  return false;  // the composer now holds the earlier draft again: keep it
}

void Composer::draw(ImDrawList* draw, ImVec2 pos, float width, bool ai_chat, bool streaming) {
  const Palette& p = theme_.palette();
  const Fonts& f = theme_.fonts();
  const float box_width = std::min(width - theme_.px(48), theme_.px(760));
  if (!editing_id_.empty()) {
    // Edit & resend: say what Enter will do, and how to leave.
    const float bx = std::round(pos.x + (width - box_width) / 2);
    const float by = pos.y + theme_.px(12);
    text_at(draw, f.small, ImVec2(bx + theme_.px(6), by + theme_.px(5)), p.text_muted,
            editing_reply_id_.empty() ? "Editing your message"
                                      : "Editing your message · the reply will be written again");
    ImGui::PushFont(f.small);
    ImGui::PushStyleColor(ImGuiCol_Button, ImVec4(0, 0, 0, 0));
    ImGui::PushStyleColor(ImGuiCol_ButtonHovered, ImGui::ColorConvertU32ToFloat4(p.surface));
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(p.text));
    ImGui::PushStyleVar(ImGuiStyleVar_FramePadding, ImVec2(theme_.px(8), theme_.px(3)));
    const float cw = text_size(f.small, "Cancel").x + theme_.px(16);
    ImGui::SetCursorScreenPos(ImVec2(bx + box_width - cw, by));
    if (ImGui::Button("Cancel##edit")) cancel_edit();
    landmarks_.mark_item("edit.cancel");
    ImGui::PopStyleVar();
    ImGui::PopStyleColor(3);
    ImGui::PopFont();
    pos.y += theme_.px(30);
  }
  const float line = f.body->FontSize;
  const float box_height = composer_lines_ * line + theme_.px(28) + theme_.px(12);
  const ImVec2 box_min(std::round(pos.x + (width - box_width) / 2), pos.y + theme_.px(12));
  const ImVec2 box_max(box_min.x + box_width, box_min.y + box_height);
  const bool enabled = !id_.empty() || chat_.session().signed_in;
  draw->AddRectFilled(box_min, box_max, p.surface, theme_.px(16));

  std::string& text = draft_slot();
  const float send_size = theme_.tap(36);
  const float input_x = box_min.x + theme_.px(12);
  const ImVec2 input_size(box_width - send_size - theme_.px(34),
                          std::max(composer_lines_ * line + theme_.px(20), theme_.tap(0)));
  ImGui::SetCursorScreenPos(
      ImVec2(input_x, std::round(box_min.y + (box_height - input_size.y) / 2)));
  ImGui::PushStyleColor(ImGuiCol_FrameBg, ImVec4(0, 0, 0, 0));
  ImGui::PushStyleColor(ImGuiCol_FrameBgHovered, ImVec4(0, 0, 0, 0));
  ImGui::PushStyleColor(ImGuiCol_FrameBgActive, ImVec4(0, 0, 0, 0));
  ImGui::PushStyleVar(ImGuiStyleVar_FramePadding, ImVec2(theme_.px(8), theme_.px(10)));
  if (focus_composer_ && !id_.empty()) {
    if (has_keyboard_)
      ImGui::SetKeyboardFocusHere();
    else
      refocus_on_keyboard_ = true;  // when the keyboard comes back
    focus_composer_ = false;
  }
  ImGuiIO& io = ImGui::GetIO();
  const bool enter = key_pressed(ImGuiKey_Enter) || key_pressed(ImGuiKey_KeyPadEnter);
  const bool ctrl = io.KeyCtrl;
  // Enter sends; Shift+Enter (and Ctrl+Enter) is a new line: ImGui knows only the Ctrl
  // variant, so Shift stands in for Ctrl for this one widget.
  if (enter && io.KeyShift) io.KeyCtrl = true;
  ImGui::BeginDisabled(id_.empty());
  if (std::exchange(release_composer_, false) && ImGui::GetActiveID() == ImGui::GetID("##composer"))
    ImGui::ClearActiveID();
  const size_t length_before = text.size();
  const bool submitted = ImGui::InputTextMultiline(
      "##composer", &text, input_size,
      ImGuiInputTextFlags_CtrlEnterForNewLine | ImGuiInputTextFlags_EnterReturnsTrue |
          ImGuiInputTextFlags_CallbackAlways,
      [](ImGuiInputTextCallbackData* data) {
        auto* self = static_cast<Composer*>(data->UserData);
        if (self->caret_to_end_) {
          data->CursorPos = data->SelectionStart = data->SelectionEnd = data->BufTextLen;
          self->caret_to_end_ = false;
        }
        return 0;
      },
      this);
  ImGui::EndDisabled();
  const bool active = ImGui::IsItemActive();
  composer_focused_ = active;
  // Others in a people chat see that this user is typing (the SDK throttles the frames).
  // (IsItemEdited() says nothing here: EnterReturnsTrue reports only Enter.)
  if (text.size() != length_before && !id_.empty() && !ai_chat)
    chat_.sync().set_typing(id_, !text.empty());
  landmarks_.mark_item("composer");
  io.KeyCtrl = ctrl;
  ImGui::PopStyleVar();
  ImGui::PopStyleColor(3);
  draw->AddRect(box_min, box_max, active ? with_alpha(p.primary, 160) : p.border, theme_.px(16), 0,
                theme_.px(1));
  if (text.empty()) {
    const char* hint = id_.empty() ? "Start a new chat to send a message" : "Message imchat…";
    text_at(draw, f.body,
            ImVec2(input_x + theme_.px(8), std::round(box_min.y + (box_height - line) / 2)),
            p.text_faint, hint);
  }
  if (submitted) {
    if (submit(text)) text.clear();
    focus_composer_ = true;
    if (!ai_chat) chat_.sync().set_typing(id_, false);
  }
  if (!editing_id_.empty() && key_pressed(ImGuiKey_Escape)) cancel_edit();
  // The textbox grows with its lines, up to eight, then scrolls.
  const float lines = static_cast<float>(std::count(text.begin(), text.end(), '\n') + 1);
  composer_lines_ = std::clamp(lines, 1.0f, 8.0f);

  // Send, or Stop while a reply is being written (Esc too).
  if (streaming && key_pressed(ImGuiKey_Escape) && stop) stop();
  const ImVec2 send_min(box_max.x - send_size - theme_.px(10),
                        box_max.y - send_size - theme_.px(10));
  ImGui::SetCursorScreenPos(send_min);
  const bool can_send = enabled && !id_.empty() && !text.empty();
  // Greyed out when there is nothing to send, and disabled to match (no hand, no click).
  ImGui::BeginDisabled(!streaming && !can_send);
  const bool pressed = ImGui::InvisibleButton("##send", ImVec2(send_size, send_size));
  ImGui::EndDisabled();
  const bool hot = ImGui::IsItemHovered();
  landmarks_.mark_item("send");
  if (pressed) {
    if (streaming) {
      if (stop) stop();
    } else if (can_send) {
      if (submit(text)) text.clear();
      focus_composer_ = true;
    }
  }
  const ImU32 fill = streaming || can_send ? (hot ? p.primary_hover : p.primary) : p.disabled_fill;
  draw->AddRectFilled(send_min, ImVec2(send_min.x + send_size, send_min.y + send_size), fill,
                      theme_.px(10));
  const ImVec2 c(send_min.x + send_size / 2, send_min.y + send_size / 2);
  const ImU32 glyph = streaming || can_send ? p.on_primary : p.text_muted;
  if (streaming) {
    const float s = theme_.px(5);
    draw->AddRectFilled(ImVec2(c.x - s, c.y - s), ImVec2(c.x + s, c.y + s), glyph, theme_.px(2));
  } else {
    // An upward arrow, drawn so it needs no icon font.
    const float a = theme_.px(7);
    draw->AddLine(ImVec2(c.x, c.y + a), ImVec2(c.x, c.y - a), glyph, theme_.px(2));
    draw->AddLine(ImVec2(c.x - a * 0.8f, c.y - a * 0.2f), ImVec2(c.x, c.y - a), glyph,
                  theme_.px(2));
    draw->AddLine(ImVec2(c.x + a * 0.8f, c.y - a * 0.2f), ImVec2(c.x, c.y - a), glyph,
                  theme_.px(2));
  }
  const char* note =
      error_.empty() ? "imchat can make mistakes. Check important info." : error_.c_str();
  const ImVec2 ns = text_size(f.small, note);
  text_at(draw, f.small, ImVec2(std::round(pos.x + (width - ns.x) / 2), box_max.y + theme_.px(10)),
          error_.empty() ? p.text_faint : p.error, note);
}

}  // namespace imchat::ui
