// GLFW + Dear ImGui plumbing shared by window_native.cpp and window_web.cpp: backend
// set-up, input callbacks that wake the idle loop, and drawing one frame.
#pragma once

#include <atomic>

#include "platform/window.h"

struct GLFWwindow;

namespace imchat::platform {

class GlfwWindow : public Window {
 public:
  ~GlfwWindow() override;

  void wake() override;
  Pixels read_pixels() override;

 protected:
  // After the GL context exists: ImGui context, backends, wake-up callbacks.
  Status init_imgui(const char* glsl_version);

  // Draws one frame if anything asks for it; returns false when the app asked to quit.
  bool draw_frame_if_needed(float pixel_ratio);

  // Whether ImGui itself needs more frames (active widget, text cursor, pending input).
  bool imgui_busy() const;

  GLFWwindow* window_ = nullptr;
  FrameHooks hooks_;
  std::atomic<int> frames_wanted_{3};  // draw a few at start so layout settles
  float last_ratio_ = 0;
  bool fonts_uploaded_ = false;
};

}  // namespace imchat::platform
