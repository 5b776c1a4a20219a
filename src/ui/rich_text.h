// Lays a markdown::Document out at a width — word wrap over mixed fonts, list markers,
// quotes, code panels, tables — into positioned pieces that draw() replays with a few
// ImDrawList calls. A layout depends only on the document, the width and the fonts, so the
// message list caches it per (message version, width) and a frame that changes nothing
// lays nothing out. Coordinates are relative to the layout's top-left corner.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <imgui.h>

#include "ui/markdown.h"

namespace imchat::ui {

struct RichTextStyle {
  ImFont* body = nullptr;
  ImFont* bold = nullptr;
  ImFont* italic = nullptr;
  ImFont* mono = nullptr;
  ImFont* small = nullptr;  // code-block labels
  ImFont* h1 = nullptr;
  ImFont* h2 = nullptr;
  ImU32 text = 0;
  ImU32 muted = 0;
  ImU32 link = 0;
  ImU32 code_text = 0;
  ImU32 code_background = 0;  // fenced blocks
  ImU32 code_header = 0;      // the language bar
  ImU32 inline_code_background = 0;
  ImU32 border = 0;
  ImU32 accent = 0;  // checked task boxes
  float scale = 1;   // device pixels per logical pixel
};

struct TextPiece {
  ImFont* font;
  ImU32 color;
  ImVec2 pos;
  uint32_t begin;  // [begin, end) in Document::text, or in labels[label]
  uint32_t end;
  int32_t label = -1;  // text not in the document: list markers, code language, "Copy"
};

struct BoxPiece {
  ImVec2 min;
  ImVec2 max;
  ImU32 color;
  float rounding = 0;
  bool outline = false;
  ImDrawFlags corners = 0;  // which corners are rounded (0: all)
};

struct LinkArea {
  ImVec2 min;
  ImVec2 max;
  int32_t link;
};

struct CodeArea {
  ImVec2 min;  // the whole panel
  ImVec2 max;
  ImVec2 copy_min;  // the Copy button in its header
  ImVec2 copy_max;
  uint32_t block;
};

// A part of the layout wider than the width it was laid out at, which scrolls sideways
// inside its view: a code panel's lines (code is never wrapped — it keeps its shape, as in
// an editor) or a table whose columns cannot shrink further. Its pieces are the ranges
// below; the chat view keeps each area's offset and passes them to draw_rich_text, hit_test
// and draw_selection (and shifts links with link_shift). Only areas that overflow exist.
struct ScrollArea {
  ImVec2 view_min;  // where its pieces show
  ImVec2 view_max;
  float content_width = 0;  // from view_min.x
  uint32_t boxes_begin = 0, boxes_end = 0;
  uint32_t texts_begin = 0, texts_end = 0;
  uint32_t links_begin = 0, links_end = 0;
  ImVec2 bar_min, bar_max;  // the track of its scroll bar
  ImU32 bar_color = 0;
  float max_scroll() const {
    const float over = content_width - (view_max.x - view_min.x);
    return over > 0 ? over : 0;
  }
};

struct TextLayout {
  std::vector<BoxPiece> boxes;  // drawn first (backgrounds, rules, bars)
  std::vector<TextPiece> texts;
  std::vector<LinkArea> links;
  std::vector<CodeArea> code;
  std::vector<ScrollArea> scrolls;  // in the order of their pieces
  std::vector<std::string> labels;
  float width = 0;   // widest line: a bubble can shrink to it
  float height = 0;  // the layout's full height
  // What the pieces held after each block, so a document that changed only from block k
  // on is laid out again from there (relayout_rich_text). width is the unrounded widest.
  struct BlockEnd {
    uint32_t boxes, texts, links, code, scrolls, labels;
    float y;
    float width;
    int32_t previous;  // the last block drawn so far (empty paragraphs are skipped), or -1
  };
  std::vector<BlockEnd> block_ends;
};

TextLayout layout_rich_text(const markdown::Document& doc, float width, const RichTextStyle& style);

// Brings `layout` (of an earlier version of doc, at the same width and style) up to doc,
// whose blocks [0, from) are unchanged: only the blocks from `from` on are laid out again, so
// a growing reply costs its new tail, not its length. Equal to layout_rich_text(doc, …).
void relayout_rich_text(const markdown::Document& doc, uint32_t from, float width,
                        const RichTextStyle& style, TextLayout& layout);

// How far each scroll area of a layout is scrolled sideways (index: TextLayout::scrolls), in
// pixels from its start; missing entries are 0, and offsets are held to [0, max_scroll()].
using SideScroll = std::span<const float>;
float side_scroll(const TextLayout& layout, SideScroll scroll, size_t area);
// How far link i is drawn left of its place, and whether it shows at all (a link scrolled
// out of its area's view cannot be clicked).
float link_shift(const TextLayout& layout, SideScroll scroll, size_t link, bool& shown);

// Selection: offsets into Document::text. hit_test gives the offset nearest to a point in
// layout coordinates (the closest line, then the closest character on it);
// draw_selection highlights [from, to) behind the text.
uint32_t hit_test(const markdown::Document& doc, const TextLayout& layout, ImVec2 point,
                  SideScroll scroll = {});
void draw_selection(ImDrawList* draw, const markdown::Document& doc, const TextLayout& layout,
                    ImVec2 origin, uint32_t from, uint32_t to, ImU32 color, SideScroll scroll = {});

// Draws the pieces that intersect [clip_min.y, clip_max.y] at origin.
void draw_rich_text(ImDrawList* draw, const markdown::Document& doc, const TextLayout& layout,
                    ImVec2 origin, ImVec2 clip_min, ImVec2 clip_max, SideScroll scroll = {});

}  // namespace imchat::ui
