#include "ui/markdown.h"

#include <md4c.h>

extern "C" {
#include <entity.h>
}

#include <fmt/format.h>

#include <algorithm>

namespace imchat::ui::markdown {
namespace {

void append_utf8(std::string& out, unsigned cp) {
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// "&amp;", "&#39;", "&#x2014;" → UTF-8; an unknown entity stays as written.
void append_entity(std::string& out, std::string_view name) {
  if (name.size() > 3 && name[1] == '#') {
    const bool hex = name[2] == 'x' || name[2] == 'X';
    unsigned cp = 0;
    for (size_t i = hex ? 3 : 2; i + 1 < name.size(); ++i) {
      const char c = name[i];
      const int digit = c >= '0' && c <= '9'          ? c - '0'
                        : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
                        : hex && c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                      : -1;
      if (digit < 0 || cp > 0x10FFFF) return out.append(name), void();
      cp = cp * (hex ? 16 : 10) + static_cast<unsigned>(digit);
    }
    append_utf8(out, cp);
    return;
  }
  if (const struct entity* e = entity_lookup(name.data(), name.size())) {
    append_utf8(out, e->codepoints[0]);
    if (e->codepoints[1]) append_utf8(out, e->codepoints[1]);
    return;
  }
  out.append(name);
}

struct Container {
  MD_BLOCKTYPE type;
  bool tight = false;
  unsigned next_number = 1;  // ordered lists
  char delimiter = '.';
};

class Builder {
 public:
  explicit Builder(Document& doc) : doc_(doc) {}

  int enter_block(MD_BLOCKTYPE type, void* detail) {
    end_spans();
    switch (type) {
      case MD_BLOCK_QUOTE:
        ++quote_depth_;
        close_block();
        break;
      case MD_BLOCK_UL:
        containers_.push_back({type, static_cast<MD_BLOCK_UL_DETAIL*>(detail)->is_tight != 0});
        close_block();
        break;
      case MD_BLOCK_OL: {
        const auto* d = static_cast<MD_BLOCK_OL_DETAIL*>(detail);
        containers_.push_back({type, d->is_tight != 0, d->start, d->mark_delimiter});
        close_block();
        break;
      }
      case MD_BLOCK_LI: {
        close_block();
        const auto* d = static_cast<MD_BLOCK_LI_DETAIL*>(detail);
        pending_marker_ = "•";
        if (d->is_task) {
          pending_marker_ = d->task_mark == ' ' ? "☐" : "☑";
        } else if (!containers_.empty() && containers_.back().type == MD_BLOCK_OL) {
          Container& list = containers_.back();
          pending_marker_ = fmt::format("{}{}", list.next_number++, list.delimiter);
        }
        break;
      }
      case MD_BLOCK_HR:
        open_block(BlockKind::kRule);
        close_block();
        break;
      case MD_BLOCK_H:
        open_block(BlockKind::kHeading);
        doc_.blocks.back().heading =
            static_cast<uint8_t>(static_cast<MD_BLOCK_H_DETAIL*>(detail)->level);
        break;
      case MD_BLOCK_CODE: {
        open_block(BlockKind::kCode);
        const auto* d = static_cast<MD_BLOCK_CODE_DETAIL*>(detail);
        doc_.blocks.back().language.assign(d->lang.text ? d->lang.text : "", d->lang.size);
        break;
      }
      case MD_BLOCK_HTML:
      case MD_BLOCK_P:
        open_block(BlockKind::kParagraph);
        break;
      case MD_BLOCK_TABLE: {
        open_block(BlockKind::kTable);
        const auto* d = static_cast<MD_BLOCK_TABLE_DETAIL*>(detail);
        Block& table = doc_.blocks.back();
        table.columns = static_cast<uint16_t>(d->col_count);
        table.head_rows = static_cast<uint16_t>(d->head_row_count);
        break;
      }
      case MD_BLOCK_THEAD:
        in_head_ = true;
        break;
      case MD_BLOCK_TR:
        if (Block* table = open_table()) {
          ++table->rows;
          row_cells_ = 0;
        }
        break;
      case MD_BLOCK_TH:
      case MD_BLOCK_TD:
        if (Block* table = open_table(); table && row_cells_ < table->columns) {
          table->cells.push_back(static_cast<uint32_t>(doc_.spans.size()));
          ++row_cells_;
        }
        break;
      default:
        break;
    }
    return 0;
  }

  int leave_block(MD_BLOCKTYPE type, void*) {
    end_spans();
    switch (type) {
      case MD_BLOCK_QUOTE:
        close_block();
        if (quote_depth_) --quote_depth_;
        break;
      case MD_BLOCK_UL:
      case MD_BLOCK_OL:
        close_block();
        if (!containers_.empty()) containers_.pop_back();
        break;
      case MD_BLOCK_LI:
        close_block();
        pending_marker_.clear();
        break;
      case MD_BLOCK_THEAD:
        in_head_ = false;
        break;
      case MD_BLOCK_TR:
        // md4c may give a row fewer cells than the table has columns: pad with empty ones.
        if (Block* table = open_table()) {
          for (; row_cells_ < table->columns; ++row_cells_)
            table->cells.push_back(static_cast<uint32_t>(doc_.spans.size()));
        }
        break;
      case MD_BLOCK_TABLE:
        if (Block* table = open_table())
          table->cells.push_back(static_cast<uint32_t>(doc_.spans.size()));
        close_block();
        break;
      case MD_BLOCK_H:
      case MD_BLOCK_CODE:
      case MD_BLOCK_HTML:
      case MD_BLOCK_P:
        close_block();
        break;
      default:
        break;
    }
    return 0;
  }

  // Spans live inside one leaf block (a paragraph, a heading, a table cell), so none is open
  // when a block starts or ends. md4c can leave one unclosed (an autolink at the end of a
  // table cell, before bytes that are not UTF-8): its link must not run on into the next
  // block, where a text streamed in pieces would not carry it.
  void end_spans() {
    style_ = 0;
    link_ = -1;
    styles_.clear();
    links_.clear();
  }

  int enter_span(MD_SPANTYPE type, void* detail) {
    styles_.push_back(style_);
    switch (type) {
      case MD_SPAN_EM:
        style_ |= kItalic;
        break;
      case MD_SPAN_STRONG:
        style_ |= kBold;
        break;
      case MD_SPAN_CODE:
        style_ |= kCode;
        break;
      case MD_SPAN_DEL:
        style_ |= kStrike;
        break;
      case MD_SPAN_A: {
        const auto* d = static_cast<MD_SPAN_A_DETAIL*>(detail);
        style_ |= kLink;
        links_.push_back(link_);
        link_ = static_cast<int32_t>(doc_.links.size());
        doc_.links.emplace_back(d->href.text ? d->href.text : "", d->href.size);
        break;
      }
      default:
        break;
    }
    return 0;
  }

  int leave_span(MD_SPANTYPE type, void*) {
    if (type == MD_SPAN_A && !links_.empty()) {
      link_ = links_.back();
      links_.pop_back();
    }
    if (!styles_.empty()) {
      style_ = styles_.back();
      styles_.pop_back();
    }
    return 0;
  }

  int text(MD_TEXTTYPE type, std::string_view text) {
    if (current_ < 0) open_block(BlockKind::kParagraph);  // a tight list item's text
    const size_t begin = doc_.text.size();
    switch (type) {
      case MD_TEXT_NULLCHAR:
        append_utf8(doc_.text, 0xFFFD);
        break;
      case MD_TEXT_BR:
        doc_.text += '\n';
        break;
      case MD_TEXT_SOFTBR:
        // A chat keeps the writer's line breaks (people and models both mean them).
        doc_.text += '\n';
        break;
      case MD_TEXT_ENTITY:
        append_entity(doc_.text, text);
        break;
      default:
        doc_.text.append(text);
        break;
    }
    uint8_t style = style_;
    if (in_head_) style |= kBold;
    const int32_t link = (style & kLink) ? link_ : -1;
    const auto end = static_cast<uint32_t>(doc_.text.size());
    // Adjacent text of one style is one span: fewer pieces to measure and draw.
    Block& block = doc_.blocks[static_cast<size_t>(current_)];
    if (block.span_count > 0 && !cell_started() && doc_.spans.back().style == style &&
        doc_.spans.back().link == link && doc_.spans.back().end == begin) {
      doc_.spans.back().end = end;
    } else {
      doc_.spans.push_back({static_cast<uint32_t>(begin), end, style, link});
      ++block.span_count;
    }
    return 0;
  }

 private:
  void open_block(BlockKind kind) {
    // A table's cells are its own content, not new blocks.
    if (current_ >= 0 && doc_.blocks[static_cast<size_t>(current_)].kind == BlockKind::kTable &&
        kind == BlockKind::kParagraph) {
      return;
    }
    close_block();
    // Blocks are apart in the text too (outside every span, so never drawn): a selection
    // across two paragraphs copies as two lines, not one glued word.
    if (!doc_.text.empty() && doc_.text.back() != '\n') doc_.text.push_back('\n');
    Block block;
    block.kind = kind;
    block.quote_depth = static_cast<uint8_t>(std::min(quote_depth_, 8));
    int lists = 0;
    bool tight = false;
    for (const Container& c : containers_) {
      ++lists;
      tight = c.tight;
    }
    block.list_depth = static_cast<uint8_t>(std::min(lists, 8));
    block.tight = tight;
    block.marker = std::move(pending_marker_);
    pending_marker_.clear();
    block.first_span = static_cast<uint32_t>(doc_.spans.size());
    doc_.blocks.push_back(std::move(block));
    current_ = static_cast<int>(doc_.blocks.size()) - 1;
  }

  void close_block() { current_ = -1; }

  Block* open_table() {
    if (current_ < 0) return nullptr;
    Block& block = doc_.blocks[static_cast<size_t>(current_)];
    return block.kind == BlockKind::kTable ? &block : nullptr;
  }

  // The span about to be added starts a table cell (never merge across cells).
  bool cell_started() const {
    const Block& block = doc_.blocks[static_cast<size_t>(current_)];
    return block.kind == BlockKind::kTable && !block.cells.empty() &&
           block.cells.back() == doc_.spans.size();
  }

  Document& doc_;
  int current_ = -1;
  int quote_depth_ = 0;
  std::vector<Container> containers_;
  std::string pending_marker_;
  uint8_t style_ = 0;
  std::vector<uint8_t> styles_;
  int32_t link_ = -1;
  std::vector<int32_t> links_;
  bool in_head_ = false;
  uint16_t row_cells_ = 0;
};

}  // namespace

std::string Document::block_text(const Block& block) const {
  std::string out;
  for (uint32_t i = block.first_span; i < block.first_span + block.span_count; ++i)
    out.append(span_text(spans[i]));
  while (!out.empty() && out.back() == '\n')
    out.pop_back();
  return out;
}

Document parse(std::string_view markdown) {
  Document doc;
  doc.text.reserve(markdown.size());
  Builder builder(doc);
  MD_PARSER parser{};
  parser.abi_version = 0;
  parser.flags = MD_DIALECT_GITHUB | MD_FLAG_NOHTML;
  parser.enter_block = [](MD_BLOCKTYPE t, void* d, void* u) {
    return static_cast<Builder*>(u)->enter_block(t, d);
  };
  parser.leave_block = [](MD_BLOCKTYPE t, void* d, void* u) {
    return static_cast<Builder*>(u)->leave_block(t, d);
  };
  parser.enter_span = [](MD_SPANTYPE t, void* d, void* u) {
    return static_cast<Builder*>(u)->enter_span(t, d);
  };
  parser.leave_span = [](MD_SPANTYPE t, void* d, void* u) {
    return static_cast<Builder*>(u)->leave_span(t, d);
  };
  parser.text = [](MD_TEXTTYPE t, const MD_CHAR* text, MD_SIZE size, void* u) {
    return static_cast<Builder*>(u)->text(t, std::string_view(text, size));
  };
  // md4c 0.4.8 reads one byte past the end of a document that ends in a list number
  // ("1\n2": md_is_container_mark, found by tests/fuzz/fuzz_markdown). A std::string always
  // has its terminator there, so md4c is given one — whatever buffer the view points into.
  const std::string terminated(markdown);
  if (md_parse(terminated.c_str(), static_cast<MD_SIZE>(terminated.size()), &parser, &builder) !=
      0) {
    // md4c fails only on allocation failure; show the raw text rather than nothing.
    doc = Document{};
    doc.text.assign(markdown);
    doc.spans.push_back({0, static_cast<uint32_t>(doc.text.size()), 0, -1});
    Block block;
    block.span_count = 1;
    doc.blocks.push_back(block);
  }
  return doc;
}

namespace {

bool is_blank(std::string_view line) {
  return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

// A fence opener or closer: up to three spaces, then three or more ` or ~.
size_t fence_run(std::string_view line, char& fence_char) {
  size_t i = 0;
  while (i < line.size() && i < 3 && line[i] == ' ')
    ++i;
  if (i >= line.size() || (line[i] != '`' && line[i] != '~')) return 0;
  const char c = line[i];
  size_t n = 0;
  while (i + n < line.size() && line[i + n] == c)
    ++n;
  if (n < 3) return 0;
  fence_char = c;
  return n;
}

// The length of a container's mark at line[at]: a quote's '>', or a list item's "-", "*",
// "+", "1." or "1)" followed by a space, a tab or the line's end; 0 for anything else.
size_t container_mark(std::string_view line, size_t at) {
  if (at >= line.size()) return 0;
  if (line[at] == '>') return 1;
  const auto ends_mark = [&](size_t i) {
    return i >= line.size() || line[i] == ' ' || line[i] == '\t' || line[i] == '\r';
  };
  if ((line[at] == '-' || line[at] == '*' || line[at] == '+') && ends_mark(at + 1)) return 1;
  size_t digits = 0;
  while (at + digits < line.size() && digits < 10 && line[at + digits] >= '0' &&
         line[at + digits] <= '9')
    ++digits;
  if (digits > 0 && at + digits < line.size() &&
      (line[at + digits] == '.' || line[at + digits] == ')') && ends_mark(at + digits + 1))
    return digits + 1;
  return 0;
}

// Whether a line after a blank line starts a block of its own, whatever came before: a list
// item, a quote or an indented line could continue (or loosen) an open list or quote.
bool starts_fresh_block(std::string_view line) {
  return line[0] != ' ' && line[0] != '\t' && container_mark(line, 0) == 0;
}

// A line that may hold one, anywhere a container lets it start ("- [x]: u", "> [x]: u"):
// any "]:" at all, since a false alarm only costs a whole parse.
bool is_reference_definition(std::string_view line) {
  return line.find("]:") != std::string_view::npos;
}

// Whether a line holds a fence run (``` or ~~~) behind indentation or container marks
// ("    ```", "- ```", "> ```", "1. ~~~"). md4c 0.4.8 opens and closes such fences by rules
// this scan does not follow (inside lists and quotes, at any indentation under a paragraph,
// closing a list's fence from column 0), so text with one is parsed whole. A fence at column
// 0 is the common case and is tracked.
bool has_nested_fence(std::string_view line) {
  size_t i = 0;
  for (;;) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t'))
      ++i;
    const size_t mark = container_mark(line, i);
    if (mark == 0) break;
    i += mark;
  }
  if (i == 0) return false;  // a fence at column 0 is tracked
  const std::string_view rest = line.substr(i);
  return rest.starts_with("```") || rest.starts_with("~~~");
}

// After a closing fence md4c allows spaces only (a tab keeps the fence open).
bool only_spaces(std::string_view rest) {
  return rest.find_first_not_of(' ') == std::string_view::npos;
}

// Appends `part` (parsed on its own) to doc, moving its offsets past what doc holds.
void append_document(Document& doc, Document&& part) {
  // The separator parse() puts between blocks (see Builder::open_block).
  if (!part.blocks.empty() && !doc.text.empty() && doc.text.back() != '\n') doc.text += '\n';
  const auto text = static_cast<uint32_t>(doc.text.size());
  const auto spans = static_cast<uint32_t>(doc.spans.size());
  const auto links = static_cast<int32_t>(doc.links.size());
  doc.text += part.text;
  for (Span span : part.spans) {
    span.begin += text;
    span.end += text;
    if (span.link >= 0) span.link += links;
    doc.spans.push_back(span);
  }
  for (Block& block : part.blocks) {
    block.first_span += spans;
    for (uint32_t& cell : block.cells)
      cell += spans;
    doc.blocks.push_back(std::move(block));
  }
  for (std::string& link : part.links)
    doc.links.push_back(std::move(link));
}

}  // namespace

uint32_t parse_growing(std::string_view markdown, Document& doc, Settled& settled) {
  if (settled.whole || settled.source > markdown.size()) {
    settled = Settled{.whole = settled.whole};
    doc = parse(markdown);
    return 0;
  }
  const uint32_t kept = settled.blocks;
  doc.text.resize(settled.text);
  doc.spans.resize(settled.spans);
  doc.blocks.resize(settled.blocks);
  doc.links.resize(settled.links);

  // The newest boundary in the unsettled text: settled.source is one (outside a fence, after
  // a blank line or at the start), so the scan can begin there.
  size_t boundary = settled.source;
  bool in_fence = false;
  char fence_char = 0;
  size_t fence_length = 0;
  bool previous_blank = false;
  bool in_table = false;  // a line with '|' since the last blank one: md4c's table rows
  for (size_t at = settled.source; at < markdown.size();) {
    const size_t newline = markdown.find('\n', at);
    const std::string_view line = markdown.substr(
        at, newline == std::string_view::npos ? std::string_view::npos : newline - at);
    // Parsed whole from here on, when this scan cannot follow md4c: "[x]: h" defines x even
    // half-arrived; a carriage return ends lines for md4c where this scan sees none; a fence
    // inside a container or indented (has_nested_fence); a fence among a table's rows, which
    // md4c may read as a row.
    char c = 0;
    const size_t run = fence_run(line, c);
    const bool fence_at_0 = run > 0 && line[0] == c;
    if (line.find('\r') != std::string_view::npos ||
        (!in_fence && (is_reference_definition(line) || has_nested_fence(line) ||
                       (run > 0 && (in_table || !fence_at_0))))) {
      settled = Settled{.whole = true};
      doc = parse(markdown);
      return 0;
    }
    if (newline == std::string_view::npos) break;  // a line still arriving settles nothing
    if (in_fence) {
      if (run >= fence_length && c == fence_char && only_spaces(line.substr(line.find(c) + run)))
        in_fence = false;
    } else if (is_blank(line)) {
      previous_blank = true;
      in_table = false;
      at = newline + 1;
      continue;
    } else {
      if (previous_blank && at > settled.source && starts_fresh_block(line)) boundary = at;
      if (run > 0 && (c == '~' || line.find('`', run) == std::string_view::npos)) {
        in_fence = true;
        fence_char = c;
        fence_length = run;
      } else if (line.find('|') != std::string_view::npos) {
        in_table = true;
      }
    }
    previous_blank = false;
    at = newline + 1;
  }

  if (boundary > settled.source) {
    append_document(doc, parse(markdown.substr(settled.source, boundary - settled.source)));
    settled.source = static_cast<uint32_t>(boundary);
    settled.text = static_cast<uint32_t>(doc.text.size());
    settled.spans = static_cast<uint32_t>(doc.spans.size());
    settled.blocks = static_cast<uint32_t>(doc.blocks.size());
    settled.links = static_cast<uint32_t>(doc.links.size());
  }
  if (boundary < markdown.size()) append_document(doc, parse(markdown.substr(boundary)));
  return kept;
}

}  // namespace imchat::ui::markdown
