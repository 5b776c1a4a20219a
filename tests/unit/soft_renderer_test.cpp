// The software renderer (platform/soft_renderer.cpp), on real ImGui draw lists built
// headless: fills land on the pixels GL would cover and nowhere else, two triangles sharing
// an edge blend each pixel once, clip and damage rectangles hold, colours interpolate,
// text comes out of the font atlas, and indices that point nowhere draw nothing.
#include "platform/soft_renderer.h"

#include <gtest/gtest.h>
#include <imgui_internal.h>  // ImDrawListSharedData::TexUvWhitePixel

#include <cmath>
#include <functional>

namespace imchat::platform {
namespace {

constexpr int kW = 64, kH = 48;
constexpr ImU32 kClear = IM_COL32(10, 20, 30, 255);

class SoftRendererTest : public ::testing::Test {
 protected:
  SoftRendererTest() {
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    unsigned char* pixels = nullptr;
    int w = 0, h = 0;
    io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);
    renderer_.set_texture(pixels, w, h);
    io.Fonts->SetTexID(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(1)));
    io.BackendFlags |= ImGuiBackendFlags_RendererHasVtxOffset;
    renderer_.resize(kW, kH);
  }
  ~SoftRendererTest() override { ImGui::DestroyContext(); }

  // One frame whose foreground draw list `draw` fills, rendered into `rect`.
  void frame(const std::function<void(ImDrawList&)>& draw, PixelRect rect = {0, 0, kW, kH},
             bool anti_aliased = false) {
    ImGuiIO& io = ImGui::GetIO();
    io.DisplaySize = ImVec2(kW, kH);
    io.DeltaTime = 1.0f / 60;
    ImGui::GetStyle().AntiAliasedFill = anti_aliased;
    ImGui::GetStyle().AntiAliasedLines = anti_aliased;
    ImGui::NewFrame();
    draw(*ImGui::GetForegroundDrawList());
    ImGui::Render();
    renderer_.render(*ImGui::GetDrawData(), rect, kClear);
  }

  ImU32 at(int x, int y) const {
    const uint8_t* p = renderer_.pixels() + (static_cast<size_t>(y) * kW + x) * 4;
    return IM_COL32(p[0], p[1], p[2], p[3]);
  }

  int count(ImU32 colour) const {
    int n = 0;
    for (int y = 0; y < kH; ++y)
      for (int x = 0; x < kW; ++x)
        n += at(x, y) == colour;
    return n;
  }

  SoftRenderer renderer_;
};

TEST_F(SoftRendererTest, AnOpaqueRectangleCoversThePixelCentresInsideIt) {
  const ImU32 red = IM_COL32(255, 0, 0, 255);
  frame([&](ImDrawList& d) { d.AddRectFilled(ImVec2(10, 5), ImVec2(20, 12), red); });
  EXPECT_EQ(at(10, 5), red);
  EXPECT_EQ(at(19, 11), red);
  EXPECT_EQ(at(9, 5), kClear);
  EXPECT_EQ(at(20, 5), kClear) << "the right edge is outside, as in GL";
  EXPECT_EQ(at(10, 12), kClear) << "the bottom edge is outside, as in GL";
  EXPECT_EQ(count(red), 10 * 7);
  EXPECT_EQ(count(kClear), kW * kH - 70);
}

TEST_F(SoftRendererTest, TwoTrianglesSharingAnEdgeBlendEachPixelOnce) {
  // A translucent quad drawn as two triangles on a diagonal: a pixel on the diagonal taken
  // by both would be darker, one taken by neither would show the clear colour. The first
  // quad's diagonal runs through pixel centres (a tie for the fill rule), the second's not.
  const ImU32 half = IM_COL32(255, 255, 255, 128);
  struct Quad {
    ImVec2 a, b, c, d;
  };
  for (const Quad& q : {Quad{{4.5f, 4.5f}, {36.5f, 4.5f}, {36.5f, 36.5f}, {4.5f, 36.5f}},
                        Quad{{4.3f, 3.7f}, {40.6f, 9.2f}, {30.1f, 40.9f}, {2.2f, 30.4f}}}) {
    frame([&](ImDrawList& d) {
      d.AddTriangleFilled(q.a, q.b, q.c, half);
      d.AddTriangleFilled(q.a, q.c, q.d, half);
    });
    const ImU32 once = at(20, 20);
    EXPECT_NE(once, kClear);
    int inside = 0;
    for (int y = 0; y < kH; ++y) {
      for (int x = 0; x < kW; ++x) {
        const ImU32 c = at(x, y);
        if (c == kClear) continue;
        EXPECT_EQ(c, once) << "pixel " << x << "," << y << " blended twice";
        ++inside;
      }
    }
    const auto cross = [](ImVec2 o, ImVec2 p, ImVec2 r) {
      return std::abs((p.x - o.x) * (r.y - o.y) - (p.y - o.y) * (r.x - o.x)) / 2;
    };
    const float area = cross(q.a, q.b, q.c) + cross(q.a, q.c, q.d);
    EXPECT_NEAR(inside, area, 0.1f * area) << "its area, give or take the outline";
  }
}

TEST_F(SoftRendererTest, TranslucentColourBlendsOverWhatIsThere) {
  frame([&](ImDrawList& d) {
    d.AddRectFilled(ImVec2(0, 0), ImVec2(kW, kH), IM_COL32(200, 100, 0, 255));
    d.AddRectFilled(ImVec2(8, 8), ImVec2(16, 16), IM_COL32(0, 0, 255, 64));
  });
  // 200·(1 − 64/255) = 149.8, 100·(1 − 64/255) = 74.9, 255·64/255 = 64.
  EXPECT_EQ(at(10, 10), IM_COL32(150, 75, 64, 255));
  EXPECT_EQ(at(20, 20), IM_COL32(200, 100, 0, 255));
}

TEST_F(SoftRendererTest, ClipRectanglesAndTheDamageRectangleHold) {
  const ImU32 green = IM_COL32(0, 255, 0, 255);
  frame([&](ImDrawList& d) {
    d.PushClipRect(ImVec2(0, 0), ImVec2(16, 16));
    d.AddRectFilled(ImVec2(0, 0), ImVec2(kW, kH), green);
    d.PopClipRect();
  });
  EXPECT_EQ(count(green), 16 * 16);
  // The next frame draws everything blue but only inside its damage: the rest keeps green.
  const ImU32 blue = IM_COL32(0, 0, 255, 255);
  frame([&](ImDrawList& d) { d.AddRectFilled(ImVec2(0, 0), ImVec2(kW, kH), blue); },
        PixelRect{8, 8, 24, 24});
  EXPECT_EQ(at(4, 4), green);
  EXPECT_EQ(at(8, 8), blue);
  EXPECT_EQ(at(23, 23), blue);
  EXPECT_EQ(at(24, 24), kClear);
  EXPECT_EQ(count(blue), 16 * 16);
}

TEST_F(SoftRendererTest, ColoursInterpolateAcrossATriangle) {
  frame([&](ImDrawList& d) {
    d.AddRectFilledMultiColor(ImVec2(0, 0), ImVec2(kW, kH), IM_COL32(0, 0, 0, 255),
                              IM_COL32(255, 0, 0, 255), IM_COL32(255, 0, 0, 255),
                              IM_COL32(0, 0, 0, 255));
  });
  const auto red = [&](int x) { return static_cast<int>(at(x, kH / 2) & 0xFF); };
  EXPECT_LT(red(0), 8);
  EXPECT_GT(red(kW - 1), 247);
  EXPECT_NEAR(red(kW / 2), 128, 4);
  for (int x = 1; x < kW; ++x)
    EXPECT_GE(red(x), red(x - 1));
}

TEST_F(SoftRendererTest, TextComesFromTheFontAtlasInsideItsBox) {
  const ImU32 white = IM_COL32(255, 255, 255, 255);
  ImVec2 size;
  frame([&](ImDrawList& d) {
    size = ImGui::CalcTextSize("Hi");
    d.AddText(ImVec2(4, 4), white, "Hi");
  });
  int lit = 0;
  for (int y = 0; y < kH; ++y) {
    for (int x = 0; x < kW; ++x) {
      if (at(x, y) == kClear) continue;
      ++lit;
      EXPECT_GE(x, 4);
      EXPECT_LT(x, 4 + size.x + 1);
      EXPECT_GE(y, 4);
      EXPECT_LT(y, 4 + size.y + 1);
    }
  }
  EXPECT_GT(lit, 20) << "the glyphs drew";
  EXPECT_GT(count(white), 5) << "glyph stems are solid";
}

TEST_F(SoftRendererTest, AntiAliasedEdgesFadeOut) {
  const ImU32 white = IM_COL32(255, 255, 255, 255);
  frame([&](ImDrawList& d) { d.AddCircleFilled(ImVec2(24, 24), 12, white, 32); },
        PixelRect{0, 0, kW, kH}, true);
  EXPECT_EQ(at(24, 24), white);
  EXPECT_EQ(at(2, 2), kClear);
  int partial = 0;
  for (int x = 0; x < kW; ++x)
    partial += at(x, 24) != white && at(x, 24) != kClear;
  EXPECT_GE(partial, 2) << "a fringe on each side";
}

TEST_F(SoftRendererTest, IndicesPointingNowhereDrawNothing) {
  frame([&](ImDrawList& d) {
    d.PrimReserve(3, 3);
    const auto base = static_cast<ImDrawIdx>(d._VtxCurrentIdx);
    const ImVec2 uv = ImGui::GetDrawListSharedData()->TexUvWhitePixel;
    for (int i = 0; i < 3; ++i)
      d.PrimWriteVtx(ImVec2(i * 20.f, i == 1 ? 40.f : 0.f), uv, IM_COL32(255, 0, 0, 255));
    d.PrimWriteIdx(base);
    d.PrimWriteIdx(static_cast<ImDrawIdx>(base + 1));
    d.PrimWriteIdx(60000);  // past the end of the vertices
  });
  EXPECT_EQ(count(kClear), kW * kH);
}

}  // namespace
}  // namespace imchat::platform
