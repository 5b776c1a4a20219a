// Rich text (rich_text.h), the layout half: the Builder that wraps a Document at a width —
// mixed fonts, code panels, tables, quotes, lists, scroll areas — and relayout from a block.
#include "ui/rich_text.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>

#include <imgui_internal.h>  // ImTextCharFromUtf8

namespace imchat::ui {
namespace {

using markdown::Block;
using markdown::BlockKind;
using markdown::Document;
using markdown::Span;

float measure(ImFont* font, const char* begin, const char* end) {
  return font->CalcTextSizeA(font->FontSize, FLT_MAX, 0.0f, begin, end).x;
}

// Bytes in the UTF-8 sequence that starts with c (1 for a stray continuation byte).
int utf8_length(unsigned char c) {
  if (c >= 0xF0) return 4;
  if (c >= 0xE0) return 3;
  if (c >= 0xC0) return 2;
  return 1;
}

class Builder {
 public:
  Builder(const Document& doc, const RichTextStyle& style, TextLayout& out)
      : doc_(doc), s_(style), out_(out) {}

  float px(float logical) const { return std::round(logical * s_.scale); }

  // Lays out blocks [from, end) after what out_ holds for blocks [0, from).
  void run(float width, uint32_t from) {
    float y = 0;
    const Block* previous = nullptr;
    if (from > 0) {
      const TextLayout::BlockEnd& end = out_.block_ends[from - 1];
      y = end.y;
      if (end.previous >= 0) previous = &doc_.blocks[static_cast<size_t>(end.previous)];
    }
    for (uint32_t index = from; index < doc_.blocks.size(); ++index) {
      const Block& block = doc_.blocks[index];
      if (block.kind != BlockKind::kRule && block.kind != BlockKind::kCode &&
          block.span_count == 0 && block.marker.empty()) {
        mark_end(y, previous);
        continue;  // an empty paragraph (e.g. an HTML block made of nothing)
      }
      if (previous) y += gap(*previous, block);
      const float top = y;
      const float left = block.list_depth * px(24) + block.quote_depth * px(16);
      const float right = std::max(left + px(40), width);
      if (!block.marker.empty()) place_marker(block, left, y);
      switch (block.kind) {
        case BlockKind::kParagraph:
          y = flow_block(block, s_.body, s_.text, left, right, y, line_height(s_.body, 1.6f));
          break;
        case BlockKind::kHeading: {
          ImFont* font = block.heading == 1 ? s_.h1 : block.heading == 2 ? s_.h2 : s_.bold;
          y = flow_block(block, font, s_.text, left, right, y, line_height(font, 1.4f));
          break;
        }
        case BlockKind::kCode:
          y = code_block(block, index, left, right, y);
          break;
        case BlockKind::kRule:
          y += px(8);
          out_.boxes.push_back({ImVec2(left, y), ImVec2(right, y + px(1)), s_.border});
          y += px(9);
          break;
        case BlockKind::kTable:
          y = table(block, left, right, y);
          break;
      }
      // Block quotes: a bar per level beside the block, joined to the previous block's.
      for (int level = 0; level < block.quote_depth; ++level) {
        const float x = block.list_depth * px(24) + level * px(16);
        const bool joined = previous && previous->quote_depth > level;
        const float bar_top = joined ? top - gap(*previous, block) : top;
        out_.boxes.push_back({ImVec2(x, bar_top), ImVec2(x + px(3), y), s_.border, px(1.5f)});
      }
      previous = &block;
      mark_end(y, previous);
    }
    out_.height = y;
  }

 private:
  void mark_end(float y, const Block* previous) {
    out_.block_ends.push_back(
        {static_cast<uint32_t>(out_.boxes.size()), static_cast<uint32_t>(out_.texts.size()),
         static_cast<uint32_t>(out_.links.size()), static_cast<uint32_t>(out_.code.size()),
         static_cast<uint32_t>(out_.scrolls.size()), static_cast<uint32_t>(out_.labels.size()), y,
         out_.width, previous ? static_cast<int32_t>(previous - doc_.blocks.data()) : -1});
  }

  float line_height(ImFont* font, float factor) const {
    return std::round(font->FontSize * factor);
  }

  float gap(const Block& before, const Block& block) const {
    if (block.kind == BlockKind::kHeading) return px(block.heading <= 2 ? 18 : 14);
    if (before.kind == BlockKind::kHeading) return px(6);
    if (before.list_depth && block.list_depth && (before.tight || block.tight)) return px(4);
    if (block.kind == BlockKind::kCode || before.kind == BlockKind::kCode) return px(12);
    if (block.kind == BlockKind::kTable || before.kind == BlockKind::kTable) return px(12);
    return px(10);
  }

  int32_t label(std::string text) {
    out_.labels.push_back(std::move(text));
    return static_cast<int32_t>(out_.labels.size()) - 1;
  }

  void place_label(ImFont* font, ImU32 color, ImVec2 pos, const std::string& text) {
    const int32_t index = label(text);
    out_.texts.push_back({font, color, ImVec2(std::round(pos.x), std::round(pos.y)), 0,
                          static_cast<uint32_t>(text.size()), index});
  }

  void place_marker(const Block& block, float left, float y) {
    const float lh = line_height(s_.body, 1.6f);
    if (block.marker == "☐" || block.marker == "☑") {
      const float size = px(13);
      const ImVec2 min(left - px(21), std::round(y + (lh - size) / 2));
      const ImVec2 max(min.x + size, min.y + size);
      if (block.marker == "☑") {
        out_.boxes.push_back({min, max, s_.accent, px(3)});
        // A tick drawn as two short bars would need lines; a filled inner square reads fine.
        out_.boxes.push_back({ImVec2(min.x + px(4), min.y + px(4)),
                              ImVec2(max.x - px(4), max.y - px(4)), s_.text, px(1)});
      } else {
        out_.boxes.push_back({min, max, s_.muted, px(3), true});
      }
      return;
    }
    ImFont* font = s_.body;
    const float w = measure(font, block.marker.data(), block.marker.data() + block.marker.size());
    const float x = block.marker == "•" ? left - px(15) : left - px(6) - w;
    place_label(font, s_.muted, ImVec2(x, y + (lh - font->FontSize) / 2), block.marker);
  }

  // --- inline flow -----------------------------------------------------------------------

  struct Flow {
    float left, right, line_height;
    ImFont* base_font;
    ImU32 base_color;
    float x, y;
    bool any = false;  // something was placed
  };

  ImFont* font_for(const Flow& flow, uint8_t style) const {
    if (style & markdown::kCode) return s_.mono;
    if (flow.base_font != s_.body) return flow.base_font;  // headings keep their face
    if (style & markdown::kBold) return s_.bold;
    if (style & markdown::kItalic) return s_.italic;
    return s_.body;
  }

  ImU32 color_for(const Flow& flow, uint8_t style) const {
    if (style & markdown::kLink) return s_.link;
    if (style & markdown::kCode) return s_.code_text;
    return flow.base_color;
  }

  void newline(Flow& flow) {
    flow.x = flow.left;
    flow.y += flow.line_height;
  }

  // One chunk of a span on the current line: merged into the previous piece when it
  // continues it, so a plain paragraph line is one draw call.
  void place(Flow& flow, ImFont* font, ImU32 color, uint32_t begin, uint32_t end, float width,
             float ink_width, const Span& span) {
    const float y = std::round(flow.y + (flow.line_height - font->FontSize) / 2);
    if (!out_.texts.empty()) {
      TextPiece& last = out_.texts.back();
      if (last.label < 0 && last.font == font && last.color == color && last.end == begin &&
          last.pos.y == y && std::abs(last_piece_end_ - flow.x) < 0.01f) {
        last.end = end;
        goto placed;
      }
    }
    out_.texts.push_back({font, color, ImVec2(flow.x, y), begin, end});
  placed:
    const float top = std::round(flow.y + (flow.line_height - s_.body->FontSize) / 2);
    if (span.style & markdown::kCode) {
      extend_box(ImVec2(flow.x - px(4), top - px(1)),
                 ImVec2(flow.x + ink_width + px(4), top + s_.body->FontSize + px(2)),
                 s_.inline_code_background, px(4));
    }
    if (span.style & markdown::kLink) {
      const ImVec2 min(flow.x, y);
      const ImVec2 max(flow.x + ink_width, y + font->FontSize);
      if (!out_.links.empty() && out_.links.back().link == span.link &&
          out_.links.back().min.y == min.y && std::abs(out_.links.back().max.x - min.x) < px(8)) {
        out_.links.back().max.x = max.x;
      } else {
        out_.links.push_back({min, max, span.link});
      }
      out_.boxes.push_back({ImVec2(flow.x, y + font->FontSize),
                            ImVec2(flow.x + ink_width, y + font->FontSize + px(1)),
                            (s_.link & 0x00ffffff) | 0x90000000u});
    }
    if (span.style & markdown::kStrike) {
      const float mid = std::round(y + font->FontSize * 0.55f);
      out_.boxes.push_back(
          {ImVec2(flow.x, mid), ImVec2(flow.x + ink_width, mid + std::max(1.0f, px(1))), color});
    }
    last_piece_end_ = flow.x + width;
    flow.x += width;
    flow.any = true;
    out_.width = std::max(out_.width, flow.x - width + ink_width);
  }

  // Inline-code backgrounds: chunks of one span on one line share one box.
  void extend_box(ImVec2 min, ImVec2 max, ImU32 color, float rounding) {
    if (!out_.boxes.empty()) {
      BoxPiece& last = out_.boxes.back();
      if (last.color == color && last.min.y == min.y && min.x <= last.max.x + px(6) &&
          min.x >= last.min.x) {
        last.max.x = std::max(last.max.x, max.x);
        return;
      }
    }
    out_.boxes.push_back({min, max, color, rounding});
  }

  void flow_span(Flow& flow, const Span& span) {
    const char* text = doc_.text.data();
    ImFont* font = font_for(flow, span.style);
    const ImU32 color = color_for(flow, span.style);
    const bool code = span.style & markdown::kCode;
    const float pad = code ? px(4) : 0;
    if (code) flow.x += pad;
    uint32_t i = span.begin;
    while (i < span.end) {
      if (text[i] == '\n') {
        newline(flow);
        ++i;
        continue;
      }
      uint32_t j = i;
      while (j < span.end && text[j] != ' ' && text[j] != '\n')
        ++j;
      uint32_t k = j;
      while (k < span.end && text[k] == ' ')
        ++k;
      const float ink = measure(font, text + i, text + j);
      const float spaces = measure(font, text + j, text + k);
      if (flow.x > flow.left && flow.x + ink > flow.right) {
        newline(flow);
        if (i == j) {  // only spaces left at the end of a line: they vanish in the wrap
          i = k;
          continue;
        }
      }
      if (ink <= flow.right - flow.x) {
        place(flow, font, color, i, k, ink + spaces, ink, span);
        i = k;
        continue;
      }
      // A word wider than the line (a URL, a hash): break it between characters.
      const char* p = text + i;
      const char* word_end = text + j;
      while (p < word_end) {
        const char* rest = nullptr;
        font->CalcTextSizeA(font->FontSize, flow.right - flow.x, 0.0f, p, word_end, &rest);
        if (rest == p) {
          if (flow.x > flow.left) {
            newline(flow);
            continue;
          }
          rest = std::min(word_end, p + utf8_length(static_cast<unsigned char>(*p)));
        }
        const float w = measure(font, p, rest);
        place(flow, font, color, static_cast<uint32_t>(p - text),
              static_cast<uint32_t>(rest - text), w, w, span);
        p = rest;
        if (p < word_end) newline(flow);
      }
      if (k > j) {
        place(flow, font, color, j, k, spaces, 0, span);
      }
      i = k;
    }
    if (code) flow.x += pad;
  }

  float flow_spans(uint32_t first, uint32_t last, ImFont* font, ImU32 color, float left,
                   float right, float y, float lh) {
    Flow flow{left, right, lh, font, color, left, y};
    for (uint32_t i = first; i < last; ++i)
      flow_span(flow, doc_.spans[i]);
    return flow.any ? flow.y + lh : y;
  }

  float flow_block(const Block& block, ImFont* font, ImU32 color, float left, float right, float y,
                   float lh) {
    const float bottom = flow_spans(block.first_span, block.first_span + block.span_count, font,
                                    block.quote_depth ? s_.muted : color, left, right, y, lh);
    return std::max(bottom, y + lh);  // a list item with an empty first line keeps its marker
  }

  // --- code blocks -----------------------------------------------------------------------

  float code_block(const Block& block, uint32_t index, float left, float right, float y) {
    const float header = px(32);
    const float pad = px(14);
    const float top = y;
    const float rounding = px(8);
    out_.boxes.push_back({ImVec2(left, top), ImVec2(right, top + header), s_.code_header, rounding,
                          false, ImDrawFlags_RoundCornersTop});
    const size_t body_box = out_.boxes.size();
    out_.boxes.push_back({ImVec2(left, top + header), ImVec2(right, top + header),
                          s_.code_background, rounding, false, ImDrawFlags_RoundCornersBottom});
    const float label_y = std::round(top + (header - s_.small->FontSize) / 2);
    place_label(s_.small, s_.muted, ImVec2(left + pad, label_y),
                block.language.empty() ? std::string("code") : block.language);
    const char* copy = "Copy";
    const float copy_w = measure(s_.small, copy, copy + 4);
    const ImVec2 copy_min(right - pad - copy_w - px(8), top + px(4));
    const ImVec2 copy_max(right - pad + px(8), top + header - px(4));
    place_label(s_.small, s_.muted, ImVec2(copy_min.x + px(8), label_y), copy);

    ImFont* font = s_.mono;
    const float lh = line_height(font, 1.55f);
    float line_y = top + header + pad;
    const float x0 = left + pad;
    float widest = 0;
    const uint32_t texts_begin = static_cast<uint32_t>(out_.texts.size());
    const char* text = doc_.text.data();
    for (uint32_t s = block.first_span; s < block.first_span + block.span_count; ++s) {
      const Span& span = doc_.spans[s];
      const char* p = text + span.begin;
      const char* end = text + span.end;
      while (p < end) {
        const char* line_end = std::find(p, end, '\n');
        if (line_end == end && p == end) break;
        // One line, unwrapped, in pieces of at most kCodePiece bytes (cut between
        // characters): drawing a long line scrolled far sideways skips what is off screen.
        float x = x0;
        for (const char* q = p; q < line_end;) {
          const char* cut = line_end - q > kCodePiece ? q + kCodePiece : line_end;
          while (cut > q + 1 && cut < line_end && (static_cast<unsigned char>(*cut) & 0xC0) == 0x80)
            --cut;
          out_.texts.push_back(
              {font, s_.code_text, ImVec2(x, std::round(line_y + (lh - font->FontSize) / 2)),
               static_cast<uint32_t>(q - text), static_cast<uint32_t>(cut - text)});
          x += measure(font, q, cut);
          q = cut;
        }
        widest = std::max(widest, x - x0);
        line_y += lh;
        p = line_end < end ? line_end + 1 : end;
      }
    }
    if (block.span_count == 0) line_y += lh;
    const float bottom = line_y + pad - px(4);
    out_.boxes[body_box].max.y = bottom;
    out_.code.push_back({ImVec2(left, top), ImVec2(right, bottom), copy_min, copy_max, index});
    scroll_area(ImVec2(left, top + header), ImVec2(right, bottom), std::ceil(widest) + 2 * pad,
                out_.boxes.size(), texts_begin, out_.links.size(),  // its lines alone
                ImVec2(left + pad, bottom - px(6)), ImVec2(right - pad, bottom - px(3)));
    out_.width = std::max(out_.width, right);
    return bottom;
  }

  // Makes the pieces from the given starts to the current ends a scroll area, if they
  // overflow the view.
  void scroll_area(ImVec2 view_min, ImVec2 view_max, float content_width, size_t boxes_begin,
                   size_t texts_begin, size_t links_begin, ImVec2 bar_min, ImVec2 bar_max) {
    if (content_width <= view_max.x - view_min.x) return;
    ScrollArea area;
    area.view_min = view_min;
    area.view_max = view_max;
    area.content_width = content_width;
    area.boxes_begin = static_cast<uint32_t>(boxes_begin);
    area.boxes_end = static_cast<uint32_t>(out_.boxes.size());
    area.texts_begin = static_cast<uint32_t>(texts_begin);
    area.texts_end = static_cast<uint32_t>(out_.texts.size());
    area.links_begin = static_cast<uint32_t>(links_begin);
    area.links_end = static_cast<uint32_t>(out_.links.size());
    area.bar_min = bar_min;
    area.bar_max = bar_max;
    area.bar_color = (s_.muted & ~IM_COL32_A_MASK) | (IM_COL32(0, 0, 0, 140) & IM_COL32_A_MASK);
    out_.scrolls.push_back(area);
  }

  static constexpr long kCodePiece = 256;

  // --- tables ----------------------------------------------------------------------------

  float cell_width(uint32_t first, uint32_t last) const {
    float w = 0;
    for (uint32_t i = first; i < last; ++i) {
      const Span& span = doc_.spans[i];
      ImFont* font = span.style & markdown::kCode   ? s_.mono
                     : span.style & markdown::kBold ? s_.bold
                                                    : s_.body;
      w += measure(font, doc_.text.data() + span.begin, doc_.text.data() + span.end);
      if (span.style & markdown::kCode) w += px(8);
    }
    return w;
  }

  float table(const Block& block, float left, float right, float y) {
    const size_t cols = block.columns;
    const size_t rows = block.rows;
    if (cols == 0 || rows == 0 || block.cells.size() != cols * rows + 1) {
      return flow_block(block, s_.body, s_.text, left, right, y, line_height(s_.body, 1.6f));
    }
    const float pad_x = px(12);
    const float pad_y = px(8);
    std::vector<float> widths(cols, px(48));
    for (size_t r = 0; r < rows; ++r) {
      for (size_t c = 0; c < cols; ++c) {
        const size_t cell = r * cols + c;
        widths[c] = std::max(
            widths[c], cell_width(block.cells[cell], block.cells[cell + 1]) + 2 * pad_x + px(1));
      }
    }
    float total = 0;
    for (float w : widths)
      total += w;
    const float available = right - left;
    if (total > available) {
      // Too wide: every column gives up the same share, none below a readable minimum.
      const float factor = available / total;
      total = 0;
      for (float& w : widths) {
        w = std::max(px(56), std::floor(w * factor));
        total += w;
      }
    }
    const float lh = line_height(s_.body, 1.5f);
    const float top = y;
    // Columns that cannot shrink to fit: the table scrolls sideways in the bubble.
    const size_t boxes_begin = out_.boxes.size(), texts_begin = out_.texts.size(),
                 links_begin = out_.links.size();
    std::vector<float> row_lines;
    for (size_t r = 0; r < rows; ++r) {
      const float row_top = y;
      float row_bottom = y + lh;
      const size_t header_box = out_.boxes.size();
      if (r < block.head_rows) {
        out_.boxes.push_back({ImVec2(left, row_top), ImVec2(left + total, row_top), s_.code_header,
                              px(6), false, ImDrawFlags_RoundCornersTop});
      }
      float x = left;
      for (size_t c = 0; c < cols; ++c) {
        const size_t cell = r * cols + c;
        const float bottom = flow_spans(block.cells[cell], block.cells[cell + 1], s_.body, s_.text,
                                        x + pad_x, x + widths[c] - pad_x, y + pad_y, lh);
        row_bottom = std::max(row_bottom, bottom);
        x += widths[c];
      }
      y = row_bottom + pad_y;
      if (r < block.head_rows) out_.boxes[header_box].max.y = y;
      if (r + 1 < rows) row_lines.push_back(y);
    }
    for (float line : row_lines)
      out_.boxes.push_back({ImVec2(left, line), ImVec2(left + total, line + px(1)), s_.border});
    float x = left;
    for (size_t c = 0; c + 1 < cols; ++c) {
      x += widths[c];
      out_.boxes.push_back({ImVec2(x, top), ImVec2(x + px(1), y), s_.border});
    }
    out_.boxes.push_back({ImVec2(left, top), ImVec2(left + total, y), s_.border, px(6), true});
    if (total <= available) {
      out_.width = std::max(out_.width, left + total);
      return y;
    }
    // The view takes a pixel more each way, so the table's outline shows at its ends.
    scroll_area(ImVec2(left - px(1), top - px(1)), ImVec2(right + px(1), y + px(1)), total + px(2),
                boxes_begin, texts_begin, links_begin, ImVec2(left, y + px(4)),
                ImVec2(right, y + px(7)));
    out_.width = std::max(out_.width, right);
    return y + px(8);
  }

  const Document& doc_;
  const RichTextStyle& s_;
  TextLayout& out_;
  float last_piece_end_ = 0;
};

}  // namespace

TextLayout layout_rich_text(const markdown::Document& doc, float width,
                            const RichTextStyle& style) {
  TextLayout out;
  Builder(doc, style, out).run(std::max(1.0f, width), 0);
  out.width = std::min(std::ceil(out.width), std::max(1.0f, width));
  return out;
}

void relayout_rich_text(const markdown::Document& doc, uint32_t from, float width,
                        const RichTextStyle& style, TextLayout& layout) {
  from = std::min({from, static_cast<uint32_t>(layout.block_ends.size()),
                   static_cast<uint32_t>(doc.blocks.size())});
  if (from == 0) {
    layout = layout_rich_text(doc, width, style);
    return;
  }
  const TextLayout::BlockEnd end = layout.block_ends[from - 1];
  layout.boxes.resize(end.boxes);
  layout.texts.resize(end.texts);
  layout.links.resize(end.links);
  layout.code.resize(end.code);
  layout.scrolls.resize(end.scrolls);
  layout.labels.resize(end.labels);
  layout.block_ends.resize(from);
  layout.width = end.width;
  Builder(doc, style, layout).run(std::max(1.0f, width), from);
  layout.width = std::min(std::ceil(layout.width), std::max(1.0f, width));
}

}  // namespace imchat::ui
