// Markdown → Document (md4c underneath) and Document → layout at a width.
#include "ui/markdown.h"

#include <imgui.h>

#include <cstring>
#include <memory>

#include <gtest/gtest.h>

#include "ui/draw_util.h"
#include "ui/rich_text.h"

namespace imchat::ui {
namespace {

using markdown::BlockKind;

TEST(MarkdownTest, BlocksSpansAndStyles) {
  const auto doc = markdown::parse(
      "# Title\n\nSome **bold** and *it* with `code` and [a link](https://x.test/).\n\n"
      "- one\n- two\n\n1. first\n2. second\n\n> quoted\n\n---\n");
  ASSERT_GE(doc.blocks.size(), 8u);
  EXPECT_EQ(doc.blocks[0].kind, BlockKind::kHeading);
  EXPECT_EQ(doc.blocks[0].heading, 1);
  const auto& p = doc.blocks[1];
  std::string plain;
  uint8_t styles = 0;
  for (uint32_t i = p.first_span; i < p.first_span + p.span_count; ++i) {
    plain += doc.span_text(doc.spans[i]);
    styles |= doc.spans[i].style;
  }
  EXPECT_EQ(plain, "Some bold and it with code and a link.");
  EXPECT_EQ(styles, markdown::kBold | markdown::kItalic | markdown::kCode | markdown::kLink);
  ASSERT_EQ(doc.links.size(), 1u);
  EXPECT_EQ(doc.links[0], "https://x.test/");
  EXPECT_EQ(doc.blocks[2].marker, "•");
  EXPECT_EQ(doc.blocks[2].list_depth, 1);
  EXPECT_EQ(doc.blocks[4].marker, "1.");
  EXPECT_EQ(doc.blocks[5].marker, "2.");
  EXPECT_EQ(doc.blocks[6].quote_depth, 1);
  EXPECT_EQ(doc.blocks[7].kind, BlockKind::kRule);
}

TEST(MarkdownTest, FencedCodeKeepsItsTextAndLanguage) {
  const auto doc = markdown::parse("```cpp\nint main() {\n  return 0;\n}\n```\n");
  ASSERT_EQ(doc.blocks.size(), 1u);
  EXPECT_EQ(doc.blocks[0].kind, BlockKind::kCode);
  EXPECT_EQ(doc.blocks[0].language, "cpp");
  EXPECT_EQ(doc.block_text(doc.blocks[0]), "int main() {\n  return 0;\n}");
}

TEST(MarkdownTest, TablesHaveOneSpanRangePerCellAndABoldHeader) {
  const auto doc = markdown::parse("| a | b |\n|---|---|\n| 1 | **2** |\n| 3 |\n");
  ASSERT_EQ(doc.blocks.size(), 1u);
  const auto& t = doc.blocks[0];
  EXPECT_EQ(t.kind, BlockKind::kTable);
  EXPECT_EQ(t.columns, 2);
  EXPECT_EQ(t.rows, 3);
  EXPECT_EQ(t.head_rows, 1);
  ASSERT_EQ(t.cells.size(), 7u);
  auto cell = [&](size_t i) {
    std::string out;
    for (uint32_t s = t.cells[i]; s < t.cells[i + 1]; ++s)
      out += doc.span_text(doc.spans[s]);
    return out;
  };
  EXPECT_EQ(cell(0), "a");
  EXPECT_EQ(cell(3), "2");
  EXPECT_EQ(cell(4), "3");
  EXPECT_EQ(cell(5), "");  // a short row is padded
  EXPECT_TRUE(doc.spans[t.cells[0]].style & markdown::kBold);
}

TEST(MarkdownTest, HtmlIsTextAndEntitiesAreDecoded) {
  const auto doc = markdown::parse("<script>alert(1)</script> &amp; &#x2014; &bogus;");
  std::string plain;
  for (const auto& span : doc.spans)
    plain += doc.span_text(span);
  EXPECT_EQ(plain, "<script>alert(1)</script> & \xE2\x80\x94 &bogus;");
}

TEST(MarkdownTest, NestedListsAndTasks) {
  const auto doc = markdown::parse("- [ ] todo\n- [x] done\n  - inner\n");
  ASSERT_EQ(doc.blocks.size(), 3u);
  EXPECT_EQ(doc.blocks[0].marker, "☐");
  EXPECT_EQ(doc.blocks[1].marker, "☑");
  EXPECT_EQ(doc.blocks[2].list_depth, 2);
}

// A reply as a model writes one: headings, lists tight and loose, a quote, fences (one with
// blank lines inside, one with a longer closer), a table, a rule, a number that is not a
// list item — every kind of boundary parse_growing settles at or must not.
const char* const kReply =
    "# Plan\n\nFirst a paragraph with **bold**, `code` and [a link](https://x.test/a).\n\n"
    "- one\n- two\n\n  still item two\n\n- three\n\nAfter the list.\n\n"
    "1. first\n2. second\n\n10) tenth\n\n2024 was a year.\n\n> quoted\n> more\n\n"
    "> second quote\n\n```cpp\nint main() {\n\n  return 0;\n}\n```\n\n"
    "~~~~\nnot closed by ~~~\n\n~~~\n~~~~\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n---\n\n"
    "Setext\n===\n\nLast *words* with an autolink https://y.test/ and the end.\n";

// Fed a few bytes at a time, as deltas arrive, the growing parse is the whole parse at
// every step — and it settles, so most of the reply is not parsed again.
TEST(MarkdownTest, AGrowingTextParsesAsTheWholeTextAtEveryStep) {
  const std::string reply = kReply;
  for (size_t chunk : {1, 3, 7, 40}) {
    markdown::Document doc;
    markdown::Settled settled;
    for (size_t n = 0; n <= reply.size();
         n = n == reply.size() ? n + 1 : std::min(reply.size(), n + chunk)) {
      const std::string_view text = std::string_view(reply).substr(0, n);
      markdown::parse_growing(text, doc, settled);
      ASSERT_TRUE(doc == markdown::parse(text))
          << "chunk " << chunk << ", after " << n << " bytes: ..."
          << text.substr(n > 40 ? n - 40 : 0);
      ASSERT_LE(settled.source, n);
    }
    EXPECT_GT(settled.source, reply.size() * 3 / 4) << "chunk " << chunk;
    EXPECT_FALSE(settled.whole);
  }
}

// Nothing settles inside an open fence: the blank lines in a code block that is still
// arriving are its own.
// Found by fuzzing the growing parse: md4c left a table cell's autolink open before bytes
// that are not UTF-8, and the link ran on into the next paragraph — which the same text
// streamed in pieces did not show.
TEST(MarkdownTest, ALinkNeverRunsPastItsBlock) {
  const auto doc = markdown::parse("\xe2\n|---\nhttp://.k|\n\n\xe5\n");
  ASSERT_EQ(doc.blocks.size(), 2u);
  const markdown::Block& last = doc.blocks.back();
  ASSERT_EQ(last.span_count, 1u);
  EXPECT_EQ(doc.spans[last.first_span].link, -1);
  EXPECT_EQ(doc.spans[last.first_span].style, 0);
}

// Fences md4c 0.4.8 reads by rules the growing scan does not follow — under a table (md4c
// may read "```" as a row), indented under a paragraph, inside list items and quotes (whose
// fence a column-0 "```" can close), a closer with a tab after it — and HTML, which the
// parser does not keep (MD_FLAG_NOHTML). The first inputs were found by the fuzzer, the rest
// by review. At every prefix the growing parse must equal the whole one.
TEST(MarkdownTest, FencesTheScanCannotFollowStillParseAsTheWholeText) {
  const std::vector<std::string> texts = {
      ":\n|:-:\n```\n\nText\n\n```\n\n|\n\nEnd\n",
      "a|b\n-|-\nfoo\n```\n\nx\n```\n\ny\n",
      "a\n    ```\n\nb\n",
      "Run:\n    ```sh\n    make\n    ```\n\nThen open it.\n",
      "- a\n\n  ```\n  b\n\nx\n  ```\n\ny\n",
      "- ```\n  a\n\n```\n",
      "> ```\n> a\n```\n\n```\n\nz\n",
      "```\nA\n```\t\n\nB\n",
      "[x]\n\nz\n\n- a\n  ```\nb\n\n[x]: /u\n",
      "Intro\n\n<!--\n\nhidden\n\n-->\n\nShown\n\n",
  };
  for (const std::string& text : texts) {
    markdown::Document doc;
    markdown::Settled settled;
    for (size_t n = 1; n <= text.size(); ++n) {
      markdown::parse_growing(std::string_view(text).substr(0, n), doc, settled);
      ASSERT_EQ(doc, markdown::parse(std::string_view(text).substr(0, n))) << text << " at " << n;
    }
  }
}

TEST(MarkdownTest, NothingSettlesInsideAnOpenFence) {
  const std::string text = "Intro.\n\n```\nline\n\nmore\n\nand more\n";
  markdown::Document doc;
  markdown::Settled settled;
  markdown::parse_growing(text, doc, settled);
  EXPECT_EQ(settled.source, 8u);  // before the fence, not in it
  EXPECT_TRUE(doc == markdown::parse(text));
}

// A reference definition can turn earlier text into a link, so once one is seen every call
// parses the whole text.
TEST(MarkdownTest, AReferenceDefinitionMakesTheGrowingParseWhole) {
  const std::string text = "See [the docs].\n\nMore text.\n\n[the docs]: https://z.test/\n\nEnd.\n";
  markdown::Document doc;
  markdown::Settled settled;
  for (size_t n = 0; n <= text.size(); ++n) {
    markdown::parse_growing(std::string_view(text).substr(0, n), doc, settled);
    ASSERT_TRUE(doc == markdown::parse(std::string_view(text).substr(0, n))) << n;
  }
  EXPECT_TRUE(settled.whole);
  ASSERT_EQ(doc.links.size(), 1u);
}

// Layout needs real glyph metrics: ImGui's built-in font, rasterised on the CPU.
class RichTextTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ImGui::CreateContext();
    ImGui::GetIO().IniFilename = nullptr;  // tests that draw a frame write no imgui.ini
    ImFont* font = ImGui::GetIO().Fonts->AddFontDefault();
    ImGui::GetIO().Fonts->Build();
    style_.body = style_.bold = style_.italic = style_.mono = style_.small = style_.h1 = style_.h2 =
        font;
    style_.text = 0xffffffff;
  }
  void TearDown() override { ImGui::DestroyContext(); }

  RichTextStyle style_;
};

TEST_F(RichTextTest, WrapsAtTheWidthAndNeverPastIt) {
  const auto doc = markdown::parse(
      "The quick brown fox jumps over the lazy dog, again and again, until the line is long "
      "enough to wrap several times at a narrow width.");
  const TextLayout wide = layout_rich_text(doc, 5000, style_);
  const TextLayout narrow = layout_rich_text(doc, 200, style_);
  EXPECT_EQ(wide.texts.size(), 1u);  // one line, one draw call
  EXPECT_GT(narrow.height, wide.height * 4);
  EXPECT_LE(narrow.width, 200);
  for (const TextPiece& piece : narrow.texts) {
    const char* text = doc.text.data();
    std::string_view s(text + piece.begin, piece.end - piece.begin);
    while (!s.empty() && s.back() == ' ')
      s.remove_suffix(1);
    const float w =
        piece.font->CalcTextSizeA(piece.font->FontSize, FLT_MAX, 0, s.data(), s.data() + s.size())
            .x;
    EXPECT_LE(piece.pos.x + w, 200.5f) << s;
  }
}

TEST_F(RichTextTest, ALongWordBreaksBetweenCharacters) {
  const auto doc = markdown::parse(std::string(300, 'x'));
  const TextLayout layout = layout_rich_text(doc, 100, style_);
  EXPECT_GT(layout.texts.size(), 5u);
  EXPECT_LE(layout.width, 100);
  size_t chars = 0;
  for (const TextPiece& piece : layout.texts)
    chars += piece.end - piece.begin;
  EXPECT_EQ(chars, 300u);  // nothing lost in the breaks
}

TEST_F(RichTextTest, CodeBlocksGetAPanelACopyButtonAndFullWidth) {
  const auto doc = markdown::parse("Intro\n\n```py\nprint('hi')\n```\n");
  const TextLayout layout = layout_rich_text(doc, 400, style_);
  ASSERT_EQ(layout.code.size(), 1u);
  EXPECT_EQ(layout.code[0].block, 1u);
  EXPECT_FLOAT_EQ(layout.code[0].max.x, 400);
  EXPECT_GT(layout.code[0].copy_max.x, layout.code[0].copy_min.x);
  EXPECT_FLOAT_EQ(layout.width, 400);
  bool language_shown = false;
  for (const std::string& label : layout.labels)
    language_shown |= label == "py";
  EXPECT_TRUE(language_shown);
}

TEST_F(RichTextTest, LinksHaveClickableAreas) {
  const auto doc = markdown::parse("See [the docs](https://example.test/docs) now.");
  const TextLayout layout = layout_rich_text(doc, 600, style_);
  ASSERT_EQ(layout.links.size(), 1u);
  EXPECT_EQ(layout.links[0].link, 0);
  EXPECT_GT(layout.links[0].max.x - layout.links[0].min.x, 20);
}

}  // namespace
}  // namespace imchat::ui

namespace imchat::ui {
namespace {

TEST_F(RichTextTest, HitTestingFindsTheCharacterUnderAPointAcrossLines) {
  const auto doc = markdown::parse("First line of text\n\nSecond **bold** line");
  const TextLayout layout = layout_rich_text(doc, 600, style_);
  ASSERT_GE(layout.texts.size(), 2u);
  const TextPiece& top = layout.texts.front();
  const float h = top.font->FontSize;
  // Left of the first character, and far right of the first line.
  EXPECT_EQ(hit_test(doc, layout, ImVec2(-10, top.pos.y + h / 2)), 0u);
  const uint32_t end_of_first = hit_test(doc, layout, ImVec2(5000, top.pos.y + h / 2));
  EXPECT_EQ(doc.text.substr(0, end_of_first), "First line of text");
  // Just past "First": the offset after its last letter.
  const float first_w = top.font->CalcTextSizeA(h, FLT_MAX, 0, "First").x;
  EXPECT_EQ(hit_test(doc, layout, ImVec2(top.pos.x + first_w + 0.5f, top.pos.y + h / 2)), 5u);
  // Below everything: the end of the last line; the range between reads as plain text.
  const uint32_t end = hit_test(doc, layout, ImVec2(5000, layout.height + 50));
  EXPECT_EQ(end, static_cast<uint32_t>(doc.text.size()));
  EXPECT_EQ(doc.text.substr(6, end - 6), "line of text\nSecond bold line");
}

// Laid out again from the first block that changed, a growing reply's layout is the layout
// of the whole reply, piece for piece.
// draw_rich_text walks only the blocks that meet the clip. Without block ends it walks every
// piece; both must draw the same vertices for any clip, including quote bars joined upwards.
TEST_F(RichTextTest, DrawingOnlyTheBlocksInTheClipDrawsWhatTheWholeWalkDraws) {
  std::string reply;
  for (int i = 0; i < 4; ++i)
    reply += std::string(kReply) + "\n\n> quoted\n>\n> and joined\n\n";
  const auto doc = markdown::parse(reply);
  const TextLayout layout = layout_rich_text(doc, 300, style_);
  TextLayout unindexed = layout;
  unindexed.block_ends.clear();
  ASSERT_GT(layout.block_ends.size(), 20u);
  ImGuiIO& io = ImGui::GetIO();
  io.DisplaySize = ImVec2(400, 400);
  ImGui::NewFrame();
  ImDrawList* draw = ImGui::GetForegroundDrawList();
  size_t drawn = 0;
  for (float top = -50; top < layout.height + 50; top += 37) {
    const ImVec2 origin(10, 20);
    const ImVec2 clip_min(0, origin.y + top), clip_max(400, origin.y + top + 90);
    draw->_ResetForNewFrame();
    draw->PushClipRect(ImVec2(-1e6f, -1e6f), ImVec2(1e6f, 1e6f));  // ImGui culls nothing
    draw_rich_text(draw, doc, layout, origin, clip_min, clip_max);
    const std::vector<ImDrawVert> narrowed(draw->VtxBuffer.begin(), draw->VtxBuffer.end());
    draw->_ResetForNewFrame();
    draw->PushClipRect(ImVec2(-1e6f, -1e6f), ImVec2(1e6f, 1e6f));
    draw_rich_text(draw, doc, unindexed, origin, clip_min, clip_max);
    const std::vector<ImDrawVert> walked(draw->VtxBuffer.begin(), draw->VtxBuffer.end());
    ASSERT_EQ(narrowed.size(), walked.size()) << "clip at " << top;
    for (size_t i = 0; i < walked.size(); ++i) {
      ASSERT_EQ(narrowed[i].pos.x, walked[i].pos.x) << top;
      ASSERT_EQ(narrowed[i].pos.y, walked[i].pos.y) << top;
    }
    drawn += walked.size();
  }
  EXPECT_GT(drawn, 1000u);
  ImGui::EndFrame();
}

TEST_F(RichTextTest, ALayoutContinuedFromTheSettledBlocksEqualsAWholeLayout) {
  // The second text turns whole when its definition arrives: "[the docs]" above it becomes a
  // link, so the blocks laid out before must be laid out again.
  // With steps of 30 bytes the definition arrives whole in one step, as in a delta.
  const std::string defined =
      "See [the docs].\n\nMore text.\n\n[the docs]: https://z.test/\n\nEnd.\n";
  for (const auto& [reply, step] :
       {std::pair<std::string, size_t>(kReply, 5), {defined, 1}, {defined, 30}}) {
    markdown::Document doc;
    markdown::Settled settled;
    TextLayout layout;
    size_t continued = 0;
    for (size_t n = 0; n <= reply.size(); n += step) {
      const uint32_t kept =
          markdown::parse_growing(std::string_view(reply).substr(0, n), doc, settled);
      relayout_rich_text(doc, kept, 300, style_, layout);
      continued += kept > 0;
      const TextLayout whole = layout_rich_text(doc, 300, style_);
      ASSERT_EQ(layout.texts.size(), whole.texts.size()) << n;
      ASSERT_EQ(layout.boxes.size(), whole.boxes.size()) << n;
      ASSERT_EQ(layout.labels, whole.labels) << n;
      ASSERT_EQ(layout.links.size(), whole.links.size()) << n;
      ASSERT_EQ(layout.code.size(), whole.code.size()) << n;
      ASSERT_EQ(layout.height, whole.height) << n;
      ASSERT_EQ(layout.width, whole.width) << n;
      for (size_t i = 0; i < whole.texts.size(); ++i) {
        ASSERT_EQ(layout.texts[i].begin, whole.texts[i].begin) << n << " piece " << i;
        ASSERT_EQ(layout.texts[i].end, whole.texts[i].end) << n << " piece " << i;
        ASSERT_EQ(layout.texts[i].pos.x, whole.texts[i].pos.x) << n << " piece " << i;
        ASSERT_EQ(layout.texts[i].pos.y, whole.texts[i].pos.y) << n << " piece " << i;
      }
      for (size_t i = 0; i < whole.boxes.size(); ++i) {
        ASSERT_EQ(layout.boxes[i].min.y, whole.boxes[i].min.y) << n << " box " << i;
        ASSERT_EQ(layout.boxes[i].max.y, whole.boxes[i].max.y) << n << " box " << i;
      }
    }
    if (reply.size() > 200) {
      EXPECT_GT(continued, 50u);  // most steps reused the settled blocks' layout
    }
  }
}

TEST(PreviewLineTest, MarkdownMarksAndNewlinesGoAndUtf8IsNeverCut) {
  EXPECT_EQ(preview_line("### Builtin model\n\nYou wrote *5 words*: \"What is imchat?\nAnswer\"."),
            "Builtin model You wrote 5 words: \"What is imchat? Answer\".");
  EXPECT_EQ(preview_line("  \n\n  "), "");
  EXPECT_EQ(preview_line("caf\xC3\xA9", 4), "caf");
  EXPECT_EQ(preview_line("abc def", 5), "abc d");
}

}  // namespace
}  // namespace imchat::ui

namespace imchat::ui {
namespace {

// Found by tests/fuzz/fuzz_markdown: md4c read past the end of a document ending in a
// list number. The view here ends exactly at the end of its heap buffer, as the fuzzer's
// input did; AddressSanitizer (make test-asan) reports the read if it comes back.
TEST(MarkdownTest, ADocumentEndingInAListNumberIsReadWithinItsBytes) {
  for (const char* text : {"\x01\n2", "1\n2", "- a\n10", "3"}) {
    const size_t n = std::strlen(text);
    std::unique_ptr<char[]> exact(new char[n]);
    std::memcpy(exact.get(), text, n);
    const auto doc = markdown::parse(std::string_view(exact.get(), n));
    EXPECT_FALSE(doc.blocks.empty()) << text;
  }
}

// A code line is never wrapped: a panel too narrow for it scrolls sideways. Drawn with an
// offset, its lines move left by it, clipped to the panel; hit testing and selection follow.
TEST_F(RichTextTest, ACodeLineTooLongForItsPanelScrollsSideways) {
  const std::string long_line = "let x = '" + std::string(600, 'y') + "';";
  const auto doc = markdown::parse("```js\n" + long_line + "\nshort();\n```\n");
  style_.code_text = style_.muted = 0xffffffff;  // drawn (ImGui skips transparent text)
  const TextLayout layout = layout_rich_text(doc, 400, style_);
  ASSERT_EQ(layout.code.size(), 1u);
  ASSERT_EQ(layout.scrolls.size(), 1u);
  const ScrollArea& area = layout.scrolls[0];
  EXPECT_GT(area.max_scroll(), 1000) << "the line keeps its length";
  float first_y = FLT_MAX, last_y = 0;
  size_t chars = 0;
  for (uint32_t i = area.texts_begin; i < area.texts_end; ++i) {
    first_y = std::min(first_y, layout.texts[i].pos.y);
    last_y = std::max(last_y, layout.texts[i].pos.y);
    chars += layout.texts[i].end - layout.texts[i].begin;
  }
  EXPECT_EQ(chars, long_line.size() + std::string("short();").size()) << "nothing lost";
  EXPECT_LT(last_y - first_y, 2.5f * style_.mono->FontSize) << "two lines, not wrapped";
  // Offsets are held to what the panel can scroll.
  const float too_far[] = {1e9f};
  EXPECT_FLOAT_EQ(side_scroll(layout, too_far, 0), area.max_scroll());
  const float back[] = {-5};
  EXPECT_FLOAT_EQ(side_scroll(layout, back, 0), 0);

  // Hit testing: a point at the panel's middle is a character further on when scrolled.
  const ImVec2 point((area.view_min.x + area.view_max.x) / 2,
                     layout.texts[area.texts_begin].pos.y + 2);
  const float offset[] = {300};
  const uint32_t still = hit_test(doc, layout, point);
  const uint32_t scrolled = hit_test(doc, layout, point, offset);
  EXPECT_GT(scrolled, still + 20) << still << " vs " << scrolled;

  // Drawing: scrolled, the line's glyphs move left and stay inside the panel's clip.
  const auto draw = [&](SideScroll scroll) {
    ImGuiIO& io = ImGui::GetIO();
    io.DisplaySize = ImVec2(800, 600);
    io.DeltaTime = 1.0f / 60;
    ImGui::NewFrame();
    ImDrawList* list = ImGui::GetForegroundDrawList();
    draw_rich_text(list, doc, layout, ImVec2(0, 0), ImVec2(0, 0), ImVec2(800, 600), scroll);
    float min_x = FLT_MAX;
    bool clipped = false;
    for (const ImDrawCmd& cmd : list->CmdBuffer)
      clipped |= cmd.ClipRect.z <= area.view_max.x + 0.5f && cmd.ElemCount > 0;
    const float line_top = layout.texts[area.texts_begin].pos.y;  // the first line's glyphs
    for (const ImDrawVert& v : list->VtxBuffer)
      if (v.pos.y >= line_top && v.pos.y <= line_top + style_.mono->FontSize)
        min_x = std::min(min_x, v.pos.x);
    ImGui::EndFrame();
    return std::make_pair(min_x, clipped);
  };
  const auto [x_still, clipped_still] = draw({});
  const auto [x_scrolled, clipped_scrolled] = draw(offset);
  EXPECT_TRUE(clipped_still && clipped_scrolled) << "the lines are clipped to the panel";
  EXPECT_LT(x_scrolled, x_still) << "scrolled lines start further left (clipped there)";
}

// A table whose columns cannot shrink to the width scrolls sideways too: its boxes, text and
// links are one scroll area, and a link scrolled out of view cannot be clicked. What fits
// (a short code panel, a narrow table) is no scroll area at all.
TEST_F(RichTextTest, ATableTooWideForItsColumnsScrollsSidewaysAndWhatFitsDoesNot) {
  std::string head = "|", rule = "|", row = "|";
  for (int c = 0; c < 20; ++c) {
    head += " column " + std::to_string(c) + " |";
    rule += "---|";
    row += c == 0 ? " [docs](https://example.test) |" : " value |";
  }
  const auto wide = markdown::parse(head + "\n" + rule + "\n" + row + "\n");
  const TextLayout layout = layout_rich_text(wide, 400, style_);
  ASSERT_EQ(layout.scrolls.size(), 1u);
  const ScrollArea& area = layout.scrolls[0];
  EXPECT_GT(area.max_scroll(), 400);
  EXPECT_GT(area.boxes_end, area.boxes_begin);
  EXPECT_EQ(area.texts_end - area.texts_begin, layout.texts.size()) << "every cell's text";
  ASSERT_EQ(area.links_end - area.links_begin, 1u);
  EXPECT_LE(layout.width, 400) << "the bubble keeps its width";
  bool shown = false;
  EXPECT_FLOAT_EQ(link_shift(layout, {}, 0, shown), 0);
  EXPECT_TRUE(shown);
  const float far[] = {300};
  EXPECT_FLOAT_EQ(link_shift(layout, far, 0, shown), 300);
  EXPECT_FALSE(shown) << "the first column's link has scrolled out of view";

  const auto fits = markdown::parse("| a | b |\n|---|---|\n| 1 | 2 |\n\n```\nshort\n```\n");
  EXPECT_TRUE(layout_rich_text(fits, 400, style_).scrolls.empty());
}

}  // namespace
}  // namespace imchat::ui
