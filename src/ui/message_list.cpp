#include "ui/message_list.h"

#include <algorithm>

namespace imchat::ui {

// --- HeightIndex -----------------------------------------------------------------------

void HeightIndex::assign(const std::vector<float>& heights) {
  heights_ = heights;
  const size_t n = heights_.size();
  tree_.assign(n + 1, 0.0);
  for (size_t i = 1; i <= n; ++i) {
    tree_[i] += heights_[i - 1];
    const size_t parent = i + (i & (~i + 1));
    if (parent <= n) tree_[parent] += tree_[i];
  }
  mask_ = 1;
  while (mask_ * 2 <= n)
    mask_ *= 2;
}

void HeightIndex::set(size_t i, float height) {
  const double delta = static_cast<double>(height) - heights_[i];
  heights_[i] = height;
  for (size_t k = i + 1; k < tree_.size(); k += k & (~k + 1))
    tree_[k] += delta;
}

double HeightIndex::top(size_t i) const {
  double sum = 0;
  for (size_t k = std::min(i, heights_.size()); k > 0; k -= k & (~k + 1))
    sum += tree_[k];
  return sum;
}

size_t HeightIndex::find(double y) const {
  if (heights_.empty()) return 0;
  // Binary lifting: the largest count of items whose total height is ≤ y.
  size_t pos = 0;
  double rest = y;
  for (size_t step = mask_; step > 0; step /= 2) {
    const size_t next = pos + step;
    if (next < tree_.size() && tree_[next] <= rest) {
      pos = next;
      rest -= tree_[next];
    }
  }
  return std::min(pos, heights_.size() - 1);
}

// --- ListWindow ------------------------------------------------------------------------

size_t ListWindow::align(const std::vector<const void*>& ids, std::vector<float>& heights,
                         std::vector<bool>& measured) {
  const size_t n = ids.size();
  const size_t m = ids_.size();
  heights.assign(n, 0.0f);
  measured.assign(n, false);
  size_t i = 0;  // old
  size_t j = 0;  // new
  if (m > 0 && n > 0 && ids[0] != ids_[0]) {
    // A page prepended (old front found later in the new list) or older items let go
    // (new front found later in the old list).
    const auto in_new = std::find(ids.begin(), ids.end(), ids_[0]);
    if (in_new != ids.end()) {
      j = static_cast<size_t>(in_new - ids.begin());
    } else if (const auto in_old = std::find(ids_.begin(), ids_.end(), ids[0]);
               in_old != ids_.end()) {
      i = static_cast<size_t>(in_old - ids_.begin());
    }
  }
  size_t anchor = anchor_ < i ? j : n;  // an anchor let go: the new first item
  double anchor_offset = anchor_ < i ? 0.0 : anchor_offset_;
  size_t last_old = n;  // new index of the old last item, when it is still there
  while (i < m && j < n) {
    if (ids_[i] == ids[j]) {
      heights[j] = index_.height(i);
      measured[j] = measured_[i];
    } else if (i + 1 < m && ids_[i + 1] == ids[j]) {
      // old i removed
      if (i == anchor_) {
        anchor = j;
        anchor_offset = 0;
      }
      ++i;
      continue;
    } else if (j + 1 < n && ids_[i] == ids[j + 1]) {
      ++j;  // new j inserted: estimated later
      continue;
    } else {
      heights[j] = index_.height(i);  // replaced (a reply grew): a close guess until measured
    }
    if (i == anchor_) anchor = j;
    if (i + 1 == m) last_old = j;
    ++i;
    ++j;
  }
  if (anchor >= n) {
    anchor = n ? std::min(anchor_, n - 1) : 0;
    anchor_offset = 0;
  }
  anchor_ = anchor;
  anchor_offset_ = anchor_offset;
  anchor_id_ = n ? ids[anchor] : nullptr;
  if (m == 0) return n;
  return last_old < n ? n - 1 - last_old : 0;
}

void ListWindow::set_height(size_t i, float height) {
  if (i >= ids_.size()) return;
  measured_[i] = true;
  if (index_.height(i) != height) index_.set(i, height);
}

double ListWindow::max_scroll() const {
  return std::max(0.0, index_.total() - viewport_);
}

double ListWindow::scroll() const {
  if (follow_ || ids_.empty()) return max_scroll();
  return std::clamp(index_.top(anchor_) + anchor_offset_, 0.0, max_scroll());
}

void ListWindow::scroll_to(double y) {
  const double max = max_scroll();
  y = std::clamp(y, 0.0, max);
  follow_ = y >= max - 0.5;
  if (ids_.empty()) return;
  anchor_ = index_.find(y);
  anchor_offset_ = y - index_.top(anchor_);
  anchor_id_ = ids_[anchor_];
}

void ListWindow::scroll_to_bottom() {
  follow_ = true;
  if (!ids_.empty()) scroll_to(max_scroll());
}

size_t ListWindow::first_visible() const {
  return ids_.empty() ? 0 : index_.find(scroll());
}

size_t ListWindow::end_visible() const {
  if (ids_.empty()) return 0;
  return std::min(ids_.size(), index_.find(scroll() + viewport_) + 1);
}

}  // namespace imchat::ui
