// GLFW + Dear ImGui plumbing shared by window_native.cpp and window_web.cpp: backend
// set-up, input callbacks that wake the idle loop, and drawing one frame.
#pragma once

#include <atomic>
#include <vector>

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

  // Before ImGui::NewFrame, after the backend's: a platform feeds its own input here.
  virtual void before_new_frame() {}
  // After the frame is presented.
  virtual void after_frame() {}

  GLFWwindow* window_ = nullptr;
  FrameHooks hooks_;
  std::atomic<int> frames_wanted_{3};  // draw a few at start so layout settles
  float last_ratio_ = 0;
  bool fonts_uploaded_ = false;

 public:
  // Key presses shorter than a frame. ImGui 1.86 reads key state once per frame (no input
  // queue until 1.87), so a key pressed and released between two frames — a fast typist,
  // a busy machine, an automated test — would never be seen: Enter would not send. Such
  // a key is held down for one frame instead.
  void on_key_event(int key, int action);

 private:
  void apply_latched_keys();
  std::vector<int> down_since_frame_;  // pressed since the last frame began
  std::vector<int> latched_;           // released before any frame saw them
  std::vector<int> release_after_frame_;
};

}  // namespace imchat::platform
