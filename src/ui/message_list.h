// The arithmetic of a virtualised list with variable heights, apart from any drawing so it
// can be tested on its own:
//   HeightIndex  heights as a Fenwick tree — set one height, top of item i, item at y, all
//                O(log n); a streaming reply that grows changes one entry, not n.
//   ListWindow   what a list view keeps between frames: the heights (measured or
//                estimated) of the items it was last given, matched by identity when the
//                list changes (a page prepended, a message appended or replaced), and the
//                scroll position held as an anchor — an item and an offset into it — so
//                measuring an item above the view, or loading older history, never moves
//                what the user is reading.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace imchat::ui {

class HeightIndex {
 public:
  void assign(const std::vector<float>& heights);
  // Keeps the first `keep` heights and appends these: O(tail · log n).
  void replace_tail(size_t keep, const std::vector<float>& tail);
  void push_back(float height);
  size_t size() const { return heights_.size(); }
  float height(size_t i) const { return heights_[i]; }
  void set(size_t i, float height);
  double top(size_t i) const;  // sum of heights before i
  double total() const { return top(heights_.size()); }
  // The item whose [top, top + height) contains y (clamped to the last item).
  size_t find(double y) const;

 private:
  std::vector<float> heights_;
  std::vector<double> tree_;  // 1-based Fenwick tree of heights_
  size_t mask_ = 0;           // highest power of two ≤ size
};

class ListWindow {
 public:
  // A new version of the items (identified by pointer, in order). Heights of items seen
  // before are kept; new ones take estimate(item) until measured. Returns how many items
  // were added after the previous last one (for the "↓ N new" pill).
  // unchanged: the caller knows the first `unchanged` items are the same as last time (a
  // reply streaming at the end): only the rest is matched, so the cost follows the change,
  // not the length of the list.
  template <typename Ptr, typename Estimate>
  size_t update(const std::vector<Ptr>& items, Estimate&& estimate, size_t unchanged = 0) {
    const size_t keep = std::min({unchanged, items.size(), ids_.size()});
    std::vector<const void*> tail(items.size() - keep);
    for (size_t i = 0; i < tail.size(); ++i)
      tail[i] = items[keep + i].get();
    return update_ids(keep, std::move(tail), [&](size_t i) { return estimate(*items[keep + i]); });
  }
  // The same with ids: the first `keep` stay, `tail` replaces the rest.
  template <typename Estimate>
  size_t update_ids(size_t keep, std::vector<const void*> tail, Estimate&& estimate) {
    std::vector<float> heights;
    std::vector<bool> measured;
    const size_t appended = align(keep, tail, heights, measured);
    for (size_t i = 0; i < tail.size(); ++i) {
      if (heights[i] <= 0) heights[i] = estimate(i);
    }
    ids_.resize(keep);
    ids_.insert(ids_.end(), tail.begin(), tail.end());
    measured_.resize(keep);
    measured_.insert(measured_.end(), measured.begin(), measured.end());
    index_.replace_tail(keep, heights);
    return appended;
  }

  size_t size() const { return ids_.size(); }
  bool measured(size_t i) const { return measured_[i]; }
  // A measured height (a layout was made). Keeps the anchor where it is.
  void set_height(size_t i, float height);
  const HeightIndex& heights() const { return index_; }

  // Scrolling. The viewport's top in content pixels, from the anchor.
  double scroll() const;
  double max_scroll() const;
  void set_viewport(float height) { viewport_ = height; }
  float viewport() const { return viewport_; }
  void scroll_to(double y);  // clamps; re-anchors; leaves the bottom unless y reaches it
  void scroll_by(double dy) { scroll_to(scroll() + dy); }
  void scroll_to_bottom();  // and stay there as content grows
  bool at_bottom() const { return follow_; }
  // First and one-past-last items intersecting the viewport.
  size_t first_visible() const;
  size_t end_visible() const;

 private:
  // Matches tail (the new items from keep on) against the previous items from keep on:
  // heights[i] is the old height (0 for a new item), measured[i] whether it still holds
  // (false for a replaced item). Moves the anchor to its item's new index. Returns the
  // count of items after the old last one.
  size_t align(size_t keep, const std::vector<const void*>& tail, std::vector<float>& heights,
               std::vector<bool>& measured);

  std::vector<const void*> ids_;
  std::vector<bool> measured_;
  HeightIndex index_;
  float viewport_ = 0;
  // Scroll position: anchor_ item's top + anchor_offset_. Follow the bottom when follow_.
  const void* anchor_id_ = nullptr;
  size_t anchor_ = 0;
  double anchor_offset_ = 0;
  bool follow_ = true;
};

}  // namespace imchat::ui
