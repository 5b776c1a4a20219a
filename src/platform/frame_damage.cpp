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

void FrameDamage::clip_to(ImDrawData& data, const DamageRect& rect) {
  for (int i = 0; i < data.CmdListsCount; ++i) {
    for (ImDrawCmd& cmd : data.CmdLists[i]->CmdBuffer) {
      cmd.ClipRect.x = std::max(cmd.ClipRect.x, rect.min.x);
      cmd.ClipRect.y = std::max(cmd.ClipRect.y, rect.min.y);
      cmd.ClipRect.z = std::min(cmd.ClipRect.z, rect.max.x);
      cmd.ClipRect.w = std::min(cmd.ClipRect.w, rect.max.y);
    }
  }
}

}  // namespace imchat::platform
