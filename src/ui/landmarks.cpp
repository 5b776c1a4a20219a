#include "ui/landmarks.h"

#include <imgui_internal.h>

namespace imchat::ui {

void Landmarks::mark_item(std::string_view name) {
  // A window sizing itself to its contents is laid out once unseen, then placed: what it
  // submits in that frame is not where it will be. Only what is on screen is a landmark.
  const ImGuiWindow* window = ImGui::GetCurrentWindowRead();
  if (window && (window->Hidden || window->HiddenFramesCannotSkipItems > 0 ||
                 window->HiddenFramesCanSkipItems > 0))
    return;
  mark(name, ImGui::GetItemRectMin(), ImGui::GetItemRectMax());
}

void Landmarks::mark(std::string_view name, ImVec2 min, ImVec2 max) {
  auto it = marks_.find(name);
  if (it == marks_.end()) {
    // Forget controls that went away long ago, so rows of deleted chats don't pile up.
    if (marks_.size() > 512)
      std::erase_if(marks_, [&](const auto& m) { return m.second.frame + 1 < frame_; });
    it = marks_.emplace(std::string(name), Landmark{}).first;
  }
  it->second = Landmark{min, max, frame_};
}

void Landmarks::for_each(
    const std::function<void(const std::string&, const Landmark&)>& visit) const {
  for (const auto& [name, mark] : marks_)
    if (mark.frame == frame_) visit(name, mark);
}

}  // namespace imchat::ui
