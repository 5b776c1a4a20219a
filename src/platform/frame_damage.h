// Which part of the screen a frame changes, from its draw lists and the last frame's: the
// renderer then redraws only that rectangle over the last frame's pixels (window_glfw.cpp
// keeps them in a framebuffer of its own). A streaming reply damages the rows it grows, a
// blinking nothing damages nothing, a scroll damages the pane it moves.
//
// How: ImGui writes each primitive's vertices and indices together, in draw order, so two
// frames that draw the same thing have the same vertex stream. Per draw list, the vertices
// both frames share at the start and at the end — each with the clip rectangle and texture
// of the command drawing it — are the same triangles, clipped the same, in the same order:
// their pixels cannot differ. What lies between (in the old frame and in the new) bounds
// every pixel that can. A new set of windows, a new display size or a new font texture
// changes everything.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <imgui.h>

namespace imchat::platform {

struct DamageRect {
  ImVec2 min{0, 0};
  ImVec2 max{0, 0};
  bool empty() const { return max.x <= min.x || max.y <= min.y; }
  float area() const { return empty() ? 0 : (max.x - min.x) * (max.y - min.y); }
};

// A rectangle of framebuffer pixels, top row 0: [x0, x1) × [y0, y1).
struct PixelRect {
  int x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  bool empty() const { return x1 <= x0 || y1 <= y0; }
  PixelRect intersect(const PixelRect& o) const;
};

// The framebuffer pixels a command with this clip rectangle draws to, rounded exactly as
// ImGui's OpenGL 3 backend rounds its glScissor (truncating origin and size apart). Both
// renderers go by it: SoftRenderer clips with it, clip_to gives the GL backend rectangles
// it rounds to the intended pixels.
PixelRect backend_scissor(const ImVec4& clip, const ImDrawData& data);

// A damage rectangle's framebuffer pixels (every pixel it touches).
PixelRect to_pixels(const DamageRect& rect, const ImDrawData& data);

class FrameDamage {
 public:
  // The region (display coordinates, snapped outwards to whole pixels) where this frame may
  // differ from the last; all of the display when `everything` or on the first frame.
  // Remembers what it needs of `data` for the next call (storage reused frame to frame).
  DamageRect update(const ImDrawData& data, bool everything);

  // Limits every command of `data` to `rect` (a command left with nothing is skipped by
  // the renderer), so drawing it redraws that rectangle alone: each command draws exactly
  // the pixels of to_pixels(rect) it drew in a full frame, no fewer (a pixel cleared and
  // left undrawn would show the background) and no more.
  static void clip_to(ImDrawData& data, const DamageRect& rect);

 private:
  struct List {
    const char* owner = nullptr;  // the window's name (ImGui keeps the pointer stable)
    std::vector<ImDrawVert> vertices;
    std::vector<uint64_t> keys;  // per vertex: its command's clip rectangle and texture
  };
  static void copy(const ImDrawList& from, List& to);

  std::vector<List> lists_;
  std::vector<List> spare_;  // last frame's storage, reused for this one
  ImVec2 display_pos_{0, 0};
  ImVec2 display_size_{0, 0};
  ImVec2 scale_{1, 1};
  bool have_frame_ = false;
};

}  // namespace imchat::platform
