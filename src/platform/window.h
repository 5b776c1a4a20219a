// Window: a GL surface with Dear ImGui's GLFW and OpenGL 3 backends, and the frame loop.
//
// Implementations, one per platform:
//   window_native.cpp  desktop GLFW, OpenGL 3.3 core; sleeps in glfwWaitEvents when idle
//   window_web.cpp     Emscripten's GLFW on a WebGL2 canvas sized in device pixels;
//                      skips animation frames when idle
// Shared GLFW/ImGui plumbing lives in window_glfw.{h,cpp}.
//
// The loop draws only when something may have changed: input, a wake() (network result,
// timer), a resize, or while ImGui is busy (an active widget, text input). Otherwise it
// sleeps, so an idle chat costs no CPU.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "model/result.h"

namespace imchat::platform {

struct WindowOptions {
  std::string title = "imchat";
  int width = 1280;  // logical pixels (native only; the web canvas follows its CSS box)
  int height = 800;
};

struct FrameHooks {
  // Every loop iteration, drawn or not (at least every 0.5 s natively, each animation frame
  // on the web): poll transports, run due work. Cheap; must not touch ImGui.
  std::function<void()> tick;
  // Before ImGui::NewFrame. pixel_ratio is device pixels per logical pixel. Return true when
  // the font atlas was rebuilt so the renderer re-uploads it.
  std::function<bool(float pixel_ratio)> prepare;
  // Between ImGui::NewFrame and ImGui::Render. Return false to close the window (native).
  std::function<bool()> draw;
  // After the frame is rendered, before it is presented (e.g. to read pixels).
  std::function<void()> after_render;
};

struct Pixels {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> rgba;  // top row first
};

class Window {
 public:
  virtual ~Window() = default;

  virtual Status open(const WindowOptions& options) = 0;

  // Native: returns when the window closes. Web: hands the loop to the browser, returns.
  virtual void run(FrameHooks hooks) = 0;

  // Draws a few frames soon. Safe from any thread.
  virtual void wake() = 0;

  // Something arrived that changes the picture but answers nothing the user did — a
  // streaming reply's next words: one frame, at most kPacedFramesPerSecond a second however
  // fast the text comes. Input still draws at once. Safe from any thread.
  static constexpr int kPacedFramesPerSecond = 30;
  virtual void wake_paced() { wake(); }

  // Reads the frame just rendered; call from FrameHooks::after_render.
  virtual Pixels read_pixels() = 0;

  virtual float pixel_ratio() const = 0;

  // Whether typing reaches the app now. On the web the keyboard leaves for the page's own
  // inputs, the embedding page or another window; a text field should then look like one
  // that has lost the focus (no caret), as a page's own would. Natively always true.
  virtual bool has_keyboard() const { return true; }
};

std::unique_ptr<Window> make_window();

}  // namespace imchat::platform
