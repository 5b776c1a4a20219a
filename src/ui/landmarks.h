// Landmarks: where the controls a person clicks were drawn in the last frame, by name
// ("new_chat", "row_menu.delete", "delete.confirm", …). window.imchat.state() reports them
// so browser tests click the real canvas at the real place instead of at coordinates
// copied from a screenshot, which break whenever the layout moves a few pixels.
// Storage is reused from frame to frame: marking a control that was marked before does
// not allocate.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include <imgui.h>

namespace imchat::ui {

struct Landmark {
  ImVec2 min, max;  // device pixels
  uint64_t frame = 0;
};

class Landmarks {
 public:
  void begin_frame() { ++frame_; }
  void mark(std::string_view name, ImVec2 min, ImVec2 max);
  // The last item ImGui submitted, if its window is on screen this frame.
  void mark_item(std::string_view name);
  // Those drawn in the last frame.
  void for_each(const std::function<void(const std::string&, const Landmark&)>& visit) const;

 private:
  std::map<std::string, Landmark, std::less<>> marks_;
  uint64_t frame_ = 0;
};

}  // namespace imchat::ui
