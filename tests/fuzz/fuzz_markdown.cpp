// A message's text as the chat shows it: Markdown (md4c) to a Document, then the rich-text
// layout at a width the input picks, hit-testing and selection drawing over it. Every span
// must stay inside the document's text; nothing may crash or loop.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <imgui.h>

#include "ui/markdown.h"
#include "ui/rich_text.h"

using namespace imchat::ui;

namespace {

RichTextStyle& style() {
  static RichTextStyle s = [] {
    ImGui::CreateContext();
    ImFont* font = ImGui::GetIO().Fonts->AddFontDefault();
    ImGui::GetIO().Fonts->Build();
    ImGui::GetIO().DisplaySize = ImVec2(2000, 2000);
    ImGui::GetIO().IniFilename = nullptr;
    RichTextStyle st;
    st.body = st.bold = st.italic = st.mono = st.small = st.h1 = st.h2 = font;
    st.text = st.muted = st.link = st.code_text = 0xffffffff;
    return st;
  }();
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  RichTextStyle& st = style();
  const float width = 20.0f + static_cast<float>(data[0]) * 4.0f;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  const markdown::Document doc = markdown::parse(text);
  for (const auto& span : doc.spans) {
    if (span.begin > span.end || span.end > doc.text.size()) std::abort();
    if (span.link >= 0 && static_cast<size_t>(span.link) >= doc.links.size()) std::abort();
  }
  for (const auto& block : doc.blocks) {
    if (block.first_span + block.span_count > doc.spans.size()) std::abort();
    (void)doc.block_text(block);
  }
  const TextLayout layout = layout_rich_text(doc, width, st);

  // The same text arriving as a stream, a few bytes at a time: the growing parse and the
  // continued layout must end exactly where the whole ones are.
  {
    // At most ~48 steps, each checked against a whole parse of the same prefix: what shows
    // mid-stream must be right too, and big inputs stay fast enough to fuzz.
    const size_t chunk = std::max<size_t>(1 + data[0] % 16, text.size() / 48);
    markdown::Document grown;
    markdown::Settled settled;
    TextLayout continued;
    for (size_t n = std::min(chunk, text.size());; n = std::min(text.size(), n + chunk)) {
      const uint32_t kept = markdown::parse_growing(text.substr(0, n), grown, settled);
      if (n < text.size() && !(grown == markdown::parse(text.substr(0, n)))) std::abort();
      relayout_rich_text(grown, kept, width, st, continued);
      if (n == text.size()) break;
    }
    if (!(grown == doc)) std::abort();
    if (continued.texts.size() != layout.texts.size() || continued.height != layout.height ||
        continued.width != layout.width || continued.boxes.size() != layout.boxes.size() ||
        continued.labels != layout.labels)
      std::abort();
    for (size_t i = 0; i < layout.texts.size(); ++i) {  // the same bytes, in the same places
      const TextPiece &a = continued.texts[i], &b = layout.texts[i];
      if (a.begin != b.begin || a.end != b.end || a.label != b.label || a.pos.x != b.pos.x ||
          a.pos.y != b.pos.y)
        std::abort();
    }
  }
  for (const auto& piece : layout.texts) {
    const size_t limit = piece.label >= 0
                             ? layout.labels.at(static_cast<size_t>(piece.label)).size()
                             : doc.text.size();
    if (piece.begin > piece.end || piece.end > limit) std::abort();
  }
  const uint32_t at = hit_test(doc, layout, ImVec2(width / 2, layout.height / 2));
  if (at > doc.text.size()) std::abort();
  // Drawing as a frame would: into a real draw list, inside a frame.
  ImGui::GetIO().DeltaTime = 1.0f / 60;
  ImGui::NewFrame();
  ImDrawList* list = ImGui::GetForegroundDrawList();
  draw_selection(list, doc, layout, ImVec2(0, 0), 0, at, 0x80ffffff);
  draw_rich_text(list, doc, layout, ImVec2(0, 0), ImVec2(0, 0), ImVec2(width, layout.height));
  ImGui::EndFrame();
  return 0;
}
