// What a frame changes on screen (platform/frame_damage.cpp), from real ImGui draw lists
// built headless: nothing when nothing changed, the changed text's box when one line
// changes, the moved triangles when only a clip rectangle changes, and everything when the
// window set or the display changes.
#include "platform/frame_damage.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

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
  // In the pixels the renderer's scissor covers (the float rectangles are set a fraction of
  // a pixel off whole pixels, for the backend's rounding).
  const PixelRect damage = to_pixels(d, data);
  for (int i = 0; i < data.CmdListsCount; ++i) {
    for (const ImDrawCmd& cmd : data.CmdLists[i]->CmdBuffer) {
      const PixelRect px = backend_scissor(cmd.ClipRect, data);
      if (px.empty()) continue;
      EXPECT_GE(px.x0, damage.x0);
      EXPECT_GE(px.y0, damage.y0);
      EXPECT_LE(px.x1, damage.x1);
      EXPECT_LE(px.y1, damage.y1);
    }
  }
}

// The GL backend truncates a scissor's origin and size apart, so clipping the float
// rectangles alone lost a column: a clip from x 10.6 cut at 15 became [10, 14) while the
// clear went to 15, and that column showed the background. Each clipped command must draw
// exactly the pixels of the damage it drew in a full frame, at any framebuffer scale.
TEST_F(FrameDamageTest, ClippedCommandsDrawExactlyTheirPixelsOfTheDamage) {
  ImDrawList list(ImGui::GetDrawListSharedData());
  const ImVec4 clips[] = {{10.6f, 3.3f, 40.2f, 30.7f},    {0, 0, 800, 600},
                          {-5.5f, -2.25f, 12.75f, 9.5f},  {20.5f, 20.5f, 20.6f, 21.0f},
                          {100.9f, 7.1f, 300.4f, 401.6f}, {50, 50, 40, 60}};
  const DamageRect damages[] = {{{5, 5}, {15, 15}},
                                {{0, 0}, {800, 600}},
                                {{11, 4}, {39, 30}},
                                {{20, 20}, {22, 22}},
                                {{150, 0}, {800, 450}}};
  for (const ImVec2 scale : {ImVec2(1, 1), ImVec2(2, 2), ImVec2(1.5f, 1.5f)}) {
    for (const DamageRect& damage : damages) {
      list.CmdBuffer.clear();
      for (const ImVec4& clip : clips) {
        ImDrawCmd cmd;
        cmd.ClipRect = clip;
        list.CmdBuffer.push_back(cmd);
      }
      ImDrawList* lists[] = {&list};
      ImDrawData data;
      data.Valid = true;
      data.CmdLists = lists;
      data.CmdListsCount = 1;
      data.DisplayPos = ImVec2(0, 0);
      data.DisplaySize = ImVec2(800, 600);
      data.FramebufferScale = scale;
      std::vector<PixelRect> want;
      for (const ImVec4& clip : clips)
        want.push_back(backend_scissor(clip, data).intersect(to_pixels(damage, data)));
      FrameDamage::clip_to(data, damage);
      for (size_t i = 0; i < want.size(); ++i) {
        const PixelRect got = backend_scissor(list.CmdBuffer[static_cast<int>(i)].ClipRect, data);
        const std::string where = "clip " + std::to_string(i) + " at scale " +
                                  std::to_string(scale.x) + ", damage x " +
                                  std::to_string(damage.min.x);
        if (want[i].empty()) {
          EXPECT_TRUE(got.empty()) << where;
          continue;
        }
        EXPECT_EQ(got.x0, want[i].x0) << where;
        EXPECT_EQ(got.y0, want[i].y0) << where;
        EXPECT_EQ(got.x1, want[i].x1) << where;
        EXPECT_EQ(got.y1, want[i].y1) << where;
      }
    }
  }
}

}  // namespace
}  // namespace imchat::platform
