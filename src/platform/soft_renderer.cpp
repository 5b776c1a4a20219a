#include "platform/soft_renderer.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace imchat::platform {
namespace {

// floor/ceil to int for any float: NaN is 0, huge values are held inside int's range (a
// pixel far off the framebuffer is as good as any other there).
inline int to_int(float v) {
  if (!(v == v)) return 0;
  return static_cast<int>(std::clamp(v, -1e9f, 1e9f));
}
inline int floor_int(float v) {
  return to_int(std::floor(v));
}
inline int ceil_int(float v) {
  return to_int(std::ceil(v));
}

// a·b / 255, rounded, for bytes (exact for every pair).
inline uint32_t mul255(uint32_t a, uint32_t b) {
  const uint32_t x = a * b + 128;
  return (x + (x >> 8)) >> 8;
}

inline uint32_t channel(uint32_t packed, int i) {
  return (packed >> (8 * i)) & 0xFF;
}

inline uint32_t modulate(uint32_t col, uint32_t texel) {
  return mul255(channel(col, 0), channel(texel, 0)) |
         mul255(channel(col, 1), channel(texel, 1)) << 8 |
         mul255(channel(col, 2), channel(texel, 2)) << 16 |
         mul255(channel(col, 3), channel(texel, 3)) << 24;
}

// The source pixel (colour × texel) over the destination; the destination stays opaque.
inline void blend_pixel(uint8_t* dst, uint32_t src) {
  const uint32_t a = src >> 24;
  if (a == 0) return;
  if (a == 255) {
    dst[0] = static_cast<uint8_t>(src);
    dst[1] = static_cast<uint8_t>(src >> 8);
    dst[2] = static_cast<uint8_t>(src >> 16);
    dst[3] = 255;
    return;
  }
  for (int i = 0; i < 3; ++i)
    dst[i] = static_cast<uint8_t>(mul255(channel(src, i), a) + mul255(dst[i], 255 - a));
}

// The half-plane of the edge p→q, computed the same way whichever triangle asks (from the
// lesser endpoint), so two triangles sharing an edge see exactly opposite values at every
// pixel and the tie rule below gives each pixel to one of them.
struct Edge {
  float ax, ay, dx, dy;  // the lesser endpoint and q − p from it
  float sign;            // +1 or −1 so that the inside is positive
  bool takes_ties;
  float at(float x, float y) const { return sign * ((x - ax) * dy - (y - ay) * dx); }
};

Edge make_edge(float px, float py, float qx, float qy, float inside_sign) {
  const bool swap = qy < py || (qy == py && qx < px);
  Edge e;
  e.ax = swap ? qx : px;
  e.ay = swap ? qy : py;
  e.dx = swap ? px - qx : qx - px;
  e.dy = swap ? py - qy : qy - py;
  e.sign = swap ? -inside_sign : inside_sign;
  // Of the two triangles on either side, the one whose inside lies towards +x (or +y for
  // a horizontal edge) takes the pixels right on it.
  const float nx = e.sign * e.dy, ny = -e.sign * e.dx;  // the inside's normal
  e.takes_ties = nx > 0 || (nx == 0 && ny > 0);
  return e;
}

inline bool inside(const Edge& e, float x, float y) {
  const float w = e.at(x, y);
  return w > 0 || (w == 0 && e.takes_ties);
}

}  // namespace

void SoftRenderer::set_texture(const unsigned char* rgba, int width, int height) {
  tex_width_ = std::max(0, width);
  tex_height_ = std::max(0, height);
  texture_.assign(static_cast<size_t>(tex_width_) * tex_height_, 0);
  if (rgba && !texture_.empty()) std::memcpy(texture_.data(), rgba, texture_.size() * 4);
}

void SoftRenderer::resize(int width, int height) {
  width = std::max(0, width);
  height = std::max(0, height);
  if (width == width_ && height == height_) return;
  width_ = width;
  height_ = height;
  pixels_.assign(static_cast<size_t>(width_) * height_ * 4, 0);
}

SoftRenderer::Tap SoftRenderer::tap(float coord, int size) {
  // GL_LINEAR: the two texels around coord·size − ½, the second weighted in 1/256ths.
  const float t = coord * static_cast<float>(size) - 0.5f;
  const float first = std::floor(t);
  const int i = to_int(first);
  return {std::clamp(i, 0, size - 1), std::clamp(i + 1, 0, size - 1),
          std::clamp(to_int((t - first) * 256.0f + 0.5f), 0, 256)};
}

uint32_t SoftRenderer::bilinear(uint32_t t00, uint32_t t10, uint32_t t01, uint32_t t11, int wx,
                                int wy) {
  if (t00 == t10 && t00 == t01 && t00 == t11) return t00;  // most of the atlas: clear or solid
  uint32_t out = 0;
  for (int i = 0; i < 4; ++i) {
    const uint32_t top = channel(t00, i) * (256 - wx) + channel(t10, i) * wx;
    const uint32_t bottom = channel(t01, i) * (256 - wx) + channel(t11, i) * wx;
    out |= ((top * (256 - wy) + bottom * wy + 32768) >> 16) << (8 * i);
  }
  return out;
}

uint32_t SoftRenderer::sample(float u, float v) const {
  if (texture_.empty()) return 0xFFFFFFFF;
  const Tap x = tap(u, tex_width_), y = tap(v, tex_height_);
  const uint32_t* top = texture_.data() + static_cast<size_t>(y.i0) * tex_width_;
  const uint32_t* bottom = texture_.data() + static_cast<size_t>(y.i1) * tex_width_;
  return bilinear(top[x.i0], top[x.i1], bottom[x.i0], bottom[x.i1], x.weight, y.weight);
}

void SoftRenderer::blend(uint8_t* dst, uint32_t col, uint32_t texel) const {
  blend_pixel(dst, modulate(col, texel));
}

void SoftRenderer::render(const ImDrawData& data, PixelRect rect, ImU32 clear) {
  rect.x0 = std::max(rect.x0, 0);
  rect.y0 = std::max(rect.y0, 0);
  rect.x1 = std::min(rect.x1, width_);
  rect.y1 = std::min(rect.y1, height_);
  if (rect.empty()) return;
  const uint32_t opaque = clear | 0xFF000000u;
  for (int y = rect.y0; y < rect.y1; ++y) {
    auto* row = reinterpret_cast<uint32_t*>(pixels_.data()) + static_cast<size_t>(y) * width_;
    std::fill(row + rect.x0, row + rect.x1, opaque);
  }

  const ImVec2 off = data.DisplayPos;
  const ImVec2 scale = data.FramebufferScale;
  for (int n = 0; n < data.CmdListsCount; ++n) {
    const ImDrawList* list = data.CmdLists[n];
    scratch_.resize(static_cast<size_t>(list->VtxBuffer.Size));
    for (int i = 0; i < list->VtxBuffer.Size; ++i) {
      const ImDrawVert& v = list->VtxBuffer[i];
      scratch_[i] = {(v.pos.x - off.x) * scale.x, (v.pos.y - off.y) * scale.y, v.uv.x, v.uv.y,
                     v.col};
    }
    for (const ImDrawCmd& cmd : list->CmdBuffer) {
      if (cmd.UserCallback) {
        if (cmd.UserCallback != ImDrawCallback_ResetRenderState) cmd.UserCallback(list, &cmd);
        continue;
      }
      const PixelRect clip = backend_scissor(cmd.ClipRect, data).intersect(rect);
      if (clip.empty()) continue;
      // Offsets from ImGui itself, but a list that is not ImGui's must not read past its
      // buffers either (as vertex indices are checked below).
      if (cmd.IdxOffset + static_cast<size_t>(cmd.ElemCount) >
              static_cast<size_t>(list->IdxBuffer.Size) ||
          cmd.VtxOffset > scratch_.size())
        continue;

      const ImDrawIdx* idx = list->IdxBuffer.Data + cmd.IdxOffset;
      const Vertex* vtx = scratch_.data() + cmd.VtxOffset;
      const size_t vtx_count = scratch_.size() - cmd.VtxOffset;
      for (unsigned int i = 0; i + 2 < cmd.ElemCount;) {
        // ImGui's rectangles (PrimRect, PrimRectUV: glyphs, fills, the caret) are two
        // triangles a,b,c a,c,d over an axis-aligned quad with one colour: filled as one.
        if (i + 5 < cmd.ElemCount) {
          const unsigned a = idx[i];
          if (idx[i + 1] == a + 1 && idx[i + 2] == a + 2 && idx[i + 3] == a &&
              idx[i + 4] == a + 2 && idx[i + 5] == a + 3 && a + 3 < vtx_count) {
            const Vertex& va = vtx[a];
            const Vertex& vb = vtx[a + 1];
            const Vertex& vc = vtx[a + 2];
            const Vertex& vd = vtx[a + 3];
            if (va.y == vb.y && vb.x == vc.x && vc.y == vd.y && vd.x == va.x && va.v == vb.v &&
                vb.u == vc.u && vc.v == vd.v && vd.u == va.u && va.col == vb.col &&
                va.col == vc.col && va.col == vd.col) {
              fill_rect(va, vc, clip);
              i += 6;
              continue;
            }
          }
        }
        const unsigned a = idx[i], b = idx[i + 1], c = idx[i + 2];
        if (a < vtx_count && b < vtx_count && c < vtx_count)
          fill_triangle(vtx[a], vtx[b], vtx[c], clip);
        i += 3;
      }
    }
  }
}

void SoftRenderer::fill_rect(const Vertex& a, const Vertex& c, const PixelRect& clip) {
  // Pixel centres inside [x0, x1) × [y0, y1), as the two triangles would cover them.
  const float x0 = std::min(a.x, c.x), x1 = std::max(a.x, c.x);
  const float y0 = std::min(a.y, c.y), y1 = std::max(a.y, c.y);
  const int px0 = std::max(clip.x0, ceil_int(x0 - 0.5f));
  const int px1 = std::min(clip.x1, ceil_int(x1 - 0.5f));
  const int py0 = std::max(clip.y0, ceil_int(y0 - 0.5f));
  const int py1 = std::min(clip.y1, ceil_int(y1 - 0.5f));
  if (px1 <= px0 || py1 <= py0) return;
  const bool flat = a.u == c.u && a.v == c.v;
  if (flat) {
    const uint32_t src = modulate(a.col, sample(a.u, a.v));
    if ((src >> 24) == 0) return;
    for (int y = py0; y < py1; ++y) {
      uint8_t* row = pixels_.data() + (static_cast<size_t>(y) * width_ + px0) * 4;
      if ((src >> 24) == 255) {
        std::fill(reinterpret_cast<uint32_t*>(row), reinterpret_cast<uint32_t*>(row) + (px1 - px0),
                  src);
        continue;
      }
      for (int x = px0; x < px1; ++x, row += 4)
        blend_pixel(row, src);
    }
    return;
  }
  if (texture_.empty()) return;
  // u and v are linear in x and y across the quad (a's texture corner at a's position), so
  // the texels and weights of GL_LINEAR are worked out once per column and once per row.
  const float du = (c.u - a.u) / (c.x - a.x);
  const float dv = (c.v - a.v) / (c.y - a.y);
  columns_.resize(static_cast<size_t>(px1 - px0));
  for (int x = px0; x < px1; ++x)
    columns_[static_cast<size_t>(x - px0)] =
        tap(a.u + (static_cast<float>(x) + 0.5f - a.x) * du, tex_width_);
  for (int y = py0; y < py1; ++y) {
    const Tap row_tap = tap(a.v + (static_cast<float>(y) + 0.5f - a.y) * dv, tex_height_);
    const uint32_t* top = texture_.data() + static_cast<size_t>(row_tap.i0) * tex_width_;
    const uint32_t* bottom = texture_.data() + static_cast<size_t>(row_tap.i1) * tex_width_;
    uint8_t* out = pixels_.data() + (static_cast<size_t>(y) * width_ + px0) * 4;
    for (const Tap& col : columns_) {
      blend(out, a.col,
            bilinear(top[col.i0], top[col.i1], bottom[col.i0], bottom[col.i1], col.weight,
                     row_tap.weight));
      out += 4;
    }
  }
}

void SoftRenderer::fill_triangle(const Vertex& a, const Vertex& b, const Vertex& c,
                                 const PixelRect& clip) {
  const float area = (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x);
  if (!(std::fabs(area) > 0)) return;  // degenerate (or NaN): covers nothing
  const float s = area > 0 ? -1.0f : 1.0f;
  // Edges opposite a, b and c: each one's value at a pixel is its vertex's weight × area.
  const Edge ea = make_edge(b.x, b.y, c.x, c.y, s);
  const Edge eb = make_edge(c.x, c.y, a.x, a.y, s);
  const Edge ec = make_edge(a.x, a.y, b.x, b.y, s);
  const float inv_area = 1.0f / std::fabs(area);

  const int px0 = std::max(clip.x0, floor_int(std::min({a.x, b.x, c.x})));
  const int px1 = std::min(clip.x1, ceil_int(std::max({a.x, b.x, c.x})));
  const int py0 = std::max(clip.y0, floor_int(std::min({a.y, b.y, c.y})));
  const int py1 = std::min(clip.y1, ceil_int(std::max({a.y, b.y, c.y})));
  if (px1 <= px0 || py1 <= py0) return;

  const bool flat_uv = a.u == b.u && a.u == c.u && a.v == b.v && a.v == c.v;
  const bool flat_col = a.col == b.col && a.col == c.col;
  const uint32_t flat_texel = flat_uv ? sample(a.u, a.v) : 0;
  if (flat_uv && flat_col && (modulate(a.col, flat_texel) >> 24) == 0) return;
  const Edge* edges[3] = {&ea, &eb, &ec};

  for (int y = py0; y < py1; ++y) {
    const float yc = static_cast<float>(y) + 0.5f;
    // Where the row's centre line is inside all three half-planes: each edge bounds x from
    // one side (w = sign·(dy·x − …) is linear in x). Pixels just outside are tested exactly.
    float lo = static_cast<float>(px0), hi = static_cast<float>(px1);
    bool none = false;
    for (const Edge* e : edges) {
      const float slope = e->sign * e->dy;  // dw/dx
      const float w0 = e->at(0.0f, yc);     // w at x = 0
      if (slope == 0) {
        if (w0 < 0) none = true;
      } else if (slope > 0) {
        lo = std::max(lo, -w0 / slope);
      } else {
        hi = std::min(hi, -w0 / slope);
      }
    }
    if (none || hi < lo - 1) continue;
    const int x_first = std::max(px0, floor_int(lo - 0.5f) - 1);
    const int x_last = std::min(px1, ceil_int(hi - 0.5f) + 1);
    // A row crosses a triangle in one run: its ends are found by the exact test (and the
    // fill rule), the pixels between need none.
    const auto covered = [&](int x) {
      const float xc = static_cast<float>(x) + 0.5f;
      return inside(ea, xc, yc) && inside(eb, xc, yc) && inside(ec, xc, yc);
    };
    int x0 = x_first, x1 = x_last - 1;
    while (x0 <= x1 && !covered(x0))
      ++x0;
    while (x1 >= x0 && !covered(x1))
      --x1;
    if (x1 < x0) continue;
    uint8_t* row = pixels_.data() + (static_cast<size_t>(y) * width_ + x0) * 4;
    if (flat_uv && flat_col) {  // the inside of a fill: one colour
      const uint32_t src = modulate(a.col, flat_texel);
      if ((src >> 24) == 255) {
        auto* out = reinterpret_cast<uint32_t*>(row);
        std::fill(out, out + (x1 - x0 + 1), src);
      } else {
        for (int x = x0; x <= x1; ++x, row += 4)
          blend_pixel(row, src);
      }
      continue;
    }
    for (int x = x0; x <= x1; ++x, row += 4) {
      const float xc = static_cast<float>(x) + 0.5f;
      const float wa = ea.at(xc, yc) * inv_area;
      const float wb = eb.at(xc, yc) * inv_area;
      const float wc = 1.0f - wa - wb;
      uint32_t col = a.col;
      if (!flat_col) {
        col = 0;
        for (int i = 0; i < 4; ++i) {
          const float value = wa * static_cast<float>(channel(a.col, i)) +
                              wb * static_cast<float>(channel(b.col, i)) +
                              wc * static_cast<float>(channel(c.col, i));
          col |= static_cast<uint32_t>(std::clamp(value + 0.5f, 0.0f, 255.0f)) << (8 * i);
        }
      }
      const uint32_t texel =
          flat_uv ? flat_texel
                  : sample(wa * a.u + wb * b.u + wc * c.u, wa * a.v + wb * b.v + wc * c.v);
      blend(row, col, texel);
    }
  }
}

}  // namespace imchat::platform
