// Rich text (rich_text.h), the drawing half: a laid-out Document painted inside its clip and
// its scroll areas, and what must agree with the painting — sideways offsets, link shifts,
// hit testing and the selection's highlight.
#include "ui/rich_text.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>

#include <imgui_internal.h>  // ImTextCharFromUtf8

namespace imchat::ui {

using markdown::Block;
using markdown::BlockKind;
using markdown::Document;
using markdown::Span;

namespace {

// Walks the scroll areas alongside one kind of piece (boxes, texts or links, in order):
// which area piece i belongs to, if any. Areas and pieces both go in layout order.
struct AreaCursor {
  const std::vector<ScrollArea>& areas;
  uint32_t ScrollArea::*begin;
  uint32_t ScrollArea::*end;
  size_t at = 0;
  const ScrollArea* find(size_t i, size_t& index) {
    while (at < areas.size() && areas[at].*end <= i)
      ++at;
    if (at >= areas.size() || i < areas[at].*begin) return nullptr;
    index = at;
    return &areas[at];
  }
};

// The clip rectangle of the area being drawn, pushed once per run of its pieces.
struct AreaClip {
  ImDrawList* draw;
  ImVec2 origin;
  const ScrollArea* pushed = nullptr;
  void enter(const ScrollArea* area) {
    if (area == pushed) return;
    if (pushed) draw->PopClipRect();
    pushed = area;
    if (area)
      draw->PushClipRect(ImVec2(origin.x + area->view_min.x, origin.y + area->view_min.y),
                         ImVec2(origin.x + area->view_max.x, origin.y + area->view_max.y), true);
  }
  ~AreaClip() { enter(nullptr); }
};

}  // namespace

void draw_rich_text(ImDrawList* draw, const markdown::Document& doc, const TextLayout& layout,
                    ImVec2 origin, ImVec2 clip_min, ImVec2 clip_max, SideScroll scroll) {
  const float top = clip_min.y - origin.y;
  const float bottom = clip_max.y - origin.y;
  // A block's pieces lie between the previous block's end and its own, and block ends only
  // grow: only the blocks that meet the clip are walked, so a long reply whose last lines
  // show costs what shows (a quote bar joined upwards starts at the previous block's end).
  const auto& ends = layout.block_ends;
  size_t first_box = 0, first_text = 0;
  size_t last_box = layout.boxes.size(), last_text = layout.texts.size();
  if (!ends.empty() && ends.back().texts == layout.texts.size() &&
      ends.back().boxes == layout.boxes.size()) {
    const auto above = std::partition_point(
        ends.begin(), ends.end(), [&](const TextLayout::BlockEnd& end) { return end.y < top; });
    if (above != ends.begin()) {
      first_box = std::prev(above)->boxes;
      first_text = std::prev(above)->texts;
    }
    const auto below = std::partition_point(
        ends.begin(), ends.end(), [&](const TextLayout::BlockEnd& end) { return end.y <= bottom; });
    if (below != ends.end()) {  // the first block ending below the clip is drawn; none after
      last_box = below->boxes;
      last_text = below->texts;
    }
  }
  // Pieces of a scroll area are shifted by its offset and clipped to its view.
  {
    AreaCursor areas{layout.scrolls, &ScrollArea::boxes_begin, &ScrollArea::boxes_end};
    AreaClip clip{draw, origin};
    for (size_t i = first_box; i < last_box; ++i) {
      const BoxPiece& box = layout.boxes[i];
      size_t k = 0;
      const ScrollArea* area = areas.find(i, k);
      clip.enter(area);
      if (box.max.y < top || box.min.y > bottom) continue;
      const float dx = area ? side_scroll(layout, scroll, k) : 0.0f;
      const ImVec2 min(origin.x + box.min.x - dx, origin.y + box.min.y);
      const ImVec2 max(origin.x + box.max.x - dx, origin.y + box.max.y);
      if (box.outline) {
        draw->AddRect(min, max, box.color, box.rounding, box.corners, 1.0f);
      } else {
        draw->AddRectFilled(min, max, box.color, box.rounding, box.corners);
      }
    }
  }
  const char* text = doc.text.data();
  {
    AreaCursor areas{layout.scrolls, &ScrollArea::texts_begin, &ScrollArea::texts_end};
    AreaClip clip{draw, origin};
    for (size_t i = first_text; i < last_text; ++i) {
      const TextPiece& piece = layout.texts[i];
      size_t k = 0;
      const ScrollArea* area = areas.find(i, k);
      clip.enter(area);
      if (piece.pos.y > bottom || piece.pos.y + piece.font->FontSize < top) continue;
      float x = piece.pos.x;
      if (area) {
        x -= side_scroll(layout, scroll, k);
        if (x > area->view_max.x) continue;  // the rest of a long line, off to the right
      }
      const char* begin =
          piece.label >= 0 ? layout.labels[static_cast<size_t>(piece.label)].data() : text;
      draw->AddText(piece.font, piece.font->FontSize, ImVec2(origin.x + x, origin.y + piece.pos.y),
                    piece.color, begin + piece.begin, begin + piece.end);
    }
  }
  // Under each area, where its view is along its content.
  for (size_t k = 0; k < layout.scrolls.size(); ++k) {
    const ScrollArea& area = layout.scrolls[k];
    const float over = area.max_scroll();
    if (over <= 0 || area.bar_max.y < top || area.view_min.y > bottom) continue;
    const float track = area.bar_max.x - area.bar_min.x;
    const float view = area.view_max.x - area.view_min.x;
    const float thumb = std::max(track * view / area.content_width, std::min(track, 24.0f));
    const float x = area.bar_min.x + (track - thumb) * side_scroll(layout, scroll, k) / over;
    const float h = area.bar_max.y - area.bar_min.y;
    draw->AddRectFilled(ImVec2(origin.x + x, origin.y + area.bar_min.y),
                        ImVec2(origin.x + x + thumb, origin.y + area.bar_max.y), area.bar_color,
                        h / 2);
  }
}

float side_scroll(const TextLayout& layout, SideScroll scroll, size_t area) {
  if (area >= layout.scrolls.size() || area >= scroll.size()) return 0;
  const float offset = scroll[area];
  if (!(offset > 0)) return 0;  // NaN too
  return std::min(offset, layout.scrolls[area].max_scroll());
}

float link_shift(const TextLayout& layout, SideScroll scroll, size_t link, bool& shown) {
  shown = link < layout.links.size();
  for (size_t k = 0; k < layout.scrolls.size() && shown; ++k) {
    const ScrollArea& area = layout.scrolls[k];
    if (link < area.links_begin || link >= area.links_end) continue;
    const float dx = side_scroll(layout, scroll, k);
    const LinkArea& l = layout.links[link];
    shown = l.max.x - dx > area.view_min.x && l.min.x - dx < area.view_max.x;
    return dx;
  }
  return 0;
}

namespace {

float advance(ImFont* font, const char* begin, const char* end) {
  return font->CalcTextSizeA(font->FontSize, FLT_MAX, 0.0f, begin, end).x;
}

}  // namespace

namespace {

// How far text piece i is drawn left of its place, and its scroll area if it has one.
float piece_shift(const TextLayout& layout, SideScroll scroll, size_t i, size_t& k,
                  const ScrollArea** area) {
  while (k < layout.scrolls.size() && layout.scrolls[k].texts_end <= i)
    ++k;
  *area = nullptr;
  if (k >= layout.scrolls.size() || i < layout.scrolls[k].texts_begin) return 0;
  *area = &layout.scrolls[k];
  return side_scroll(layout, scroll, k);
}

}  // namespace

uint32_t hit_test(const markdown::Document& doc, const TextLayout& layout, ImVec2 point,
                  SideScroll scroll) {
  const TextPiece* best = nullptr;
  float best_x = 0;
  float best_dy = FLT_MAX, best_dx = FLT_MAX;
  size_t k = 0;
  const ScrollArea* area = nullptr;
  for (size_t i = 0; i < layout.texts.size(); ++i) {
    const TextPiece& piece = layout.texts[i];
    const float px = piece.pos.x - piece_shift(layout, scroll, i, k, &area);
    if (piece.label >= 0) continue;  // markers and labels are not the message's text
    const float h = piece.font->FontSize;
    const float dy = point.y < piece.pos.y       ? piece.pos.y - point.y
                     : point.y > piece.pos.y + h ? point.y - piece.pos.y - h
                                                 : 0.0f;
    const float w = advance(piece.font, doc.text.data() + piece.begin, doc.text.data() + piece.end);
    const float dx = point.x < px ? px - point.x : point.x > px + w ? point.x - px - w : 0.0f;
    if (dy < best_dy || (dy == best_dy && dx < best_dx)) {
      best = &piece;
      best_x = px;
      best_dy = dy;
      best_dx = dx;
    }
  }
  if (!best) return 0;
  // Walk the piece's characters to the one whose middle is past the point.
  const char* text = doc.text.data();
  const char* s = text + best->begin;
  const char* end = text + best->end;
  float x = best_x;
  while (s < end) {
    unsigned int c = 0;
    const int bytes = ImTextCharFromUtf8(&c, s, end);
    const float w = advance(best->font, s, s + std::max(bytes, 1));
    if (point.x < x + w / 2) break;
    x += w;
    s += std::max(bytes, 1);
  }
  return static_cast<uint32_t>(s - text);
}

void draw_selection(ImDrawList* draw, const markdown::Document& doc, const TextLayout& layout,
                    ImVec2 origin, uint32_t from, uint32_t to, ImU32 color, SideScroll scroll) {
  if (from > to) std::swap(from, to);
  const char* text = doc.text.data();
  size_t k = 0;
  const ScrollArea* area = nullptr;
  for (size_t i = 0; i < layout.texts.size(); ++i) {
    const TextPiece& piece = layout.texts[i];
    const float shift = piece_shift(layout, scroll, i, k, &area);
    if (piece.label >= 0 || piece.end <= from || piece.begin >= to) continue;
    const uint32_t a = std::max(from, piece.begin);
    const uint32_t b = std::min(to, piece.end);
    float x0 = piece.pos.x - shift + advance(piece.font, text + piece.begin, text + a);
    float x1 = x0 + advance(piece.font, text + a, text + b);
    float y0 = piece.pos.y, y1 = piece.pos.y + piece.font->FontSize;
    if (area) {  // inside its view only (the line may run on beyond either side)
      x0 = std::max(x0, area->view_min.x);
      x1 = std::min(x1, area->view_max.x);
      if (x1 <= x0) continue;
    }
    draw->AddRectFilled(ImVec2(origin.x + x0, origin.y + y0), ImVec2(origin.x + x1, origin.y + y1),
                        color);
  }
}

}  // namespace imchat::ui
