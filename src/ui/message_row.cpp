// MessageRows (message_row.h): a message's layout, cached, and its painting.
#include "ui/message_row.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <fmt/format.h>
#include <imgui.h>

#include "ui/draw_util.h"

namespace imchat::ui {

RichTextStyle message_text_style(const Theme& theme, bool own) {
  const Fonts& f = theme.fonts();
  const Palette& p = theme.palette();
  RichTextStyle style;
  style.body = f.body;
  style.bold = f.body_bold;
  style.italic = f.italic;
  style.mono = f.mono;
  style.small = f.small;
  style.h1 = f.h1;
  style.h2 = f.h2;
  style.scale = theme.scale();
  style.border = p.border;
  style.accent = p.primary;
  if (own) {
    style.text = p.on_primary;
    style.muted = p.on_primary_muted;
    style.link = p.on_primary;
    style.code_text = p.on_primary;
    style.code_background = p.own_code_background;
    style.code_header = p.own_code_header;
    style.inline_code_background = p.own_inline_code;
  } else {
    style.text = p.text;
    style.muted = p.text_muted;
    style.link = p.link;
    style.code_text = p.code_text;
    style.code_background = p.code_background;
    style.code_header = p.code_header;
    style.inline_code_background = p.inline_code;
  }
  return style;
}

void MessageRows::begin_frame() {
  ++frame_;
  animating_ = false;
  if (theme_.generation() != theme_generation_) {
    rows_.clear();  // laid out with fonts and colours that are gone
    theme_generation_ = theme_.generation();
  }
}

void MessageRows::end_frame() {
  if (rows_.size() <= 256) return;
  for (auto it = rows_.begin(); it != rows_.end();)
    it = it->second.used + 2 < frame_ ? rows_.erase(it) : std::next(it);
}

void MessageRows::finish_selection() {
  ImGuiIO& io = ImGui::GetIO();
  if (!ImGui::IsMouseDown(0)) selecting_ = false;
  if (ImGui::IsMouseClicked(0) && !sel_started_ && ImGui::IsWindowHovered()) sel_id_.clear();
  sel_started_ = false;
  if (!sel_id_.empty() && !io.WantTextInput && (io.KeyCtrl || io.KeySuper) &&
      ImGui::IsKeyPressed('C', false)) {
    const std::string copied = selection();
    if (!copied.empty()) ImGui::SetClipboardText(copied.c_str());
  }
}

float MessageRows::estimate_height(const Message& message, float column) const {
  const Fonts& f = theme_.fonts();
  const float text_w = std::max(theme_.px(120), column * 0.75f);
  const float chars_per_line = std::max(10.0f, text_w / (f.body->FontSize * 0.5f));
  const float lines = std::ceil(static_cast<float>(message.content.size()) / chars_per_line) + 1;
  return lines * std::round(f.body->FontSize * 1.6f) + theme_.px(60);
}

MessageRows::Row& MessageRows::layout(const std::shared_ptr<const Message>& message, float column) {
  const Fonts& f = theme_.fonts();
  auto found = rows_.find(message.get());
  if (found == rows_.end()) {
    // A new version of a message laid out before (a reply growing, an edit) takes over its
    // old row, so replaced versions and their layouts never pile up in the cache.
    Row reused;
    const auto old = std::find_if(rows_.begin(), rows_.end(), [&](const auto& entry) {
      return entry.second.message->id == message->id;
    });
    if (old != rows_.end()) {
      reused = std::move(old->second);
      rows_.erase(old);
    }
    found = rows_.emplace(message.get(), std::move(reused)).first;
  }
  Row& row = found->second;
  row.used = frame_;
  const bool own = message->role == MessageRole::kUser &&
                   (!message->author_id || *message->author_id == chat_.session().user.id);
  const float pad_x = theme_.px(16);
  const float text_w = own ? std::min(column * 0.8f, theme_.px(620)) - 2 * pad_x
                           : column - theme_.px(42) - 2 * pad_x;
  if (row.message == message && row.text_width == text_w) return row;
  // A streaming reply grows at its end: only what follows its settled part is parsed and laid
  // out again. Any other change (an edit, the reply's end) parses the text whole.
  uint32_t unchanged_blocks = 0;
  if (row.message != message) {
    // A view: a ternary with a temporary would copy the whole reply every frame.
    const std::string_view before =
        row.message ? std::string_view(row.message->content) : std::string_view();
    const bool grows = row.message && message->status == MessageStatus::kStreaming &&
                       message->content.size() >= row.settled.source &&
                       std::string_view(message->content).substr(0, row.settled.source) ==
                           before.substr(0, row.settled.source);
    if (grows) {
      const uint32_t kept = markdown::parse_growing(message->content, row.doc, row.settled);
      unchanged_blocks = row.text_width == text_w ? kept : 0;
    } else {
      row.settled = markdown::Settled{};
      row.doc = markdown::parse(message->content);
    }
    row.message = message;
  }
  row.own = own;
  row.text_width = text_w;
  const RichTextStyle style = message_text_style(theme_, own);
  if (unchanged_blocks > 0)
    relayout_rich_text(row.doc, unchanged_blocks, std::max(theme_.px(40), text_w), style, row.text);
  else
    row.text = layout_rich_text(row.doc, std::max(theme_.px(40), text_w), style);
  ++layouts_made_;
  const float line = std::round(f.body->FontSize * 1.6f);
  const float bubble_h = std::max(row.text.height, line) + 2 * theme_.px(11);
  row.height = theme_.px(6) + bubble_h + theme_.px(6) + f.small->FontSize + theme_.px(14);

  // The muted line under the bubble: time, and for replies what they cost.
  const Message& m = *message;
  row.meta = m.seq > 0 ? clock_time(m.created_at) : "";
  auto add = [&](const std::string& part) {
    if (part.empty()) return;
    if (!row.meta.empty()) row.meta += "  ·  ";
    row.meta += part;
  };
  if (m.role == MessageRole::kAssistant) {
    if (m.status == MessageStatus::kStreaming) {
      add("Writing…");
    } else if (m.status == MessageStatus::kCancelled) {
      add("Stopped");
    } else if (m.status == MessageStatus::kError) {
      add("Reply failed");
    }
    if (m.metadata && m.status != MessageStatus::kStreaming) {
      if (m.metadata->model) add(*m.metadata->model);
      if (m.metadata->usage) {
        add(grouped(m.metadata->usage->total_tokens) + " tokens");
        add(cost_text(m.metadata->usage->estimated_cost));
      }
      if (m.metadata->latency_ms) add(fmt::format("{:.1f} s", *m.metadata->latency_ms / 1000.0));
    }
  }
  return row;
}

std::string MessageRows::selection() const {
  if (sel_id_.empty() || sel_anchor_ == sel_focus_) return "";
  for (const auto& [key, row] : rows_) {
    if (!row.message || row.message->id != sel_id_) continue;
    const uint32_t a = std::min(sel_anchor_, sel_focus_);
    const uint32_t b = std::min<uint32_t>(std::max(sel_anchor_, sel_focus_),
                                          static_cast<uint32_t>(row.doc.text.size()));
    return a < b ? row.doc.text.substr(a, b - a) : std::string();
  }
  return "";
}

void MessageRows::draw(ImDrawList* draw, Row& row, ImVec2 pos, float column, ImVec2 clip_min,
                       ImVec2 clip_max, int actions, const Context& context) {
  const Palette& p = theme_.palette();
  const Fonts& f = theme_.fonts();
  const Message& m = *row.message;
  const float pad_x = theme_.px(16);
  const float pad_y = theme_.px(11);
  const float line = std::round(f.body->FontSize * 1.6f);
  const bool dots = m.status == MessageStatus::kStreaming && m.content.empty();
  const float text_w = std::max(row.text.width, dots ? theme_.px(36) : theme_.px(8));
  const ImVec2 bubble(text_w + 2 * pad_x, std::max(row.text.height, line) + 2 * pad_y);
  const float top = pos.y + theme_.px(6);
  ImVec2 min;
  if (row.own) {
    min = ImVec2(pos.x + column - bubble.x, top);
  } else {
    // Avatar: a disc with initials (the assistant gets the product's mark colour).
    const float r = theme_.px(15);
    const ImVec2 c(pos.x + r, top + r);
    const bool assistant = m.role == MessageRole::kAssistant;
    draw->AddCircleFilled(c, r, assistant ? p.secondary : p.avatar_person, 32);
    const std::string who = assistant ? "AI" : initials(context.name_of(m.author_id.value_or("")));
    const ImVec2 ws = text_size(f.small, who);
    text_at(draw, f.small, ImVec2(std::round(c.x - ws.x / 2), std::round(c.y - ws.y / 2)),
            p.on_primary, who);
    min = ImVec2(pos.x + theme_.px(42), top);
  }
  const ImVec2 max(min.x + bubble.x, min.y + bubble.y);
  const float rounding = theme_.px(16);
  draw->AddRectFilled(min, max, row.own ? p.primary : p.surface, rounding);
  if (!row.own) draw->AddRect(min, max, p.border, rounding);
  const ImVec2 text_origin(min.x + pad_x, min.y + pad_y);
  SideScroll scroll;  // how far its code panels and tables are scrolled sideways
  if (dots) {
    // Typing: three dots that pulse in turn.
    animating_ = true;
    pulsing_dots(draw, ImVec2(text_origin.x + theme_.px(6), text_origin.y + line / 2),
                 theme_.px(12), theme_.px(3.5f), p.text_muted);
  } else {
    // Sideways: a code panel or table under the pointer that does not fit its bubble takes
    // the wheel's sideways amount (a trackpad's swipe, Shift and the wheel, a finger's),
    // ~90 px a notch as the list moves up and down.
    ImGuiIO& io = ImGui::GetIO();
    std::vector<float>* offsets = nullptr;
    if (!row.text.scrolls.empty()) {
      if (const auto it = side_scrolls_.find(m.id); it != side_scrolls_.end())
        offsets = &it->second;
      const float sideways = io.MouseWheelH + (io.KeyShift ? io.MouseWheel : 0.0f);
      for (size_t k = 0; k < row.text.scrolls.size(); ++k) {
        const ScrollArea& area = row.text.scrolls[k];
        const ImVec2 a(text_origin.x + area.view_min.x, text_origin.y + area.view_min.y);
        const ImVec2 b(text_origin.x + area.view_max.x, text_origin.y + area.view_max.y);
        char mark[112];
        std::snprintf(mark, sizeof mark, "scroll.%s.%zu", m.id.c_str(), k);
        landmarks_.mark(mark, a, b);
        if (sideways == 0 || !ImGui::IsWindowHovered() || !ImGui::IsMouseHoveringRect(a, b))
          continue;
        if (!offsets) {
          if (side_scrolls_.size() >= kMaxSideScrolls) side_scrolls_.clear();
          offsets = &side_scrolls_[m.id];
        }
        if (offsets->size() < row.text.scrolls.size())
          offsets->resize(row.text.scrolls.size(), 0.0f);
        float& offset = (*offsets)[k];
        offset = std::clamp(offset - sideways * theme_.px(90), 0.0f, area.max_scroll());
        side_scroll_last_ = offset;
        side_max_scroll_last_ = area.max_scroll();
        io.MouseWheelH = 0;  // taken: nothing else moves sideways
        if (io.KeyShift) io.MouseWheel = 0;
      }
    }
    if (offsets) scroll = SideScroll(*offsets);
    // Selecting: a press on the text starts a range, dragging extends it (even outside
    // the bubble), anywhere else clears it. Links and Copy buttons keep their clicks.
    const ImVec2 mouse = ImGui::GetIO().MousePos;
    const ImVec2 local(mouse.x - text_origin.x, mouse.y - text_origin.y);
    const bool over_text = ImGui::IsWindowHovered() && local.x >= 0 && local.y >= 0 &&
                           local.x <= row.text.width && local.y <= row.text.height;
    bool over_control = false;
    for (size_t i = 0; i < row.text.links.size(); ++i) {
      const LinkArea& link = row.text.links[i];
      bool shown = true;
      const float dx = link_shift(row.text, scroll, i, shown);
      over_control |= shown && local.x >= link.min.x - dx && local.x <= link.max.x - dx &&
                      local.y >= link.min.y && local.y <= link.max.y;
    }
    for (const CodeArea& code : row.text.code)
      over_control |= local.x >= code.copy_min.x && local.x <= code.copy_max.x &&
                      local.y >= code.copy_min.y && local.y <= code.copy_max.y;
    if (over_text && !over_control) ImGui::SetMouseCursor(ImGuiMouseCursor_TextInput);
    if (over_text && !over_control && ImGui::IsMouseClicked(0)) {
      sel_id_ = m.id;
      sel_anchor_ = sel_focus_ = hit_test(row.doc, row.text, local, scroll);
      selecting_ = true;
      sel_started_ = true;
    }
    const bool mine = !sel_id_.empty() && sel_id_ == m.id;
    if (mine && selecting_ && ImGui::IsMouseDown(0))
      sel_focus_ = hit_test(row.doc, row.text, local, scroll);
    if (mine && sel_anchor_ != sel_focus_) {
      const ImU32 highlight = row.own ? IM_COL32(255, 255, 255, 70) : with_alpha(p.secondary, 90);
      draw_selection(draw, row.doc, row.text, text_origin, sel_anchor_, sel_focus_, highlight,
                     scroll);
    }
    draw_rich_text(draw, row.doc, row.text, text_origin, clip_min, clip_max, scroll);
  }

  // Links and code-block Copy buttons inside the bubble.
  const bool clicked = ImGui::IsMouseClicked(0) && ImGui::IsWindowHovered();
  for (size_t i = 0; i < row.text.links.size(); ++i) {
    const LinkArea& link = row.text.links[i];
    bool shown = true;
    const float dx = link_shift(row.text, scroll, i, shown);
    const ImVec2 a(text_origin.x + link.min.x - dx, text_origin.y + link.min.y);
    const ImVec2 b(text_origin.x + link.max.x - dx, text_origin.y + link.max.y);
    if (shown && ImGui::IsMouseHoveringRect(a, b) && ImGui::IsWindowHovered()) {
      ImGui::SetMouseCursor(ImGuiMouseCursor_Hand);
      const std::string& href = row.doc.links[static_cast<size_t>(link.link)];
      ImGui::SetTooltip("%s", href.c_str());
      if (clicked && open_url) open_url(href);
    }
  }
  for (const CodeArea& code : row.text.code) {
    const ImVec2 a(text_origin.x + code.copy_min.x, text_origin.y + code.copy_min.y);
    const ImVec2 b(text_origin.x + code.copy_max.x, text_origin.y + code.copy_max.y);
    if (ImGui::IsMouseHoveringRect(a, b) && ImGui::IsWindowHovered()) {
      ImGui::SetMouseCursor(ImGuiMouseCursor_Hand);
      draw->AddRect(a, b, p.border, theme_.px(6));
      if (clicked) {
        ImGui::SetClipboardText(row.doc.block_text(row.doc.blocks[code.block]).c_str());
      }
    }
  }

  // The line under the bubble: time, delivery or the reply's cost; Copy on hover.
  std::string meta = row.meta;
  ImU32 meta_color = p.text_faint;
  if (row.own && m.seq == 0) {
    const sdk::Delivery delivery = chat_.sync().delivery(m);
    meta = delivery == sdk::Delivery::kFailed ? "Not sent" : "Sending…";
    if (delivery == sdk::Delivery::kFailed) meta_color = p.error;
  } else if (m.status == MessageStatus::kError) {
    meta_color = p.error;
  }
  if (context.receipts) {
    if (const auto it = context.receipts->find(m.id); it != context.receipts->end()) {
      meta += meta.empty() ? "" : "  ·  ";
      meta += it->second;
    }
  }
  const float meta_y = max.y + theme_.px(5);
  const ImVec2 meta_size = text_size(f.small, meta);
  const float meta_x = row.own ? max.x - meta_size.x - theme_.px(4) : min.x + theme_.px(4);
  text_at(draw, f.small, ImVec2(meta_x, meta_y), meta_color, meta);
  // Still "hovered" while one of its own buttons is held down, or the button would vanish
  // between press and release and never fire.
  const bool hovered =
      ImGui::IsWindowHovered(ImGuiHoveredFlags_AllowWhenBlockedByActiveItem) &&
      ImGui::IsMouseHoveringRect(ImVec2(pos.x, pos.y), ImVec2(pos.x + column, pos.y + row.height));
  // Actions: Retry a failed send; Copy any message.
  ImGui::PushFont(f.small);
  ImGui::PushStyleColor(ImGuiCol_Button, ImVec4(0, 0, 0, 0));
  ImGui::PushStyleColor(ImGuiCol_ButtonHovered, ImGui::ColorConvertU32ToFloat4(p.surface));
  ImGui::PushStyleColor(ImGuiCol_ButtonActive, ImGui::ColorConvertU32ToFloat4(p.border));
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(p.text_muted));
  ImGui::PushStyleVar(ImGuiStyleVar_FramePadding, ImVec2(theme_.px(6), theme_.px(1)));
  ImGui::PushID(&row);
  float x = row.own ? meta_x - theme_.px(8) : meta_x + meta_size.x + theme_.px(8);
  auto action = [&](const char* label) {
    const float w = text_size(f.small, label).x + theme_.px(12);
    if (row.own) x -= w;
    // On a touch screen the button is a fingertip tall, centred on its line.
    const float natural = f.small->FontSize + theme_.px(2);
    const float h = theme_.touch() ? std::max(natural, theme_.px(Theme::kMinTap)) : natural;
    ImGui::SetCursorScreenPos(ImVec2(x, meta_y - theme_.px(1) - (h - natural) / 2));
    const bool pressed = ImGui::Button(label, ImVec2(w, h));
    if (!row.own)
      x += w + theme_.px(4);
    else
      x -= theme_.px(4);
    return pressed;
  };
  if (row.own && m.seq == 0 && chat_.sync().delivery(m) == sdk::Delivery::kFailed && m.client_id) {
    if (action("Retry")) chat_.sync().retry(*m.client_id);
  }
  {
    char mark[96];  // a stack buffer: rows are marked every frame
    std::snprintf(mark, sizeof mark, "message.%s", m.id.c_str());
    landmarks_.mark(mark, ImVec2(pos.x, pos.y), ImVec2(pos.x + column, pos.y + row.height));
  }
  // The latest reply shows its actions always (the next step is usually about it); other
  // rows on hover.
  const bool show = hovered || (actions & kRegenerate);
  if (show && !m.content.empty()) {
    if (action("Copy")) ImGui::SetClipboardText(m.content.c_str());
    landmarks_.mark_item("message.copy");
  }
  if (show && (actions & kRegenerate)) {
    if (action("Regenerate")) {
      chat_.sync().regenerate(m.id, [this](Result<Ok> done) {
        if (!done && on_error) on_error("Could not regenerate: " + done.error().message);
      });
    }
    landmarks_.mark_item("message.regenerate");
  }
  if (hovered && (actions & kEdit) && context.editing_id != m.id) {
    if (action("Edit") && edit) {
      const auto list = chat_.sync().messages(m.conversation_id);
      const bool reply_after = list && !list->items.empty() &&
                               list->items.back()->role == MessageRole::kAssistant &&
                               list->items.back().get() != &m;
      edit(m, reply_after ? list->items.back()->id : std::string());
    }
    landmarks_.mark_item("message.edit");
  }
  ImGui::PopID();
  ImGui::PopStyleVar();
  ImGui::PopStyleColor(4);
  ImGui::PopFont();
}

}  // namespace imchat::ui
