// SoftRenderer: draws Dear ImGui's draw lists into pixels of our own, with no graphics API
// at all. The web client draws with it when the browser gives no WebGL 2 (a machine whose
// GPU is blocklisted and whose Chromium keeps SwiftShader behind a flag, a remote desktop,
// a locked-down browser): a 2D canvas, which every browser has, shows its pixels.
//
// It draws what ImGui's OpenGL 3 backend draws, the way GL does, so the two look alike:
// pixel centres at +0.5, triangles with one consistent fill rule for pixels right on an edge
// (top-left in ImGui's y-down space: two triangles sharing an edge cover each pixel once, so
// a translucent quad is not darker along its diagonal), colour and
// texture coordinates interpolated across the triangle, the font atlas sampled bilinearly
// (GL_LINEAR), blended as glBlendFunc(SRC_ALPHA, ONE_MINUS_SRC_ALPHA), each command
// scissored to its clip rectangle with the backend's own rounding. The picture is opaque.
//
// Cost follows the pixels drawn: a frame draws only the rectangle it is asked to (the
// frame's damage), rows are walked between a triangle's edges only, and the rectangles
// ImGui draws most (glyphs, fills) take a path of their own.
#pragma once

#include <cstdint>
#include <vector>

#include <imgui.h>

#include "platform/frame_damage.h"  // PixelRect, backend_scissor

namespace imchat::platform {

class SoftRenderer {
 public:
  // The font atlas as ImGui bakes it (GetTexDataAsRGBA32); copied. Every command is drawn
  // with it, whatever its texture id (the app has no other texture).
  void set_texture(const unsigned char* rgba, int width, int height);

  // The framebuffer's size; its pixels are undefined after a change until redrawn.
  void resize(int width, int height);
  int width() const { return width_; }
  int height() const { return height_; }

  // Fills `rect` with `clear` (opaque) and draws every command of `data` inside it.
  void render(const ImDrawData& data, PixelRect rect, ImU32 clear);

  // RGBA, top row first, width() × height() × 4 bytes.
  const uint8_t* pixels() const { return pixels_.data(); }

 private:
  struct Vertex {  // in framebuffer pixels
    float x, y, u, v;
    ImU32 col;
  };
  void fill_rect(const Vertex& a, const Vertex& c, const PixelRect& clip);
  void fill_triangle(const Vertex& a, const Vertex& b, const Vertex& c, const PixelRect& clip);
  struct Tap {   // where GL_LINEAR reads along one axis
    int i0, i1;  // the two texels
    int weight;  // of i1, in 1/256ths
  };
  static Tap tap(float coord, int size);
  static uint32_t bilinear(uint32_t t00, uint32_t t10, uint32_t t01, uint32_t t11, int wx, int wy);
  // The atlas at (u, v), bilinear, as four 0..255 channels packed like ImU32.
  uint32_t sample(float u, float v) const;
  void blend(uint8_t* dst, uint32_t col, uint32_t texel) const;

  std::vector<uint8_t> pixels_;
  int width_ = 0;
  int height_ = 0;
  std::vector<uint32_t> texture_;
  int tex_width_ = 0;
  int tex_height_ = 0;
  std::vector<Vertex> scratch_;  // one list's vertices in framebuffer pixels
  std::vector<Tap> columns_;     // one textured rectangle's columns
};

}  // namespace imchat::platform
