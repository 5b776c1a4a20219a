// Web Window: Emscripten's GLFW (library_glfw.js) on a WebGL2 canvas — or, when the browser
// gives no WebGL 2, on a 2D canvas that shows what SoftRenderer draws (the page, boot.js,
// makes whichever context it can; GLFW then runs with no client API, for input alone).
// Implements: open, the idle-aware frame loop on requestAnimationFrame, wake, device-pixel
// sizing, and the mouse cursor (the canvas's CSS cursor). GLFW in 3.1.6 ignores
// devicePixelRatio, so the canvas backing store is set to CSS size × ratio here and the whole
// UI works in device pixels (fonts are rasterised at the real size by the app): text stays
// crisp at any ratio and zoom. The canvas is sized by the page's stylesheet;
// glfwSetWindowSize only sets its backing store (and strips inline sizes, which we never use).
//
// Keys, text and the clipboard come from window_web_input.js (a hidden textarea at the
// caret; see there why GLFW's own keyboard handling is switched off) through
// imchat_input_key / imchat_input_text, and are queued: ImGui 1.86 has no input queue and
// within one frame applies typed characters before key presses, so a frame takes events in
// arrival order only as long as that order survives — the rest waits for the next frame.
#include <GLFW/glfw3.h>
#include <emscripten/emscripten.h>
#include <emscripten/html5.h>
#include <emscripten/html5_webgl.h>
#include <imgui.h>
#include <imgui_internal.h>  // GImGui->WantTextInputNextFrame, see after_frame

#include <algorithm>
#include <cmath>
#include <deque>
#include <string>
#include <vector>

#include "platform/window_glfw.h"

extern "C" {
// window_web_input.js
void imchat_input_install();
void imchat_input_set_active(int active);
void imchat_input_set_caret(int x, int y, int height);
void imchat_clipboard_write(const char* text);
void imchat_input_set_cursor(const char* css);
}

// clang-format off
// Which context the page made: 1 WebGL 2 (boot.js hands it to GL), 2 a 2D canvas (no WebGL
// 2 there), 0 none yet (a page of someone else's: GLFW tries WebGL 2 itself).
EM_JS(int, imchat_canvas_kind, (), {
  if (Module.preinitializedWebGLContext) return 1;
  return Module.imchatCanvas2d ? 2 : 0;
});

// The 2D canvas, made if the page did not; false when the browser gives none either.
EM_JS(int, imchat_canvas_2d, (), {
  if (!Module.imchatCanvas2d) {
    try {
      Module.imchatCanvas2d = Module.canvas.getContext('2d', { alpha: false });
    } catch (e) {
      Module.imchatCanvas2d = null;
    }
  }
  return Module.imchatCanvas2d ? 1 : 0;
});

// The soft renderer's picture (RGBA in the wasm heap, width × height) to the 2D canvas,
// only the rectangle that changed. The ImageData is a view of the heap, not a copy: made
// again only when the picture moves or the heap grows (which detaches the old view).
EM_JS(void, imchat_canvas_present, (const uint8_t* pixels, int width, int height, int x, int y,
                                    int w, int h), {
  const ctx = Module.imchatCanvas2d;
  if (!ctx) return;
  let image = Module.imchatImage;
  if (!image || image.data.buffer !== HEAPU8.buffer || image.data.byteOffset !== pixels ||
      image.width !== width || image.height !== height) {
    image = Module.imchatImage =
        new ImageData(new Uint8ClampedArray(HEAPU8.buffer, pixels, width * height * 4), width, height);
  }
  ctx.putImageData(image, 0, 0, x, y, w, h);
});
// clang-format on

namespace imchat::platform {
namespace {

constexpr const char* kCanvas = "#canvas";

const char* css_cursor(ImGuiMouseCursor cursor) {
  switch (cursor) {
    case ImGuiMouseCursor_TextInput:
      return "text";
    case ImGuiMouseCursor_Hand:
      return "pointer";
    case ImGuiMouseCursor_ResizeEW:
      return "ew-resize";
    case ImGuiMouseCursor_ResizeNS:
      return "ns-resize";
    case ImGuiMouseCursor_ResizeAll:
      return "move";
    case ImGuiMouseCursor_ResizeNESW:
      return "nesw-resize";
    case ImGuiMouseCursor_ResizeNWSE:
      return "nwse-resize";
    case ImGuiMouseCursor_NotAllowed:
      return "not-allowed";
    case ImGuiMouseCursor_None:
      return "none";
    default:
      return "default";
  }
}

struct InputEvent {
  enum Kind { kKey, kText, kTouch, kWheel, kMouse } kind = kKey;
  int key = -1;       // kKey: a GLFW key
  bool down = false;  // kKey; kTouch: the finger is on the glass
  std::string text;   // kText
  // kTouch: where, in device pixels. kWheel: the amounts in notches, x sideways (positive:
  // left) and y up and down (positive: up).
  float x = 0, y = 0;
};

class WebWindow;
WebWindow* g_window = nullptr;  // the page has one canvas; the input exports find it here

class WebWindow final : public GlfwWindow {
 public:
  Status open(const WindowOptions& options) override {
    if (!glfwInit()) return make_error(ErrorCode::kInternal, "could not start GLFW");
    int width = 0, height = 0;
    device_size(width, height);
    if (imchat_canvas_kind() != 2) {
      glfwWindowHint(GLFW_CLIENT_API, GLFW_OPENGL_ES_API);
      glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
      glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
      // The page made the context already (web/boot.js, makeContext: opaque, no depth or
      // stencil) and GLFW takes that one; these hints say the same for a page that did not.
      // Opaque: ImGui 1.86's renderer blends alpha like colour, so translucent draws (a
      // modal's dimming, anti-aliased edges) would let the page behind show through.
      glfwWindowHint(GLFW_ALPHA_BITS, 0);
      glfwWindowHint(GLFW_DEPTH_BITS, 0);
      glfwWindowHint(GLFW_STENCIL_BITS, 0);
      window_ = glfwCreateWindow(width, height, options.title.c_str(), nullptr, nullptr);
    }
    if (window_) {
      glfwMakeContextCurrent(window_);
    } else if (imchat_canvas_kind() == 1) {
      // The canvas has a WebGL context already: it can never give a 2D one.
      return make_error(ErrorCode::kInternal, "the page's WebGL 2 context could not be used");
    } else {
      // No WebGL 2: the same UI drawn in software on a 2D canvas.
      if (!imchat_canvas_2d())
        return make_error(ErrorCode::kInternal, "neither a WebGL2 nor a 2D canvas context");
      glfwDefaultWindowHints();
      glfwWindowHint(GLFW_CLIENT_API, GLFW_NO_API);
      window_ = glfwCreateWindow(width, height, options.title.c_str(), nullptr, nullptr);
      if (!window_) return make_error(ErrorCode::kInternal, "could not create the window");
      use_soft_renderer();
    }
    emscripten_set_resize_callback(EMSCRIPTEN_EVENT_TARGET_WINDOW, this, false, on_resize);
    if (auto started = init_imgui(soft_renderer() ? nullptr : "#version 300 es"); !started)
      return started;
    g_window = this;
    imchat_input_install();
    ImGuiIO& io = ImGui::GetIO();
    io.SetClipboardTextFn = [](void*, const char* text) { imchat_clipboard_write(text); };
    // ImGui pastes only on Ctrl+V, which never reaches it here (the paste event does).
    io.GetClipboardTextFn = [](void*) -> const char* { return ""; };
    io.ImeSetInputScreenPosFn = [](int x, int y) {
      imchat_input_set_caret(x, y, static_cast<int>(ImGui::GetFontSize()));
    };
    return Ok{};
  }

  void queue(InputEvent event) {
    input_.push_back(std::move(event));
    wake();
  }

  bool hovering_text() const { return hovering_text_; }

  void present_soft(const SoftRenderer& renderer, const PixelRect& changed) override {
    if (changed.empty()) return;
    imchat_canvas_present(renderer.pixels(), renderer.width(), renderer.height(), changed.x0,
                          changed.y0, changed.x1 - changed.x0, changed.y1 - changed.y0);
  }

  bool keeps_pixels() const override {
    EmscriptenWebGLContextAttributes attributes;
    const EMSCRIPTEN_WEBGL_CONTEXT_HANDLE context = emscripten_webgl_get_current_context();
    return context &&
           emscripten_webgl_get_context_attributes(context, &attributes) ==
               EMSCRIPTEN_RESULT_SUCCESS &&
           attributes.preserveDrawingBuffer;
  }

  bool has_keyboard() const override { return has_keyboard_; }
  void set_has_keyboard(bool has) {
    has_keyboard_ = has;
    wake();
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

  // Feeds queued input to ImGui in arrival order, as far as one frame can take it: text
  // after a key press, a key press after text, a key pressed twice, or a key released in
  // the frame that pressed it wait for the next frame (which wake() asks for). (A key press
  // beside text would be worse than late: the composer reads Shift+Enter as Ctrl+Enter, and
  // ImGui drops the text typed in a frame where Ctrl is held — the end of "What is imchat?"
  // was lost when a fast typist's Shift+Enter shared its frame.)
  //
  // Tab moves the focus to the next field, and Dear ImGui 1.86 makes that field active in the
  // frame after the Tab with all its text selected — text it is given in that frame too is
  // selected along, and the next character replaces it (a password typed straight after Tab
  // kept only its last few letters). Text after a Tab waits two frames: one for the Tab,
  // one for the field to take the focus.
  //
  // Text that arrives while Ctrl or Cmd is held (a paste: Ctrl+V is still down) would be
  // dropped by ImGui, which reads held Ctrl as a shortcut; those modifiers are lifted for
  // the frame that takes the text and put back (if still held) in the next one.
  //
  // Touch: the finger drives ImGui's mouse (a tap is a click where it lands) while the page
  // is in touch mode; window_web_input.js turns drags into wheel notches (with inertia), so
  // ImGui never sees a drag that would select text instead of scrolling. One press or
  // release per frame, so a tap shorter than a frame still clicks.
  void before_new_frame() override {
    ImGuiIO& io = ImGui::GetIO();
    for (int key : lifted_)
      io.KeysDown[key] = held_[key];
    lifted_.clear();
    bool pressed_any = false;
    bool typed_any = false;
    bool touch_changed = false;
    float wheel_x = 0, wheel_y = 0;
    std::vector<int> pressed;
    if (text_held_frames_ > 0) --text_held_frames_;
    while (!input_.empty()) {
      InputEvent& event = input_.front();
      const bool seen = std::find(pressed.begin(), pressed.end(), event.key) != pressed.end();
      if (event.kind == InputEvent::kMouse) {
        touch_mode_ = false;
      } else if (event.kind == InputEvent::kWheel) {
        wheel_x += event.x;
        wheel_y += event.y;
      } else if (event.kind == InputEvent::kTouch) {
        if (touch_changed) break;
        touch_mode_ = true;
        touch_changed = event.down != touch_down_;
        touch_down_ = event.down;
        touch_pos_ = ImVec2(event.x, event.y);
      } else if (event.kind == InputEvent::kText) {
        if (pressed_any || text_held_frames_ > 0) break;
        typed_any = true;
        for (int key : {GLFW_KEY_LEFT_CONTROL, GLFW_KEY_RIGHT_CONTROL, GLFW_KEY_LEFT_SUPER,
                        GLFW_KEY_RIGHT_SUPER}) {
          if (!io.KeysDown[key]) continue;
          io.KeysDown[key] = false;
          lifted_.push_back(key);
        }
        io.AddInputCharactersUTF8(event.text.c_str());
      } else if (event.key >= 0 && event.key < kKeys) {
        if (seen || (event.down && typed_any)) break;
        io.KeysDown[event.key] = held_[event.key] = event.down;
        if (event.down) {
          pressed.push_back(event.key);
          pressed_any = true;
          if (event.key == GLFW_KEY_TAB) text_held_frames_ = 2;
        }
      }
      input_.pop_front();
    }
    // ImGui 1.86 reads the vertical wheel as sideways while it sees Shift held, and then
    // ignores MouseWheelH: a sideways amount goes where it will be read as one.
    const bool shift = io.KeysDown[GLFW_KEY_LEFT_SHIFT] || io.KeysDown[GLFW_KEY_RIGHT_SHIFT];
    (shift ? io.MouseWheel : io.MouseWheelH) += wheel_x;
    if (!shift) io.MouseWheel += wheel_y;
    if (touch_mode_) {
      io.MousePos = touch_pos_;
      io.MouseDown[0] = touch_down_;
    }
    if (!input_.empty() || !lifted_.empty()) wake();
  }

  void after_frame() override {
    const ImGuiMouseCursor cursor = ImGui::GetMouseCursor();
    hovering_text_ = cursor == ImGuiMouseCursor_TextInput;
    // Emscripten's GLFW has no cursors (glfwSetCursor does nothing): the canvas's CSS
    // cursor shows ImGui's, so text reads as text and links as links, as on a page.
    if (cursor != cursor_) {
      cursor_ = cursor;
      imchat_input_set_cursor(css_cursor(cursor));
    }
    // Whether a text field is active now, at the end of this frame. io.WantTextInput says
    // so only from the next frame's NewFrame, and that frame may be a while coming (an idle
    // app draws only when woken): a key typed meanwhile went to the canvas, which has no
    // text to give — the first character typed into a just-opened chat was lost.
    const int next = GImGui->WantTextInputNextFrame;
    const bool text_input = next != -1 && next != 0;
    if (text_input != text_input_) {
      text_input_ = text_input;
      imchat_input_set_active(text_input_ ? 1 : 0);
    }
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

  static constexpr int kKeys = IM_ARRAYSIZE(ImGuiIO::KeysDown);
  std::deque<InputEvent> input_;
  bool held_[kKeys] = {};     // keys as the page last reported them
  std::vector<int> lifted_;   // modifiers hidden from ImGui for one frame
  int text_held_frames_ = 0;  // after a Tab: frames text still waits (see before_new_frame)
  bool text_input_ = false;
  bool hovering_text_ = false;
  bool has_keyboard_ = true;  // window_web_input.js says when it leaves and returns
  ImGuiMouseCursor cursor_ = ImGuiMouseCursor_Arrow;  // as the canvas shows it
  bool touch_mode_ = false;  // the last pointer was a finger (until the mouse moves)
  bool touch_down_ = false;
  ImVec2 touch_pos_;
};

}  // namespace

// window_web_input.js calls these from its event handlers (between frames).
extern "C" EMSCRIPTEN_KEEPALIVE void imchat_input_key(int key, int down) {
  if (g_window) g_window->queue({.kind = InputEvent::kKey, .key = key, .down = down != 0});
}

extern "C" EMSCRIPTEN_KEEPALIVE void imchat_input_text(const char* text) {
  if (g_window && text && *text) g_window->queue({.kind = InputEvent::kText, .text = text});
}

// A finger at (x, y) CSS pixels of the canvas, on the glass or lifted.
extern "C" EMSCRIPTEN_KEEPALIVE void imchat_input_touch(float x, float y, int down) {
  if (!g_window) return;
  const float ratio = g_window->pixel_ratio();
  g_window->queue({.kind = InputEvent::kTouch, .down = down != 0, .x = x * ratio, .y = y * ratio});
}

// Scrolling by a finger, in wheel notches (positive: towards the top).
extern "C" EMSCRIPTEN_KEEPALIVE void imchat_input_wheel(float notches) {
  if (g_window) g_window->queue({.kind = InputEvent::kWheel, .y = notches});
}

// A wheel or trackpad, in notches (window_web_input.js normalised the browser's deltas):
// dx positive = left, dy positive = up.
extern "C" EMSCRIPTEN_KEEPALIVE void imchat_input_scroll(float dx, float dy) {
  if (g_window) g_window->queue({.kind = InputEvent::kWheel, .x = dx, .y = dy});
}

// The mouse moved: back from touch mode to GLFW's pointer.
extern "C" EMSCRIPTEN_KEEPALIVE void imchat_input_mouse() {
  if (g_window) g_window->queue({.kind = InputEvent::kMouse});
}

// For tests and the bench: the next frame redraws everything (a partial redraw must have
// left the same picture), and how much of the window the last drawn frame redrew.
extern "C" EMSCRIPTEN_KEEPALIVE void imchat_redraw_everything() {
  if (g_window) g_window->redraw_everything();
}
extern "C" EMSCRIPTEN_KEEPALIVE void imchat_set_partial_redraw(int on) {
  if (g_window) g_window->set_partial_redraw(on != 0);
}
extern "C" EMSCRIPTEN_KEEPALIVE float imchat_last_damage() {
  return g_window ? g_window->last_damage_fraction() : 0;
}

// The keyboard left the app (for the page's own input, the embedding page, another window)
// or came back.
extern "C" EMSCRIPTEN_KEEPALIVE void imchat_input_keyboard(int has) {
  if (g_window) g_window->set_has_keyboard(has != 0);
}

// Whether the last frame had the pointer (or finger) over a text field.
extern "C" EMSCRIPTEN_KEEPALIVE int imchat_hovering_text() {
  return g_window && g_window->hovering_text() ? 1 : 0;
}

std::unique_ptr<Window> make_window() {
  return std::make_unique<WebWindow>();
}

}  // namespace imchat::platform
