// Markdown → a flat Document the message renderer lays out: md4c (GitHub dialect: tables,
// strikethrough, task lists, autolinks) does the parsing; this file only records what it
// reports — blocks in reading order, each a range of styled spans over one text buffer.
// Raw HTML is shown as text, never interpreted; a single newline is a line break, as
// people expect in a chat. Parsing is cheap (µs per message) and done
// once per content version; layout (rich_text.h) is cached per width on top of it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace imchat::ui::markdown {

// Inline style bits of a span.
enum Style : uint8_t {
  kBold = 1,
  kItalic = 2,
  kCode = 4,
  kLink = 8,
  kStrike = 16,
};

struct Span {
  uint32_t begin = 0;  // [begin, end) in Document::text
  uint32_t end = 0;
  uint8_t style = 0;
  int32_t link = -1;  // index in Document::links when kLink
  bool operator==(const Span&) const = default;
};

enum class BlockKind : uint8_t { kParagraph, kHeading, kCode, kRule, kTable };

struct Block {
  BlockKind kind = BlockKind::kParagraph;
  uint8_t heading = 0;      // 1..6 for kHeading
  uint8_t list_depth = 0;   // lists around the block
  uint8_t quote_depth = 0;  // block quotes around the block
  bool tight = false;       // inside a tight list: less space after
  std::string marker;       // "•", "3.", "☐", "☑" on the first block of a list item
  uint32_t first_span = 0;  // spans [first_span, first_span + span_count)
  uint32_t span_count = 0;
  std::string language;  // kCode: the fence's info word ("cpp"), may be empty
  // kTable: columns × rows cells, row-major; the spans of cell i are
  // [cells[i], cells[i + 1]). The first head_rows rows are the header.
  uint16_t columns = 0;
  uint16_t rows = 0;
  uint16_t head_rows = 0;
  std::vector<uint32_t> cells;
  bool operator==(const Block&) const = default;
};

struct Document {
  std::string text;
  std::vector<Span> spans;
  std::vector<Block> blocks;
  std::vector<std::string> links;  // hrefs
  bool operator==(const Document&) const = default;

  std::string_view span_text(const Span& span) const {
    return std::string_view(text).substr(span.begin, span.end - span.begin);
  }
  // A code block's text, for the Copy button.
  std::string block_text(const Block& block) const;
};

Document parse(std::string_view markdown);

// A streaming reply only grows at its end, and re-parsing all of it for every delta costs
// the reply's length per frame. The part before the last *settled* boundary — a blank line
// outside any code fence, followed by a whole line that cannot continue what came before
// (not indented, not a list item, not a quote) — parses the same whatever follows, so it is
// parsed once and kept; each delta re-parses only the text after it. One exception is
// caught: a link reference definition ("[x]: url") can change earlier text, so one in the
// new text sends the parse back to the start.
struct Settled {
  uint32_t source = 0;  // bytes of the Markdown that are settled
  uint32_t text = 0;    // what of the Document they made
  uint32_t spans = 0;
  uint32_t blocks = 0;
  uint32_t links = 0;
  bool whole = false;  // text the scan cannot follow was seen: every call parses everything
};

// Brings doc (made by earlier calls with `settled`) up to `markdown`, which must begin with
// the settled source; afterwards doc equals parse(markdown), and `settled` has moved to the
// newest boundary. Returns how many leading blocks it left untouched (a layout of them stays
// valid): the old settled.blocks, or 0 when it parsed the text whole.
uint32_t parse_growing(std::string_view markdown, Document& doc, Settled& settled);

}  // namespace imchat::ui::markdown
