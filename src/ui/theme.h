// The product's look: palette, ImGui style and fonts, all scaled to device pixels.
// The UI works in device pixels (see platform/window_web.cpp), so every size below is
// logical and multiplied by the pixel ratio; fonts are rasterised at their real size rather
// than magnified (FontGlobalScale would blur them).
#pragma once

#include <cstdint>
#include <string>

#include <imgui.h>

namespace imchat::ui {

// Colours of the product (docs/design.md). ImU32 is ABGR; rgb() takes 0xRRGGBB.
constexpr ImU32 rgb(unsigned hex, unsigned alpha = 255) {
  return (alpha << 24) | ((hex & 0xff) << 16) | (hex & 0xff00) | ((hex >> 16) & 0xff);
}

// Every colour a view draws with: a light theme is another Palette, never another view.
// The same colour at another opacity (0–255).
constexpr ImU32 with_alpha(ImU32 color, unsigned alpha) {
  return (color & ~IM_COL32_A_MASK) | (static_cast<ImU32>(alpha) << IM_COL32_A_SHIFT);
}

struct Palette {
  // The product's colours, the same in both themes.
  ImU32 primary = rgb(0x7c3aed);
  ImU32 primary_hover = rgb(0x8b5cf6);
  ImU32 primary_active = rgb(0x6d28d9);
  ImU32 secondary = rgb(0x3b82f6);
  ImU32 success = rgb(0x10b981);
  ImU32 warning = rgb(0xf59e0b);
  ImU32 error = rgb(0xef4444);
  ImU32 error_hover = rgb(0xf05252);
  ImU32 on_primary = rgb(0xffffff);  // text on primary (own bubbles, buttons, badges)
  ImU32 on_primary_muted = rgb(0xe4dcfb);
  ImU32 own_code_background = rgb(0x5b21b6);  // code inside one's own (primary) bubble
  ImU32 own_code_header = rgb(0x4c1d95);
  ImU32 own_inline_code = rgb(0x6d28d9);
  ImU32 avatar_person = rgb(0x0e7490);
  // Surfaces and text: dark by default.
  ImU32 background = rgb(0x0f0f14);  // chat pane
  ImU32 sidebar = rgb(0x16161d);
  ImU32 surface = rgb(0x1f1f29);  // cards, bubbles, composer
  ImU32 surface_hover = rgb(0x2e2e3c);
  ImU32 border = rgb(0x2c2c3a);
  ImU32 row_hover = rgb(0x1d1d26);
  ImU32 row_selected = rgb(0x262633);
  ImU32 button_quiet = rgb(0x2c2c3a);  // secondary buttons (Cancel)
  ImU32 button_quiet_hover = rgb(0x36364a);
  ImU32 disabled_fill = rgb(0x3a3a4a);
  ImU32 scrollbar = rgb(0x34343f);
  ImU32 scrollbar_hot = rgb(0x4a4a5c);
  ImU32 frame_hover = rgb(0x262633);
  ImU32 frame_active = rgb(0x2b2b3a);
  ImU32 text = rgb(0xececf1);
  ImU32 text_muted = rgb(0x9a9aad);
  ImU32 text_faint = rgb(0x6b6b7d);
  ImU32 link = rgb(0x7fb0ff);
  ImU32 code_text = rgb(0xe6e6ef);
  ImU32 code_background = rgb(0x121218);
  ImU32 code_header = rgb(0x1a1a22);
  ImU32 inline_code = rgb(0x2d2d3b);
  bool dark = true;

  static Palette dark_theme() { return Palette{}; }
  static Palette light_theme();
};

// What a character outside the fonts' ranges is drawn as: U+25A1 WHITE SQUARE (Inter has no
// U+FFFD; ImGui falls back to U+FFFD, then '?', when a font lacks this too).
inline constexpr ImWchar kMissingGlyph = 0x25A1;

struct Fonts {
  ImFont* body = nullptr;       // Inter Regular 15
  ImFont* body_bold = nullptr;  // Inter SemiBold 15
  ImFont* small = nullptr;      // Inter Regular 13
  ImFont* title = nullptr;      // Inter SemiBold 26
  ImFont* italic = nullptr;     // Inter Italic 15
  ImFont* mono = nullptr;       // JetBrains Mono 13.5
  ImFont* h1 = nullptr;         // Inter SemiBold 21 (headings in messages)
  ImFont* h2 = nullptr;         // Inter SemiBold 17.5
  std::string load_error;       // set when a font file was missing (the default font is used)
};

class Theme {
 public:
  explicit Theme(std::string font_dir) : font_dir_(std::move(font_dir)) {}

  // Rebuilds fonts and style when the pixel ratio, the text size or the theme changed.
  // Returns true when the font atlas was rebuilt (the renderer must upload it again).
  bool apply(float pixel_ratio);

  // App settings; they take effect at the next apply().
  void set_light(bool light) { light_ = light; }
  bool light() const { return light_; }
  // Text size in logical px of the body font: 13–19 (15 by default). Every size scales.
  void set_text_size(float size);
  float text_size() const { return text_size_; }

  // Bumped whenever fonts or colours change: layouts cached with the old ones (fonts are
  // pointers into the atlas) must be made again.
  uint64_t generation() const { return generation_; }
  float scale() const { return scale_; }
  // Logical pixels → device pixels.
  float px(float logical) const { return logical * scale_; }
  // A control's size: on touch screens at least 40 logical px, a fingertip.
  float tap(float logical) const { return px(touch_ && logical < kMinTap ? kMinTap : logical); }
  bool touch() const { return touch_; }
  // The first apply() builds only the fonts a first frame shows (body, bold, small, title;
  // the others stand in with body) and the next apply() the rest: the app appears sooner.
  void stage_fonts() { staged_ = true; }
  void set_touch(bool touch) { touch_ = touch; }
  static constexpr float kMinTap = 40;
  const Palette& palette() const { return palette_; }
  const Fonts& fonts() const { return fonts_; }

 private:
  void load_fonts();
  void apply_style();

  std::string font_dir_;
  bool touch_ = false;  // the page's main pointer is a finger (pointer: coarse)
  float scale_ = 0;
  uint64_t generation_ = 0;
  bool staged_ = false;   // see stage_fonts()
  bool partial_ = false;  // only the first frame's fonts are built; the rest come next frame
  bool light_ = false;
  float text_size_ = 15;
  // What the fonts and style were last built for.
  bool built_light_ = false;
  float built_text_size_ = 0;
  Palette palette_;
  Fonts fonts_;
};

}  // namespace imchat::ui
