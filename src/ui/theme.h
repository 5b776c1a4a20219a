// The product's look: palette, ImGui style and fonts, all scaled to device pixels.
// The UI works in device pixels (see platform/window_web.cpp), so every size below is
// logical and multiplied by the pixel ratio; fonts are rasterised at their real size rather
// than magnified (FontGlobalScale would blur them).
#pragma once

#include <string>

#include <imgui.h>

namespace imchat::ui {

// Colours of the product (docs/design.md). ImU32 is ABGR; rgb() takes 0xRRGGBB.
constexpr ImU32 rgb(unsigned hex, unsigned alpha = 255) {
  return (alpha << 24) | ((hex & 0xff) << 16) | (hex & 0xff00) | ((hex >> 16) & 0xff);
}

struct Palette {
  ImU32 primary = rgb(0x7c3aed);
  ImU32 primary_hover = rgb(0x8b5cf6);
  ImU32 secondary = rgb(0x3b82f6);
  ImU32 success = rgb(0x10b981);
  ImU32 warning = rgb(0xf59e0b);
  ImU32 error = rgb(0xef4444);
  ImU32 background = rgb(0x0f0f14);  // chat pane
  ImU32 sidebar = rgb(0x16161d);
  ImU32 surface = rgb(0x1f1f29);  // cards, composer
  ImU32 border = rgb(0x2c2c3a);
  ImU32 text = rgb(0xececf1);
  ImU32 text_muted = rgb(0x9a9aad);
  ImU32 text_faint = rgb(0x6b6b7d);
};

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

  // Rebuilds fonts and style when the pixel ratio changes. Returns true when the font atlas
  // was rebuilt (the renderer must upload it again).
  bool apply(float pixel_ratio);

  float scale() const { return scale_; }
  // Logical pixels → device pixels.
  float px(float logical) const { return logical * scale_; }
  const Palette& palette() const { return palette_; }
  const Fonts& fonts() const { return fonts_; }

 private:
  void load_fonts();
  void apply_style();

  std::string font_dir_;
  float scale_ = 0;
  Palette palette_;
  Fonts fonts_;
};

}  // namespace imchat::ui
