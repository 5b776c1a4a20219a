#include "platform/window_glfw.h"

#ifndef __EMSCRIPTEN__
#define GL_GLEXT_PROTOTYPES 1  // glGenFramebuffers and the rest of GL 3.0, from libGL
#endif

#include <algorithm>
#include <cmath>

#include <GLFW/glfw3.h>
#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>

#ifdef __EMSCRIPTEN__
#include <GLES3/gl3.h>
#endif

namespace imchat::platform {
namespace {

GlfwWindow* owner(GLFWwindow* window) {
  return static_cast<GlfwWindow*>(glfwGetWindowUserPointer(window));
}

// ImGui 1.86's GLFW backend polls the mouse position, so it installs no cursor callback:
// ours is the only one and just wakes the loop. The others are chained by the backend,
// which calls ours (installed first) before handling the event itself.
void on_cursor_pos(GLFWwindow* w, double, double) {
  owner(w)->wake();
}
void on_mouse_button(GLFWwindow* w, int button, int action, int) {
  owner(w)->on_mouse_button_event(button, action);
  owner(w)->wake();
}
void on_scroll(GLFWwindow* w, double, double) {
  owner(w)->wake();
}
void on_key(GLFWwindow* w, int key, int, int action, int) {
  owner(w)->on_key_event(key, action);
  owner(w)->wake();
}
void on_char(GLFWwindow* w, unsigned int) {
  owner(w)->wake();
}
void on_focus(GLFWwindow* w, int) {
  owner(w)->wake();
}
void on_enter(GLFWwindow* w, int) {
  owner(w)->wake();
}
void on_size(GLFWwindow* w, int, int) {
  owner(w)->wake();
}

}  // namespace

void GlfwWindow::on_key_event(int key, int action) {
  if (key < 0 || key >= static_cast<int>(IM_ARRAYSIZE(ImGuiIO::KeysDown))) return;
  if (action == GLFW_PRESS) {
    down_since_frame_.push_back(key);
  } else if (action == GLFW_RELEASE && std::find(down_since_frame_.begin(), down_since_frame_.end(),
                                                 key) != down_since_frame_.end()) {
    latched_.push_back(key);
  }
}

void GlfwWindow::on_mouse_button_event(int button, int action) {
  if (button < 0 || button >= kMouseButtons) return;
  if (mouse_events_.size() >= kMaxMouseEvents) return;  // a flood: the rest is noise
  // Where it happened: on the web GLFW has just set its cursor from this very event;
  // natively it is where the pointer is now, as close as GLFW lets us get. The frame that
  // shows the event may come after the pointer has moved on.
  double x = 0, y = 0;
  glfwGetCursorPos(window_, &x, &y);
  if (!(x == x) || !(y == y)) x = y = 0;  // never NaN: the queue waits on equal positions
  mouse_events_.push_back(
      {button, action == GLFW_PRESS, ImVec2(static_cast<float>(x), static_cast<float>(y))});
}

void GlfwWindow::apply_mouse_buttons() {
  ImGuiIO& io = ImGui::GetIO();
  // A frame shows queued button changes at the pointer position each happened at, in
  // order: a press lands where it was pressed, not where the pointer is by the time a slow
  // frame comes (a quick drag from the sidebar's edge was a click far from it). A release
  // somewhere else than the last frame's pointer first gets a frame of its own showing the
  // pointer there with the button still down, so a drag ends where it was released.
  if (!mouse_events_.empty()) io.MousePos = mouse_events_.front().pos;
  bool changed[kMouseButtons] = {};
  while (!mouse_events_.empty()) {
    const MouseEvent& event = mouse_events_.front();
    const bool here = event.pos.x == io.MousePos.x && event.pos.y == io.MousePos.y;
    const bool moved = event.pos.x != last_mouse_pos_.x || event.pos.y != last_mouse_pos_.y;
    if (!here || changed[event.button] || (!event.down && moved)) break;
    changed[event.button] = true;
    mouse_down_[event.button] = event.down;
    mouse_events_.erase(mouse_events_.begin());
  }
  for (int b = 0; b < kMouseButtons; ++b) {
    // Nothing queued: what GLFW holds now is the truth (a release it never reported, as
    // when the window lost the pointer, cannot leave a button stuck).
    if (!changed[b] && mouse_events_.empty())
      mouse_down_[b] = glfwGetMouseButton(window_, b) == GLFW_PRESS;
    io.MouseDown[b] = mouse_down_[b];
  }
  last_mouse_pos_ = io.MousePos;
  if (!mouse_events_.empty()) frames_wanted_.store(std::max(frames_wanted_.load(), 1));
}

void GlfwWindow::apply_latched_keys() {
  ImGuiIO& io = ImGui::GetIO();
  // Last frame's latched keys are released now, unless pressed again meanwhile.
  for (int key : release_after_frame_) {
    if (std::find(down_since_frame_.begin(), down_since_frame_.end(), key) ==
        down_since_frame_.end())
      io.KeysDown[key] = false;
  }
  release_after_frame_.clear();
  for (int key : latched_) {
    io.KeysDown[key] = true;
    release_after_frame_.push_back(key);
  }
  latched_.clear();
  down_since_frame_.clear();
  io.KeyCtrl = io.KeysDown[GLFW_KEY_LEFT_CONTROL] || io.KeysDown[GLFW_KEY_RIGHT_CONTROL];
  io.KeyShift = io.KeysDown[GLFW_KEY_LEFT_SHIFT] || io.KeysDown[GLFW_KEY_RIGHT_SHIFT];
  io.KeyAlt = io.KeysDown[GLFW_KEY_LEFT_ALT] || io.KeysDown[GLFW_KEY_RIGHT_ALT];
  io.KeySuper = io.KeysDown[GLFW_KEY_LEFT_SUPER] || io.KeysDown[GLFW_KEY_RIGHT_SUPER];
}

GlfwWindow::~GlfwWindow() {
  if (!window_) return;
  if (canvas_fbo_) glDeleteFramebuffers(1, &canvas_fbo_);
  if (canvas_texture_) glDeleteTextures(1, &canvas_texture_);
  if (!soft_) ImGui_ImplOpenGL3_Shutdown();
  ImGui_ImplGlfw_Shutdown();
  ImGui::DestroyContext();
  glfwDestroyWindow(window_);
  glfwTerminate();
}

Status GlfwWindow::init_imgui(const char* glsl_version) {
  glfwSetWindowUserPointer(window_, this);
  glfwSetCursorPosCallback(window_, on_cursor_pos);
  glfwSetMouseButtonCallback(window_, on_mouse_button);
  glfwSetScrollCallback(window_, on_scroll);
  glfwSetKeyCallback(window_, on_key);
  glfwSetCharCallback(window_, on_char);
  glfwSetWindowFocusCallback(window_, on_focus);
  glfwSetCursorEnterCallback(window_, on_enter);
  glfwSetWindowSizeCallback(window_, on_size);

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // the layout is the app's, not a saved debug-window arrangement
  io.ConfigFlags |= ImGuiConfigFlags_NavEnableKeyboard;
  io.ConfigInputTextCursorBlink = false;  // a steady caret: blinking would mean 60 fps forever
  if (soft_) {
    if (!ImGui_ImplGlfw_InitForOther(window_, true))
      return make_error(ErrorCode::kInternal, "ImGui GLFW backend failed to start");
    io.BackendRendererName = "imchat_soft";
    io.BackendFlags |= ImGuiBackendFlags_RendererHasVtxOffset;  // render() honours VtxOffset
    return Ok{};
  }
  if (!ImGui_ImplGlfw_InitForOpenGL(window_, true)) {
    return make_error(ErrorCode::kInternal, "ImGui GLFW backend failed to start");
  }
  if (!ImGui_ImplOpenGL3_Init(glsl_version)) {
    return make_error(ErrorCode::kInternal, "ImGui OpenGL3 backend failed to start");
  }
  return Ok{};
}

void GlfwWindow::wake() {
  // Three frames: ImGui settles hover/active state a frame after the input that changed it.
  frames_wanted_.store(3, std::memory_order_relaxed);
#ifndef __EMSCRIPTEN__
  glfwPostEmptyEvent();  // thread-safe; ends glfwWaitEvents on the UI thread
#endif
}

void GlfwWindow::wake_paced() {
  paced_pending_.store(true, std::memory_order_relaxed);
#ifndef __EMSCRIPTEN__
  glfwPostEmptyEvent();  // the loop then waits out paced_wait()
#endif
}

// A little under the interval, so on a 60 Hz display paced frames land on every other
// animation frame rather than slipping to every third.
static constexpr double kPacedInterval = 0.9 / Window::kPacedFramesPerSecond;

double GlfwWindow::paced_wait() const {
  if (!paced_pending_.load(std::memory_order_relaxed)) return -1;
  return std::max(0.0, last_draw_time_ + kPacedInterval - glfwGetTime());
}

bool GlfwWindow::imgui_busy() const {
  if (!ImGui::GetCurrentContext()) return false;
  const ImGuiIO& io = ImGui::GetIO();
  // A focused text field is an active item but needs no frames of its own: its caret does
  // not blink (ConfigInputTextCursorBlink off), so an open chat idles like any screen.
  return ImGui::IsMouseDown(ImGuiMouseButton_Left) ||
         (ImGui::IsAnyItemActive() && !io.WantTextInput);
}

bool GlfwWindow::draw_frame_if_needed(float pixel_ratio) {
  // Taken before tick() polls the transports: a wake_paced() after it is for data this
  // frame may not have seen, and stays pending for the next.
  const bool paced = paced_pending_.exchange(false, std::memory_order_relaxed);
  if (hooks_.tick) hooks_.tick();
  if (pixel_ratio != last_ratio_) {
    last_ratio_ = pixel_ratio;
    frames_wanted_.store(3, std::memory_order_relaxed);
  }
  const double now = glfwGetTime();
  if (frames_wanted_.load(std::memory_order_relaxed) <= 0 && !imgui_busy()) {
    if (!paced) return true;
    if (now - last_draw_time_ < kPacedInterval) {  // too soon: a later frame shows it
      paced_pending_.store(true, std::memory_order_relaxed);
      return true;
    }
  }
  if (frames_wanted_.load(std::memory_order_relaxed) > 0) frames_wanted_.fetch_sub(1);
  last_draw_time_ = now;

  if (hooks_.prepare && hooks_.prepare(pixel_ratio) && fonts_uploaded_) {
    if (soft_) {
      upload_soft_fonts();
    } else {
      ImGui_ImplOpenGL3_DestroyFontsTexture();
      ImGui_ImplOpenGL3_CreateFontsTexture();
    }
    redraw_all_ = true;  // new glyphs, perhaps under the texture name of the old ones
  }
  if (!soft_) {
    ImGui_ImplOpenGL3_NewFrame();  // creates device objects (and the font texture) once
  } else if (!fonts_uploaded_) {
    upload_soft_fonts();
  }
  fonts_uploaded_ = true;
  ImGui_ImplGlfw_NewFrame();
  apply_mouse_buttons();
  before_new_frame();
  apply_latched_keys();
  ImGui::NewFrame();
  const bool keep_open = hooks_.draw ? hooks_.draw() : true;
  ImGui::Render();

  // Only what changed is drawn again: a frame that changes nothing on screen costs no GL
  // work and presents nothing (the window keeps its picture), a streaming reply redraws
  // its own rows. Software GL (a machine without a GPU) pays per pixel drawn.
  ImDrawData& data = *ImGui::GetDrawData();
  int fb_width = 0, fb_height = 0;
  glfwGetFramebufferSize(window_, &fb_width, &fb_height);
  if (soft_ && (soft_->width() != fb_width || soft_->height() != fb_height)) {
    soft_->resize(fb_width, fb_height);
    redraw_all_ = true;  // the new picture holds nothing yet
  }
  const bool canvas = soft_ || keeps_pixels() || bind_canvas(fb_width, fb_height);
  const bool everything = redraw_all_ || !canvas || !partial_redraw_;
  redraw_all_ = false;
  const DamageRect damage = damage_.update(data, everything);
  const float area = data.DisplaySize.x * data.DisplaySize.y;
  if (!damage.empty() && area > 0) last_damage_fraction_ = damage.area() / area;
  if (!damage.empty()) render(data, damage, fb_width, fb_height);
  // Screenshots read our framebuffer, which holds the whole picture whether or not this
  // frame drew anything.
  if (hooks_.after_render) hooks_.after_render();
  if (!damage.empty() && !soft_) glfwSwapBuffers(window_);
  after_frame();
  return keep_open;
}

void GlfwWindow::redraw_everything() {
  redraw_all_ = true;
  wake();
}

bool GlfwWindow::bind_canvas(int width, int height) {
  if (canvas_failed_ || width <= 0 || height <= 0) return false;
  if (canvas_fbo_ && width == canvas_width_ && height == canvas_height_) return true;
  if (!canvas_fbo_) {
    glGenFramebuffers(1, &canvas_fbo_);
    glGenTextures(1, &canvas_texture_);
  }
  GLint last_texture = 0;
  glGetIntegerv(GL_TEXTURE_BINDING_2D, &last_texture);
  glBindTexture(GL_TEXTURE_2D, canvas_texture_);
  glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, width, height, 0, GL_RGBA, GL_UNSIGNED_BYTE, nullptr);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
  glBindTexture(GL_TEXTURE_2D, static_cast<GLuint>(last_texture));
  glBindFramebuffer(GL_FRAMEBUFFER, canvas_fbo_);
  glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, canvas_texture_, 0);
  const bool complete = glCheckFramebufferStatus(GL_FRAMEBUFFER) == GL_FRAMEBUFFER_COMPLETE;
  glBindFramebuffer(GL_FRAMEBUFFER, 0);
  if (!complete) {
    glDeleteFramebuffers(1, &canvas_fbo_);
    glDeleteTextures(1, &canvas_texture_);
    canvas_fbo_ = canvas_texture_ = 0;
    canvas_failed_ = true;
    return false;
  }
  canvas_width_ = width;
  canvas_height_ = height;
  redraw_all_ = true;  // a new canvas holds nothing yet
  return true;
}

void GlfwWindow::upload_soft_fonts() {
  ImGuiIO& io = ImGui::GetIO();
  unsigned char* pixels = nullptr;
  int width = 0, height = 0;
  io.Fonts->GetTexDataAsRGBA32(&pixels, &width, &height);
  soft_->set_texture(pixels, width, height);
  io.Fonts->SetTexID(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(1)));
}

void GlfwWindow::render(ImDrawData& data, const DamageRect& damage, int fb_width, int fb_height) {
  const ImVec4 bg = ImGui::GetStyle().Colors[ImGuiCol_WindowBg];
  if (soft_) {
    const PixelRect rect = to_pixels(damage, data);
    soft_->render(data, rect, ImGui::ColorConvertFloat4ToU32(ImVec4(bg.x, bg.y, bg.z, 1.0f)));
    present_soft(*soft_, PixelRect{std::max(rect.x0, 0), std::max(rect.y0, 0),
                                   std::min(rect.x1, fb_width), std::min(rect.y1, fb_height)});
    return;
  }
  const bool canvas = canvas_fbo_ && canvas_width_ == fb_width && canvas_height_ == fb_height;
  if (canvas) glBindFramebuffer(GL_FRAMEBUFFER, canvas_fbo_);
  glViewport(0, 0, fb_width, fb_height);
  // The damaged rectangle in framebuffer pixels (GL counts rows from the bottom).
  const PixelRect px = to_pixels(damage, data);
  const int x0 = px.x0, y0 = px.y0, x1 = px.x1, y1 = px.y1;
  glEnable(GL_SCISSOR_TEST);
  glScissor(x0, fb_height - y1, x1 - x0, y1 - y0);
  glClearColor(bg.x, bg.y, bg.z, 1.0f);
  glClear(GL_COLOR_BUFFER_BIT);
  glDisable(GL_SCISSOR_TEST);
  FrameDamage::clip_to(data, damage);
  ImGui_ImplOpenGL3_RenderDrawData(&data);
  if (!canvas) return;
  // The whole picture to the window, whose back buffer holds nothing we can rely on.
  glBindFramebuffer(GL_READ_FRAMEBUFFER, canvas_fbo_);
  glBindFramebuffer(GL_DRAW_FRAMEBUFFER, 0);
  glBlitFramebuffer(0, 0, fb_width, fb_height, 0, 0, fb_width, fb_height, GL_COLOR_BUFFER_BIT,
                    GL_NEAREST);
  glBindFramebuffer(GL_FRAMEBUFFER, 0);
}

Pixels GlfwWindow::read_pixels() {
  Pixels pixels;
  glfwGetFramebufferSize(window_, &pixels.width, &pixels.height);
  if (soft_) {
    pixels.width = soft_->width();
    pixels.height = soft_->height();
    pixels.rgba.assign(soft_->pixels(),
                       soft_->pixels() + static_cast<size_t>(pixels.width) * pixels.height * 4);
    return pixels;
  }
  const size_t row = static_cast<size_t>(pixels.width) * 4;
  std::vector<uint8_t> bottom_up(row * static_cast<size_t>(pixels.height));
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  // The picture of record is our framebuffer (the window's holds it only until a swap).
  const bool canvas =
      canvas_fbo_ && canvas_width_ == pixels.width && canvas_height_ == pixels.height;
  if (canvas) glBindFramebuffer(GL_READ_FRAMEBUFFER, canvas_fbo_);
  glReadPixels(0, 0, pixels.width, pixels.height, GL_RGBA, GL_UNSIGNED_BYTE, bottom_up.data());
  if (canvas) glBindFramebuffer(GL_READ_FRAMEBUFFER, 0);
  pixels.rgba.resize(bottom_up.size());
  for (int y = 0; y < pixels.height; ++y) {
    std::copy_n(bottom_up.data() + row * static_cast<size_t>(pixels.height - 1 - y), row,
                pixels.rgba.data() + row * static_cast<size_t>(y));
  }
  return pixels;
}

}  // namespace imchat::platform
