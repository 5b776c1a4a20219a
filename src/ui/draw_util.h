// Small drawing helpers shared by the views: text at a position, measured text, a line
// cut with an ellipsis, times as a chat shows them. None allocates per frame except where
// it returns a string (only for rows being laid out, not for every visible frame).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <imgui.h>

#include "model/preview.h"
#include "model/time.h"

#include "ui/theme.h"

namespace imchat::ui {

inline void text_at(ImDrawList* draw, ImFont* font, ImVec2 pos, ImU32 color,
                    std::string_view text) {
  draw->AddText(font, font->FontSize, pos, color, text.data(), text.data() + text.size());
}

inline ImVec2 text_size(ImFont* font, std::string_view text) {
  return font->CalcTextSizeA(font->FontSize, FLT_MAX, 0.0f, text.data(), text.data() + text.size());
}

// One line of text no wider than max_width: cut at a character and ended with "…".
void text_ellipsis(ImDrawList* draw, ImFont* font, ImVec2 pos, ImU32 color, std::string_view text,
                   float max_width);

// "14:05" in the viewer's time zone.
std::string clock_time(Timestamp t);
// "now", "5m", "3h", "Tue", "Nov 3" — a sidebar row's age.
std::string relative_time(Timestamp t, Timestamp now);

// "1,234"
std::string grouped(int64_t n);
// A reply's cost: "$0.0012" under a cent, "$1.23" above; "" for none.
std::string cost_text(double usd);

// Up to two initials of a name ("Ada Lovelace" → "AL"), "?" for none.
std::string initials(std::string_view name);

// A key pressed this frame (its auto-repeats not counted).
inline bool key_pressed(ImGuiKey key) {
  return ImGui::IsKeyPressed(ImGui::GetKeyIndex(key), false);
}

// An ImGui button in these colours (fill, fill when hovered, label).
bool colored_button(const char* label, ImVec2 size, ImU32 fill, ImU32 hover, ImU32 text);
// The secondary button of a dialog (Cancel, Reset).
inline bool quiet_button(const Palette& p, const char* label, ImVec2 size) {
  return colored_button(label, size, p.button_quiet, p.button_quiet_hover, p.text);
}

// Three dots that pulse in turn ("typing…"), the first centred at first_center.
void pulsing_dots(ImDrawList* draw, ImVec2 first_center, float spacing, float radius, ImU32 color);

// What the composer sends: its text without trailing blank lines and spaces.
std::string_view trimmed_end(std::string_view text);

// The text selected in the active text field (the composer, a rename box), or "": what
// Ctrl/Cmd+C and Ctrl/Cmd+X take from it.
std::string active_field_selection();

}  // namespace imchat::ui
