// Small drawing helpers shared by the views: text at a position, measured text, a line
// cut with an ellipsis, times as a chat shows them. None allocates per frame except where
// it returns a string (only for rows being laid out, not for every visible frame).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <imgui.h>

#include "model/time.h"

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

// The first line of a message for a preview: Markdown marks and newlines become spaces.
std::string preview_line(std::string_view content, size_t max_bytes = 160);

// "14:05" in the viewer's time zone.
std::string clock_time(Timestamp t);
// "now", "5m", "3h", "Tue", "Nov 3" — a sidebar row's age.
std::string relative_time(Timestamp t, Timestamp now);

// Up to two initials of a name ("Ada Lovelace" → "AL"), "?" for none.
std::string initials(std::string_view name);

}  // namespace imchat::ui
