#include "platform/window_glfw.h"

#include <algorithm>

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
void on_mouse_button(GLFWwindow* w, int, int, int) {
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
  ImGui_ImplOpenGL3_Shutdown();
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

bool GlfwWindow::imgui_busy() const {
  if (!ImGui::GetCurrentContext()) return false;
  const ImGuiIO& io = ImGui::GetIO();
  // A focused text field is an active item but needs no frames of its own: its caret does
  // not blink (ConfigInputTextCursorBlink off), so an open chat idles like any screen.
  return ImGui::IsMouseDown(ImGuiMouseButton_Left) ||
         (ImGui::IsAnyItemActive() && !io.WantTextInput);
}

bool GlfwWindow::draw_frame_if_needed(float pixel_ratio) {
  if (hooks_.tick) hooks_.tick();
  if (pixel_ratio != last_ratio_) {
    last_ratio_ = pixel_ratio;
    frames_wanted_.store(3, std::memory_order_relaxed);
  }
  if (frames_wanted_.load(std::memory_order_relaxed) <= 0 && !imgui_busy()) return true;
  if (frames_wanted_.load(std::memory_order_relaxed) > 0) frames_wanted_.fetch_sub(1);

  if (hooks_.prepare && hooks_.prepare(pixel_ratio) && fonts_uploaded_) {
    ImGui_ImplOpenGL3_DestroyFontsTexture();
    ImGui_ImplOpenGL3_CreateFontsTexture();
  }
  ImGui_ImplOpenGL3_NewFrame();  // creates device objects (and the font texture) once
  fonts_uploaded_ = true;
  ImGui_ImplGlfw_NewFrame();
  before_new_frame();
  apply_latched_keys();
  ImGui::NewFrame();
  const bool keep_open = hooks_.draw ? hooks_.draw() : true;
  ImGui::Render();

  int fb_width = 0, fb_height = 0;
  glfwGetFramebufferSize(window_, &fb_width, &fb_height);
  glViewport(0, 0, fb_width, fb_height);
  const ImVec4 bg = ImGui::GetStyle().Colors[ImGuiCol_WindowBg];
  glClearColor(bg.x, bg.y, bg.z, 1.0f);
  glClear(GL_COLOR_BUFFER_BIT);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
  if (hooks_.after_render) hooks_.after_render();
  glfwSwapBuffers(window_);
  after_frame();
  return keep_open;
}

Pixels GlfwWindow::read_pixels() {
  Pixels pixels;
  glfwGetFramebufferSize(window_, &pixels.width, &pixels.height);
  const size_t row = static_cast<size_t>(pixels.width) * 4;
  std::vector<uint8_t> bottom_up(row * static_cast<size_t>(pixels.height));
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadPixels(0, 0, pixels.width, pixels.height, GL_RGBA, GL_UNSIGNED_BYTE, bottom_up.data());
  pixels.rgba.resize(bottom_up.size());
  for (int y = 0; y < pixels.height; ++y) {
    std::copy_n(bottom_up.data() + row * static_cast<size_t>(pixels.height - 1 - y), row,
                pixels.rgba.data() + row * static_cast<size_t>(y));
  }
  return pixels;
}

}  // namespace imchat::platform
