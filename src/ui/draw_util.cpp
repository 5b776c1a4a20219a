#include "ui/draw_util.h"

#include <algorithm>
#include <cmath>

#include <cctype>
#include <ctime>

#include <fmt/format.h>
#include <imgui_internal.h>

namespace imchat::ui {

void text_ellipsis(ImDrawList* draw, ImFont* font, ImVec2 pos, ImU32 color, std::string_view text,
                   float max_width) {
  const char* begin = text.data();
  const char* end = begin + text.size();
  if (text_size(font, text).x <= max_width) {
    draw->AddText(font, font->FontSize, pos, color, begin, end);
    return;
  }
  const char* dots = "…";
  const float dots_w = text_size(font, dots).x;
  const char* cut = nullptr;
  font->CalcTextSizeA(font->FontSize, std::max(0.0f, max_width - dots_w), 0.0f, begin, end, &cut);
  while (cut > begin && cut[-1] == ' ')
    --cut;
  const float w = font->CalcTextSizeA(font->FontSize, FLT_MAX, 0.0f, begin, cut).x;
  draw->AddText(font, font->FontSize, pos, color, begin, cut);
  draw->AddText(font, font->FontSize, ImVec2(pos.x + w, pos.y), color, dots);
}

namespace {
std::tm local(Timestamp t) {
  const std::time_t seconds = static_cast<std::time_t>(t.ms / 1000);
  std::tm out{};
  localtime_r(&seconds, &out);
  return out;
}
}  // namespace

std::string clock_time(Timestamp t) {
  const std::tm tm = local(t);
  return fmt::format("{:02}:{:02}", tm.tm_hour, tm.tm_min);
}

std::string relative_time(Timestamp t, Timestamp now) {
  const int64_t seconds = std::max<int64_t>(0, (now.ms - t.ms) / 1000);
  if (seconds < 60) return "now";
  if (seconds < 3600) return fmt::format("{}m", seconds / 60);
  if (seconds < 86400) return fmt::format("{}h", seconds / 3600);
  static const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::tm tm = local(t);
  if (seconds < 6 * 86400) return kDays[tm.tm_wday];
  return fmt::format("{} {}", kMonths[tm.tm_mon], tm.tm_mday);
}

std::string initials(std::string_view name) {
  std::string out;
  bool start = true;
  for (char c : name) {
    if (c == ' ' || c == '-' || c == '_' || c == '.' || c == '@') {
      start = true;
      if (c == '@') break;
      continue;
    }
    if (start && std::isalnum(static_cast<unsigned char>(c))) {
      out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      if (out.size() == 2) break;
    }
    start = false;
  }
  return out.empty() ? "?" : out;
}

void pulsing_dots(ImDrawList* draw, ImVec2 first_center, float spacing, float radius, ImU32 color) {
  const float t = static_cast<float>(ImGui::GetTime());
  for (int d = 0; d < 3; ++d) {
    const float phase = std::sin(t * 6.0f - static_cast<float>(d) * 0.8f) * 0.5f + 0.5f;
    draw->AddCircleFilled(ImVec2(first_center.x + static_cast<float>(d) * spacing, first_center.y),
                          radius, with_alpha(color, static_cast<unsigned>(90 + phase * 165)), 12);
  }
}

std::string_view trimmed_end(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
    text.remove_suffix(1);
  return text;
}

bool colored_button(const char* label, ImVec2 size, ImU32 fill, ImU32 hover, ImU32 text) {
  ImGui::PushStyleColor(ImGuiCol_Button, ImGui::ColorConvertU32ToFloat4(fill));
  ImGui::PushStyleColor(ImGuiCol_ButtonHovered, ImGui::ColorConvertU32ToFloat4(hover));
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(text));
  const bool pressed = ImGui::Button(label, size);
  ImGui::PopStyleColor(3);
  return pressed;
}

std::string active_field_selection() {
  if (!ImGui::GetCurrentContext()) return {};
  const ImGuiInputTextState* state = ImGui::GetInputTextState(ImGui::GetActiveID());
  if (!state || !state->HasSelection()) return {};
  const int from = std::min(state->Stb.select_start, state->Stb.select_end);
  const int to = std::min(std::max(state->Stb.select_start, state->Stb.select_end), state->CurLenW);
  if (from >= to) return {};
  std::string out(static_cast<size_t>(to - from) * 4 + 1, '\0');
  const int bytes = ImTextStrToUtf8(out.data(), static_cast<int>(out.size()),
                                    state->TextW.Data + from, state->TextW.Data + to);
  out.resize(static_cast<size_t>(bytes));
  return out;
}

std::string grouped(int64_t n) {
  // Built forwards, not by insert(): GCC 12 warns falsely (-Wrestrict) on the inserts.
  const std::string digits = std::to_string(n);
  const size_t sign = digits[0] == '-' ? 1 : 0;
  std::string out(digits, 0, sign);
  for (size_t i = sign; i < digits.size(); ++i) {
    if (i > sign && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string cost_text(double usd) {
  if (usd <= 0) return "";
  if (usd < 0.01) return fmt::format("${:.4f}", usd);
  return fmt::format("${:.2f}", usd);
}

}  // namespace imchat::ui
