#include "platform/frame_damage.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace imchat::platform {
namespace {

uint64_t mix(uint64_t h, uint64_t v) {
  // splitmix64's finaliser over the running value: cheap, and any field's change moves it.
  h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ull;
  h ^= h >> 27;
  return h;
}

uint64_t bits(float f) {
  uint32_t u = 0;
  std::memcpy(&u, &f, sizeof(u));
  return u;
}

uint64_t command_key(const ImDrawCmd& cmd) {
  uint64_t h = 0x243f6a8885a308d3ull;
  h = mix(h, bits(cmd.ClipRect.x) | bits(cmd.ClipRect.y) << 32);
  h = mix(h, bits(cmd.ClipRect.z) | bits(cmd.ClipRect.w) << 32);
  h = mix(h, reinterpret_cast<uintptr_t>(cmd.TextureId));
  h = mix(h, reinterpret_cast<uintptr_t>(cmd.UserCallback));
  return h | 1;  // never 0: 0 marks a vertex no command draws
}

// The box around a run of vertices; a triangle's pixels lie inside its vertices' box.
struct Bounds {
  ImVec2 min{INFINITY, INFINITY};
  ImVec2 max{-INFINITY, -INFINITY};
  bool any() const { return min.x <= max.x; }
  void add(const ImDrawVert* begin, const ImDrawVert* end) {
    for (const ImDrawVert* v = begin; v < end; ++v) {
      min.x = std::min(min.x, v->pos.x);
      min.y = std::min(min.y, v->pos.y);
      max.x = std::max(max.x, v->pos.x);
      max.y = std::max(max.y, v->pos.y);
    }
  }
};

bool same_vertex(const ImDrawVert& a, const ImDrawVert& b) {
  return std::memcmp(&a, &b, sizeof(ImDrawVert)) == 0;
}

}  // namespace

void FrameDamage::copy(const ImDrawList& from, List& to) {
  to.owner = from._OwnerName;
  to.vertices.assign(from.VtxBuffer.Data, from.VtxBuffer.Data + from.VtxBuffer.Size);
  to.keys.assign(to.vertices.size(), 0);
  for (const ImDrawCmd& cmd : from.CmdBuffer) {
    const uint64_t key = command_key(cmd);
    const ImDrawIdx* idx = from.IdxBuffer.Data + cmd.IdxOffset;
    for (unsigned i = 0; i < cmd.ElemCount; ++i) {
      const size_t v = cmd.VtxOffset + idx[i];
      if (v < to.keys.size()) to.keys[v] = key;
    }
  }
}

DamageRect FrameDamage::update(const ImDrawData& data, bool everything) {
  const DamageRect display{data.DisplayPos, ImVec2(data.DisplayPos.x + data.DisplaySize.x,
                                                   data.DisplayPos.y + data.DisplaySize.y)};
  spare_.resize(static_cast<size_t>(std::max(0, data.CmdListsCount)));
  for (int i = 0; i < data.CmdListsCount; ++i)
    copy(*data.CmdLists[i], spare_[static_cast<size_t>(i)]);
  bool all = everything || !have_frame_ || data.DisplayPos.x != display_pos_.x ||
             data.DisplayPos.y != display_pos_.y || data.DisplaySize.x != display_size_.x ||
             data.DisplaySize.y != display_size_.y || data.FramebufferScale.x != scale_.x ||
             data.FramebufferScale.y != scale_.y || spare_.size() != lists_.size();
  Bounds damage;
  for (size_t i = 0; !all && i < spare_.size(); ++i) {
    const List& now = spare_[i];
    const List& was = lists_[i];
    if (now.owner != was.owner) {
      all = true;
      break;
    }
    const size_t n = now.vertices.size(), m = was.vertices.size();
    const size_t shorter = std::min(n, m);
    size_t prefix = 0;
    while (prefix < shorter && now.keys[prefix] == was.keys[prefix] &&
           same_vertex(now.vertices[prefix], was.vertices[prefix]))
      ++prefix;
    size_t suffix = 0;
    while (suffix < shorter - prefix && now.keys[n - 1 - suffix] == was.keys[m - 1 - suffix] &&
           same_vertex(now.vertices[n - 1 - suffix], was.vertices[m - 1 - suffix]))
      ++suffix;
    damage.add(now.vertices.data() + prefix, now.vertices.data() + (n - suffix));
    damage.add(was.vertices.data() + prefix, was.vertices.data() + (m - suffix));
  }
  std::swap(lists_, spare_);
  display_pos_ = data.DisplayPos;
  display_size_ = data.DisplaySize;
  scale_ = data.FramebufferScale;
  have_frame_ = true;
  if (all) return display;
  if (!damage.any()) return DamageRect{};
  // Whole pixels, a pixel wider each way (anti-aliased fringes, a scissor rounded at a
  // framebuffer scale other than 1), and never outside the display.
  DamageRect rect;
  rect.min.x = std::max(display.min.x, std::floor(damage.min.x) - 1);
  rect.min.y = std::max(display.min.y, std::floor(damage.min.y) - 1);
  rect.max.x = std::min(display.max.x, std::ceil(damage.max.x) + 1);
  rect.max.y = std::min(display.max.y, std::ceil(damage.max.y) + 1);
  return rect.empty() ? DamageRect{} : rect;
}

namespace {

// A C cast to int (truncation), defined for every float: NaN is 0, the rest is held far
// inside int's range so sums of two cannot overflow.
int truncate(float v) {
  if (!(v == v)) return 0;
  return static_cast<int>(std::clamp(v, -1e9f, 1e9f));
}

}  // namespace

PixelRect PixelRect::intersect(const PixelRect& o) const {
  return {std::max(x0, o.x0), std::max(y0, o.y0), std::min(x1, o.x1), std::min(y1, o.y1)};
}

PixelRect backend_scissor(const ImVec4& clip, const ImDrawData& data) {
  // imgui_impl_opengl3.cpp, ImGui_ImplOpenGL3_RenderDrawData: clip_min/clip_max, then
  // glScissor((int)clip_min.x, (int)(fb_height - clip_max.y), (int)(w), (int)(h)).
  const ImVec2 off = data.DisplayPos;
  const ImVec2 scale = data.FramebufferScale;
  const int fb_height = truncate(data.DisplaySize.y * scale.y);
  const float x0 = (clip.x - off.x) * scale.x, y0 = (clip.y - off.y) * scale.y;
  const float x1 = (clip.z - off.x) * scale.x, y1 = (clip.w - off.y) * scale.y;
  if (!(x1 > x0) || !(y1 > y0)) return {};  // skipped by the backend (NaN too)
  const int gl_x = truncate(x0), gl_y = truncate(static_cast<float>(fb_height) - y1);
  const int gl_w = truncate(x1 - x0), gl_h = truncate(y1 - y0);
  return {gl_x, fb_height - (gl_y + gl_h), gl_x + gl_w, fb_height - gl_y};
}

PixelRect to_pixels(const DamageRect& rect, const ImDrawData& data) {
  const ImVec2 off = data.DisplayPos;
  const ImVec2 scale = data.FramebufferScale;
  return {truncate(std::floor((rect.min.x - off.x) * scale.x)),
          truncate(std::floor((rect.min.y - off.y) * scale.y)),
          truncate(std::ceil((rect.max.x - off.x) * scale.x)),
          truncate(std::ceil((rect.max.y - off.y) * scale.y))};
}

void FrameDamage::clip_to(ImDrawData& data, const DamageRect& rect) {
  // Done in framebuffer pixels: clipping the float rectangles alone would let the backend's
  // truncation of origin and size apart lose the damage's last column or row (a clip from
  // x 10.6 cut at 15 became the scissor [10, 14) where the clear went to 15). Each command's
  // new rectangle sits a quarter pixel inside whole pixels, which the backend truncates
  // back to exactly them.
  const PixelRect damage = to_pixels(rect, data);
  const ImVec2 off = data.DisplayPos;
  const ImVec2 scale = data.FramebufferScale;
  const int fb_height = truncate(data.DisplaySize.y * scale.y);
  for (int i = 0; i < data.CmdListsCount; ++i) {
    for (ImDrawCmd& cmd : data.CmdLists[i]->CmdBuffer) {
      const PixelRect px = backend_scissor(cmd.ClipRect, data).intersect(damage);
      if (px.empty() || fb_height <= 0) {
        cmd.ClipRect = ImVec4(0, 0, 0, 0);  // draws nothing
        continue;
      }
      const float x0 = static_cast<float>(px.x0) + 0.25f;
      const float x1 = static_cast<float>(px.x1) + 0.5f;
      const float y1 = static_cast<float>(px.y1) - 0.25f;
      const float y0 = static_cast<float>(px.y0) - 0.5f;
      cmd.ClipRect = ImVec4(x0 / scale.x + off.x, y0 / scale.y + off.y, x1 / scale.x + off.x,
                            y1 / scale.y + off.y);
    }
  }
}

}  // namespace imchat::platform
