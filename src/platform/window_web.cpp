// Web Window: Emscripten's GLFW (library_glfw.js) on a WebGL2 canvas.
// Implements: open, the idle-aware frame loop on requestAnimationFrame, wake, and
// device-pixel sizing. GLFW in 3.1.6 ignores devicePixelRatio, so the canvas backing store
// is set to CSS size × ratio here and the whole UI works in device pixels (fonts are
// rasterised at the real size by the app): text stays crisp at any ratio and zoom.
// The canvas is sized by the page's stylesheet; glfwSetWindowSize only sets its backing
// store (and strips inline sizes, which we never use).
#include <GLFW/glfw3.h>
#include <emscripten/emscripten.h>
#include <emscripten/html5.h>

#include <cmath>

#include "platform/window_glfw.h"

namespace imchat::platform {
namespace {

constexpr const char* kCanvas = "#canvas";

class WebWindow final : public GlfwWindow {
 public:
  Status open(const WindowOptions& options) override {
    if (!glfwInit()) return make_error(ErrorCode::kInternal, "could not start GLFW");
    glfwWindowHint(GLFW_CLIENT_API, GLFW_OPENGL_ES_API);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
    // An opaque canvas: ImGui 1.86's renderer blends alpha like colour, so translucent
    // draws (a modal's dimming, anti-aliased edges) would leave the canvas part transparent
    // and the page behind it would show through.
    glfwWindowHint(GLFW_ALPHA_BITS, 0);
    int width = 0, height = 0;
    device_size(width, height);
    window_ = glfwCreateWindow(width, height, options.title.c_str(), nullptr, nullptr);
    if (!window_) return make_error(ErrorCode::kInternal, "could not create a WebGL2 context");
    glfwMakeContextCurrent(window_);
    emscripten_set_resize_callback(EMSCRIPTEN_EVENT_TARGET_WINDOW, this, false, on_resize);
    return init_imgui("#version 300 es");
  }

  void run(FrameHooks hooks) override {
    hooks_ = std::move(hooks);
    // fps 0: requestAnimationFrame. simulate_infinite_loop false: main() returns and the
    // objects it leaked to us stay alive for the page's lifetime.
    emscripten_set_main_loop_arg(&WebWindow::on_animation_frame, this, 0, false);
  }

  float pixel_ratio() const override {
    const double ratio = emscripten_get_device_pixel_ratio();
    return ratio > 0 ? static_cast<float>(ratio) : 1.0f;
  }

 private:
  void device_size(int& width, int& height) const {
    double css_w = 0, css_h = 0;
    emscripten_get_element_css_size(kCanvas, &css_w, &css_h);
    const double ratio = pixel_ratio();
    width = std::max(1, static_cast<int>(std::lround(css_w * ratio)));
    height = std::max(1, static_cast<int>(std::lround(css_h * ratio)));
  }

  static EM_BOOL on_resize(int, const EmscriptenUiEvent*, void* self) {
    static_cast<WebWindow*>(self)->wake();
    return EM_FALSE;
  }

  static void on_animation_frame(void* arg) {
    auto* self = static_cast<WebWindow*>(arg);
    // Page zoom and moving between screens change the ratio without a resize event on
    // every browser, so compare each frame: two cheap DOM reads.
    int width = 0, height = 0;
    self->device_size(width, height);
    int current_w = 0, current_h = 0;
    glfwGetWindowSize(self->window_, &current_w, &current_h);
    if (width != current_w || height != current_h) {
      glfwSetWindowSize(self->window_, width, height);
      self->wake();
    }
    self->draw_frame_if_needed(self->pixel_ratio());
  }
};

}  // namespace

std::unique_ptr<Window> make_window() {
  return std::make_unique<WebWindow>();
}

}  // namespace imchat::platform
