#include "ui/theme.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace imchat::ui {
namespace {

ImVec4 color(ImU32 c) {
  return ImGui::ColorConvertU32ToFloat4(c);
}

bool file_exists(const std::string& path) {
  if (FILE* f = std::fopen(path.c_str(), "rb")) {
    std::fclose(f);
    return true;
  }
  return false;
}

}  // namespace

Palette Palette::light_theme() {
  Palette p;
  p.dark = false;
  p.background = rgb(0xffffff);
  p.sidebar = rgb(0xf7f7f9);
  p.surface = rgb(0xf1f1f5);
  p.surface_hover = rgb(0xe6e6ee);
  p.border = rgb(0xe2e2ea);
  p.row_hover = rgb(0xededf2);
  p.row_selected = rgb(0xe5e3f3);
  p.button_quiet = rgb(0xe8e8ef);
  p.button_quiet_hover = rgb(0xdcdce6);
  p.disabled_fill = rgb(0xd4d4de);
  p.scrollbar = rgb(0xd0d0da);
  p.scrollbar_hot = rgb(0xb4b4c2);
  p.frame_hover = rgb(0xe9e9f0);
  p.frame_active = rgb(0xe2e2ea);
  p.text = rgb(0x1b1b24);
  p.text_muted = rgb(0x5f5f70);
  p.text_faint = rgb(0x8e8e9e);
  p.link = rgb(0x2563eb);
  p.code_text = rgb(0x24242e);
  p.code_background = rgb(0xf6f6f9);
  p.code_header = rgb(0xebebf1);
  p.inline_code = rgb(0xe4e4ec);
  return p;
}

void Theme::set_text_size(float size) {
  text_size_ = std::clamp(std::round(size), 13.0f, 19.0f);
}

bool Theme::apply(float pixel_ratio) {
  // Snap to quarter steps: a ratio of 1.0000001 after a zoom must not rebuild the atlas.
  const float snapped = std::max(0.5f, std::round(pixel_ratio * 4.0f) / 4.0f);
  if (snapped == scale_ && light_ == built_light_ && text_size_ == built_text_size_ && !partial_)
    return false;
  // The very first frame gets the fonts it can show (no message is loaded before it: that
  // takes a round trip); the rest follow on the next frame. Rasterising is most of the time
  // to the first frame on the web.
  const bool fonts_change = snapped != scale_ || text_size_ != built_text_size_ || partial_;
  partial_ = staged_ && generation_ == 0;
  scale_ = snapped;
  ++generation_;
  built_light_ = light_;
  built_text_size_ = text_size_;
  palette_ = light_ ? Palette::light_theme() : Palette::dark_theme();
  if (fonts_change) load_fonts();
  apply_style();
  return fonts_change;
}

void Theme::load_fonts() {
  ImGuiIO& io = ImGui::GetIO();
  io.Fonts->Clear();
  fonts_ = Fonts{};
  ImFontConfig config;
  config.OversampleV = 1;
  config.PixelSnapH = false;
  // Latin, Latin-1, Latin Extended-A, Greek, Cyrillic (with the Supplement), general
  // punctuation (… “ ” • ·), arrows, box drawing and geometric shapes. Inter and JetBrains
  // Mono cover all of it; a glyph a range names but a font lacks is simply not baked. The
  // build cuts the font files to these ranges (IMCHAT_FONT_UNICODES, src/CMakeLists.txt).
  static const ImWchar kRanges[] = {0x0020, 0x00FF, 0x0100, 0x017F, 0x0370, 0x03FF, 0x0400,
                                    0x052F, 0x2000, 0x206F, 0x2190, 0x21FF, 0x2500, 0x257F,
                                    0x25A0, 0x25FF, 0xFFFD, 0xFFFD, 0};
  // Latin only: the welcome heading (English UI text, and the size that costs the most),
  // and every font of the very first frame (below).
  static const ImWchar kLatin[] = {0x0020, 0x00FF, 0x2000, 0x206F, 0x25A0,
                                   0x25FF, 0xFFFD, 0xFFFD, 0};
  auto load = [&](const char* file, float size, const ImWchar* ranges) -> ImFont* {
    const std::string path = font_dir_ + "/" + file;
    if (!file_exists(path)) {
      if (fonts_.load_error.empty()) fonts_.load_error = "missing font " + path;
      return nullptr;
    }
    const float sized = size * text_size_ / 15.0f;  // the body font is 15 at the default size
    // Horizontal oversampling keeps small text even at ratio 1; large or HiDPI text does not
    // need it, and it doubles the rasterising time of the first frame.
    config.OversampleH = sized * scale_ < 17 ? 2 : 1;
    ImFont* font =
        io.Fonts->AddFontFromFileTTF(path.c_str(), std::round(sized * scale_), &config, ranges);
    // A character no font here has (CJK, emoji) shows as a box, never as nothing and never
    // as a '?' that reads like text. U+FFFD where the font has it, else a white square.
    if (font) font->FallbackChar = kMissingGlyph;
    return font;
  };
  // The first frame shows only the app's own (English) words: no message, name or draft
  // has been read yet — the list takes a round trip — so it bakes Latin, a third of the
  // glyphs. The next frame bakes everything.
  const ImWchar* first = partial_ ? kLatin : kRanges;
  fonts_.body = load("Inter-Regular.otf", 15, first);
  fonts_.body_bold = load("Inter-SemiBold.otf", 15, first);
  fonts_.small = load("Inter-Regular.otf", 13, first);
  fonts_.title = load("Inter-SemiBold.otf", 26, kLatin);
  if (!partial_) {
    fonts_.italic = load("Inter-Italic.otf", 15, kRanges);
    fonts_.mono = load("JetBrainsMono-Regular.ttf", 13.5f, kRanges);
    fonts_.h1 = load("Inter-SemiBold.otf", 21, kRanges);
    fonts_.h2 = load("Inter-SemiBold.otf", 17.5f, kRanges);
  }
  if (!fonts_.body) {
    ImFontConfig fallback;
    fallback.SizePixels = std::round(13 * scale_);
    fonts_.body = io.Fonts->AddFontDefault(&fallback);
  }
  if (!fonts_.body_bold) fonts_.body_bold = fonts_.body;
  if (!fonts_.small) fonts_.small = fonts_.body;
  if (!fonts_.title) fonts_.title = fonts_.body_bold;
  if (!fonts_.italic) fonts_.italic = fonts_.body;
  if (!fonts_.mono) fonts_.mono = fonts_.body;
  if (!fonts_.h1) fonts_.h1 = fonts_.body_bold;
  if (!fonts_.h2) fonts_.h2 = fonts_.body_bold;
  io.FontDefault = fonts_.body;
  io.Fonts->Build();
}

void Theme::apply_style() {
  ImGuiStyle style;  // fresh, so repeated scaling never compounds
  if (palette_.dark) {
    ImGui::StyleColorsDark(&style);
  } else {
    ImGui::StyleColorsLight(&style);
  }
  style.WindowPadding = ImVec2(0, 0);
  style.WindowBorderSize = 0;
  style.WindowRounding = 0;
  style.ChildBorderSize = 0;
  style.FramePadding = ImVec2(12, 9);
  style.FrameRounding = 10;
  style.ItemSpacing = ImVec2(8, 8);
  style.ScrollbarSize = 10;
  style.ScrollbarRounding = 8;
  style.GrabRounding = 8;
  style.PopupRounding = 10;
  style.ScaleAllSizes(scale_);

  ImVec4* c = style.Colors;
  c[ImGuiCol_WindowBg] = color(palette_.background);
  c[ImGuiCol_ChildBg] = ImVec4(0, 0, 0, 0);
  c[ImGuiCol_PopupBg] = color(palette_.surface);
  c[ImGuiCol_Border] = color(palette_.border);
  c[ImGuiCol_Text] = color(palette_.text);
  c[ImGuiCol_TextDisabled] = color(palette_.text_faint);
  c[ImGuiCol_FrameBg] = color(palette_.surface);
  c[ImGuiCol_FrameBgHovered] = color(palette_.frame_hover);
  c[ImGuiCol_FrameBgActive] = color(palette_.frame_active);
  c[ImGuiCol_Button] = color(palette_.primary);
  c[ImGuiCol_ButtonHovered] = color(palette_.primary_hover);
  c[ImGuiCol_ButtonActive] = color(palette_.primary_active);
  c[ImGuiCol_Header] = color(palette_.row_selected);
  c[ImGuiCol_HeaderHovered] = color(palette_.row_hover);
  c[ImGuiCol_HeaderActive] = color(palette_.row_selected);
  c[ImGuiCol_ScrollbarBg] = ImVec4(0, 0, 0, 0);
  c[ImGuiCol_ScrollbarGrab] = color(palette_.scrollbar);
  c[ImGuiCol_ScrollbarGrabHovered] = color(palette_.scrollbar_hot);
  c[ImGuiCol_ScrollbarGrabActive] = color(palette_.primary);
  c[ImGuiCol_CheckMark] = color(palette_.primary);
  c[ImGuiCol_SliderGrab] = color(palette_.primary);
  c[ImGuiCol_TextSelectedBg] = color(rgb(0x7c3aed, 110));
  c[ImGuiCol_NavHighlight] = color(palette_.primary);
  c[ImGuiCol_Separator] = color(palette_.border);
  ImGui::GetStyle() = style;
}

}  // namespace imchat::ui
