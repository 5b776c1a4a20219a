// The product's fonts as packed for the web: Latin, Greek and Cyrillic are baked, and a
// character no font has is drawn as a visible box, never as nothing.
#include "ui/theme.h"

#include <gtest/gtest.h>

namespace imchat::ui {
namespace {

TEST(Theme, FontsCoverLatinGreekCyrillicAndShowABoxForTheRest) {
  ImGui::CreateContext();
  Theme theme(IMCHAT_TEST_FONT_DIR);
  theme.apply(1.0f);
  ImGui::GetIO().Fonts->Build();
  const Fonts& fonts = theme.fonts();
  ASSERT_EQ(fonts.load_error, "");
  for (ImFont* font : {fonts.body, fonts.body_bold, fonts.italic, fonts.mono}) {
    for (ImWchar c : {ImWchar('a'), ImWchar(0x00E9) /* é */, ImWchar(0x03BB) /* λ */,
                      ImWchar(0x0416) /* Ж */, ImWchar(0x2026) /* … */})
      EXPECT_NE(font->FindGlyphNoFallback(c), nullptr) << std::hex << c;
    const ImFontGlyph* missing = font->FindGlyph(0x65E5);  // 日: no font here has it
    ASSERT_NE(missing, nullptr);
    EXPECT_TRUE(missing->Codepoint == kMissingGlyph || missing->Codepoint == 0xFFFD)
        << std::hex << missing->Codepoint;
    EXPECT_TRUE(missing->Visible) << "a box, not a blank";
  }
  ImGui::DestroyContext();
}

}  // namespace
}  // namespace imchat::ui
