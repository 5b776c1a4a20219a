// What a frame changes on screen (platform/frame_damage.cpp), from real ImGui draw lists
// built headless: nothing when nothing changed, the changed text's box when one line
// changes, the moved triangles when only a clip rectangle changes, and everything when the
// window set or the display changes.
#include "platform/frame_damage.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>

namespace imchat::platform {
namespace {

class FrameDamageTest : public ::testing::Test {
 protected:
  FrameDamageTest() {
    ImGui::CreateContext();
    ImGui::GetIO().IniFilename = nullptr;
    unsigned char* pixels = nullptr;
    int w = 0, h = 0;
    ImGui::GetIO().Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);
  }
  ~FrameDamageTest() override { ImGui::DestroyContext(); }

  // One frame: a full-display window whose contents `body` draws; returns its damage.
  DamageRect frame(const std::function<void()>& body, ImVec2 display = ImVec2(800, 600),
                   bool everything = false) {
    ImGuiIO& io = ImGui::GetIO();
    io.DisplaySize = display;
    io.DeltaTime = 1.0f / 60;
    ImGui::NewFrame();
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(display);
    ImGui::Begin("pane", nullptr, ImGuiWindowFlags_NoDecoration);
    body();
    ImGui::End();
    ImGui::Render();
    return damage_.update(*ImGui::GetDrawData(), everything);
  }

  static void lines(int changed_line, const std::string& text) {
    for (int i = 0; i < 20; ++i)
      ImGui::TextUnformatted(i == changed_line ? text.c_str() : "An unchanged line of text");
  }

  FrameDamage damage_;
};

TEST_F(FrameDamageTest, TheFirstFrameAndAskingForItDamageEverything) {
  const DamageRect first = frame([] { lines(-1, ""); });
  EXPECT_EQ(first.min.x, 0);
  EXPECT_EQ(first.max.x, 800);
  EXPECT_EQ(first.max.y, 600);
  EXPECT_TRUE(frame([] { lines(-1, ""); }).empty()) << "the same frame again changes nothing";
  EXPECT_EQ(frame([] { lines(-1, ""); }, ImVec2(800, 600), true).area(), 800.f * 600.f);
}

TEST_F(FrameDamageTest, OneChangedLineDamagesThatLineOnly) {
  frame([] { lines(10, "A line that will grow"); });
  frame([] { lines(10, "A line that will grow"); });
  const DamageRect d = frame([] { lines(10, "A line that will grow, and has"); });
  ASSERT_FALSE(d.empty());
  const float line = ImGui::GetTextLineHeightWithSpacing();
  EXPECT_LT(d.max.y - d.min.y, line + 4) << "one line tall";
  EXPECT_GT(d.min.y, 9 * line) << "below the lines above it";
  EXPECT_LT(d.max.y, 13 * line) << "above the lines below it";
  EXPECT_LT(d.area(), 800.f * 600.f / 20);
}

TEST_F(FrameDamageTest, AClipRectangleThatChangesDamagesWhatItClips) {
  auto square = [](float clip_right) {
    return [clip_right] {
      ImDrawList* draw = ImGui::GetWindowDrawList();
      draw->PushClipRect(ImVec2(100, 100), ImVec2(clip_right, 200));
      draw->AddRectFilled(ImVec2(100, 100), ImVec2(200, 200), IM_COL32(255, 0, 0, 255));
      draw->PopClipRect();
      draw->AddRectFilled(ImVec2(500, 500), ImVec2(600, 550), IM_COL32(0, 255, 0, 255));
    };
  };
  frame(square(150));
  EXPECT_TRUE(frame(square(150)).empty());
  // Same vertices, clipped differently: the square's box is damaged, the other rectangle not.
  const DamageRect d = frame(square(200));
  ASSERT_FALSE(d.empty());
  EXPECT_LE(d.min.x, 100);
  EXPECT_GE(d.max.x, 200);
  EXPECT_LT(d.max.y, 500);
}

TEST_F(FrameDamageTest, ANewDisplaySizeOrWindowDamagesEverything) {
  frame([] { lines(-1, ""); });
  EXPECT_EQ(frame([] { lines(-1, ""); }, ImVec2(900, 600)).area(), 900.f * 600.f);
  // A popup over the pane: another draw list, so all of it is drawn again. (ImGui hides a
  // new self-sizing window for its first frame, while it measures: nothing shows yet.)
  auto with_popup = [] {
    lines(-1, "");
    ImGui::SetNextWindowPos(ImVec2(10, 10));
    ImGui::Begin("popup", nullptr, ImGuiWindowFlags_NoDecoration);
    ImGui::TextUnformatted("over it");
    ImGui::End();
  };
  EXPECT_TRUE(frame(with_popup, ImVec2(900, 600)).empty());
  EXPECT_EQ(frame(with_popup, ImVec2(900, 600)).area(), 900.f * 600.f);
}

TEST_F(FrameDamageTest, ClippingADrawToTheDamageLeavesNoCommandOutsideIt) {
  frame([] { lines(-1, ""); });
  const DamageRect d = frame([] { lines(3, "changed"); });
  ImDrawData& data = *ImGui::GetDrawData();
  FrameDamage::clip_to(data, d);
  for (int i = 0; i < data.CmdListsCount; ++i) {
    for (const ImDrawCmd& cmd : data.CmdLists[i]->CmdBuffer) {
      const bool nothing = cmd.ClipRect.z <= cmd.ClipRect.x || cmd.ClipRect.w <= cmd.ClipRect.y;
      if (nothing) continue;
      EXPECT_GE(cmd.ClipRect.x, d.min.x);
      EXPECT_GE(cmd.ClipRect.y, d.min.y);
      EXPECT_LE(cmd.ClipRect.z, d.max.x);
      EXPECT_LE(cmd.ClipRect.w, d.max.y);
    }
  }
}

}  // namespace
}  // namespace imchat::platform
