// Native Window: desktop GLFW with an OpenGL 3.3 core context (Mesa's llvmpipe under Xvfb
// in tests). Implements: open, the idle-aware frame loop, wake from any thread, pixel ratio
// from the monitor's content scale.
#include <GLFW/glfw3.h>

#include <cstdio>

#include "platform/window_glfw.h"

namespace imchat::platform {
namespace {

class NativeWindow final : public GlfwWindow {
 public:
  Status open(const WindowOptions& options) override {
    glfwSetErrorCallback([](int code, const char* text) {
      std::fprintf(stderr, "glfw error %d: %s\n", code, text);
    });
    if (!glfwInit()) return make_error(ErrorCode::kInternal, "could not start GLFW (no display?)");
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
    glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
    glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
    window_ =
        glfwCreateWindow(options.width, options.height, options.title.c_str(), nullptr, nullptr);
    if (!window_) return make_error(ErrorCode::kInternal, "could not create an OpenGL 3.3 window");
    glfwMakeContextCurrent(window_);
    glfwSwapInterval(1);
    return init_imgui("#version 330");
  }

  void run(FrameHooks hooks) override {
    hooks_ = std::move(hooks);
    while (!glfwWindowShouldClose(window_)) {
      const double paced = paced_wait();
      if (frames_wanted_.load() > 0 || imgui_busy() || paced == 0) {
        glfwPollEvents();
      } else if (paced > 0) {
        glfwWaitEventsTimeout(paced);  // a reply's text, drawn when its paced frame is due
      } else {
        glfwWaitEventsTimeout(0.5);  // a periodic tick keeps clocks in the UI honest
        // Unless a wake_paced() ended the wait: its frame waits its turn (paced_wait()).
        if (paced_wait() < 0) frames_wanted_.store(std::max(frames_wanted_.load(), 1));
      }
      if (!draw_frame_if_needed(pixel_ratio())) break;
    }
  }

  float pixel_ratio() const override {
    float x = 1, y = 1;
    glfwGetWindowContentScale(window_, &x, &y);
    return x > 0 ? x : 1.0f;
  }
};

}  // namespace

std::unique_ptr<Window> make_window() {
  return std::make_unique<NativeWindow>();
}

}  // namespace imchat::platform
