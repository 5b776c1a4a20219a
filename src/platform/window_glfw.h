// GLFW + Dear ImGui plumbing shared by window_native.cpp and window_web.cpp: backend
// set-up, input callbacks that wake the idle loop, and drawing one frame.
#pragma once

#include <atomic>
#include <memory>
#include <vector>

#include "platform/frame_damage.h"
#include "platform/soft_renderer.h"
#include "platform/window.h"

struct GLFWwindow;

namespace imchat::platform {

class GlfwWindow : public Window {
 public:
  ~GlfwWindow() override;

  void wake() override;
  void wake_paced() override;
  Pixels read_pixels() override;
  // The next frame redraws the whole window (a check that partial redraws leave nothing
  // stale: the picture must not change).
  void redraw_everything();
  // Off: every frame redraws the whole window, as before damage tracking (for comparing).
  void set_partial_redraw(bool on) { partial_redraw_ = on; }
  // What the last frame that drew anything redrew: its area over the window's (0..1).
  float last_damage_fraction() const { return last_damage_fraction_; }

 protected:
  // After the GL context exists: ImGui context, backends, wake-up callbacks.
  Status init_imgui(const char* glsl_version);

  // Frames are drawn by a SoftRenderer, not by OpenGL (call before init_imgui, for a
  // window made without a GL context): each frame's pixels go to present_soft.
  void use_soft_renderer() { soft_ = std::make_unique<SoftRenderer>(); }
  bool soft_renderer() const { return soft_ != nullptr; }
  // Shows the soft renderer's picture, of which `changed` was redrawn this frame.
  virtual void present_soft(const SoftRenderer&, const PixelRect& /*changed*/) {}

  // Draws one frame if anything asks for it; returns false when the app asked to quit.
  bool draw_frame_if_needed(float pixel_ratio);

  // Whether ImGui itself needs more frames (active widget, text cursor, pending input).
  bool imgui_busy() const;

  // Seconds until a paced frame (wake_paced) is due, 0 if it is; negative if none waits.
  double paced_wait() const;

  // Before ImGui::NewFrame, after the backend's: a platform feeds its own input here.
  virtual void before_new_frame() {}
  // After the frame is presented.
  virtual void after_frame() {}
  // Whether the window's own framebuffer keeps its pixels from frame to frame (a WebGL
  // canvas made with preserveDrawingBuffer): then frames redraw their damage there, with no
  // framebuffer of ours and no copy.
  virtual bool keeps_pixels() const { return false; }

  GLFWwindow* window_ = nullptr;
  FrameHooks hooks_;
  std::atomic<int> frames_wanted_{3};       // draw a few at start so layout settles
  std::atomic<bool> paced_pending_{false};  // a wake_paced() not yet drawn
  double last_draw_time_ = -1;              // glfwGetTime() of the last frame drawn
  float last_ratio_ = 0;
  bool fonts_uploaded_ = false;

 public:
  // Key presses shorter than a frame. ImGui 1.86 reads key state once per frame (no input
  // queue until 1.87), so a key pressed and released between two frames — a fast typist,
  // a busy machine, an automated test — would never be seen: Enter would not send. Such
  // a key is held down for one frame instead.
  void on_key_event(int key, int action);
  // Mouse buttons the same way, and stricter: ImGui 1.86's backend shows a press shorter
  // than a frame as down for one frame, but a second click arriving before the frame that
  // shows the first one's release merges with it — a quick double-click on a slow frame was
  // one long click. Presses and releases are queued with where they happened and shown one
  // change per button per frame, in order, at that position.
  void on_mouse_button_event(int button, int action);

 private:
  void apply_latched_keys();
  void apply_mouse_buttons();
  static constexpr int kMouseButtons = 5;  // ImGuiIO::MouseDown
  static constexpr size_t kMaxMouseEvents = 64;
  struct MouseEvent {
    int button;
    bool down;
    ImVec2 pos;  // the pointer when it happened, in ImGui's coordinates
  };
  std::vector<MouseEvent> mouse_events_;
  ImVec2 last_mouse_pos_{-FLT_MAX, -FLT_MAX};  // the pointer the last frame showed
  bool mouse_down_[kMouseButtons] = {};
  // The window's picture lives in a framebuffer of ours (the window's own back buffer is
  // undefined after a swap): a frame redraws its damaged rectangle there and copies the
  // whole to the window. False when no such framebuffer can be made: frames draw whole.
  bool bind_canvas(int width, int height);
  void render(ImDrawData& data, const DamageRect& damage, int fb_width, int fb_height);
  void upload_soft_fonts();

  std::unique_ptr<SoftRenderer> soft_;  // set: no GL at all

  FrameDamage damage_;
  bool redraw_all_ = true;
  bool partial_redraw_ = true;
  float last_damage_fraction_ = 0;
  unsigned canvas_fbo_ = 0;
  unsigned canvas_texture_ = 0;
  int canvas_width_ = 0;
  int canvas_height_ = 0;
  bool canvas_failed_ = false;
  std::vector<int> down_since_frame_;  // pressed since the last frame began
  std::vector<int> latched_;           // released before any frame saw them
  std::vector<int> release_after_frame_;
};

}  // namespace imchat::platform
