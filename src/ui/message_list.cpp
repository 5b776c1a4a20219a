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

void HeightIndex::replace_tail(size_t keep, const std::vector<float>& tail) {
  keep = std::min(keep, heights_.size());
  if (keep == 0) {
    assign(tail);  // O(n) beats n pushes
    return;
  }
  // Entries up to keep only sum heights up to keep: they stay valid.
  heights_.resize(keep);
  tree_.resize(keep + 1);
  while (mask_ > keep)
    mask_ /= 2;  // keep > 0 here: stops at 1 at the least
  for (float h : tail)
    push_back(h);
}

void HeightIndex::push_back(float height) {
  if (tree_.empty()) tree_.push_back(0.0);  // slot 0 is unused (1-based)
  heights_.push_back(height);
  const size_t k = heights_.size();
  // tree_[k] sums heights (k - lowbit(k), k]: this one plus the span before it.
  const size_t low = k & (~k + 1);
  tree_.push_back(static_cast<double>(height) + top(k - 1) - top(k - low));
  mask_ = std::max<size_t>(mask_, 1);
  while (mask_ * 2 <= k)
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

size_t ListWindow::align(size_t keep, const std::vector<const void*>& tail,
                         std::vector<float>& heights, std::vector<bool>& measured) {
  // Indices are absolute: old items i in [keep, m), new items j in [keep, n).
  const size_t n = keep + tail.size();
  const size_t m = ids_.size();
  const auto id = [&](size_t j) { return tail[j - keep]; };
  heights.assign(tail.size(), 0.0f);
  measured.assign(tail.size(), false);
  size_t i = keep;  // old
  size_t j = keep;  // new
  if (keep == 0 && m > 0 && n > 0 && id(0) != ids_[0]) {
    // A page prepended (old front found later in the new list) or older items let go
    // (new front found later in the old list).
    const auto in_new = std::find(tail.begin(), tail.end(), ids_[0]);
    if (in_new != tail.end()) {
      j = static_cast<size_t>(in_new - tail.begin());
    } else if (const auto in_old = std::find(ids_.begin(), ids_.end(), id(0));
               in_old != ids_.end()) {
      i = static_cast<size_t>(in_old - ids_.begin());
    }
  }
  size_t anchor = anchor_ < i ? j : n;  // an anchor let go: the new first item
  double anchor_offset = anchor_ < i ? 0.0 : anchor_offset_;
  // New index of the old last item, when it is still there (it may be in the kept part).
  size_t last_old = m > 0 && m <= keep ? m - 1 : n;
  while (i < m && j < n) {
    if (ids_[i] == id(j)) {
      heights[j - keep] = index_.height(i);
      measured[j - keep] = measured_[i];
    } else if (i + 1 < m && ids_[i + 1] == id(j)) {
      // old i removed
      if (i == anchor_) {
        anchor = j;
        anchor_offset = 0;
      }
      ++i;
      continue;
    } else if (j + 1 < n && ids_[i] == id(j + 1)) {
      ++j;  // new j inserted: estimated later
      continue;
    } else {
      heights[j - keep] =
          index_.height(i);  // replaced (a reply grew): a close guess until measured
    }
    if (i == anchor_) anchor = j;
    if (i + 1 == m) last_old = j;
    ++i;
    ++j;
  }
  if (anchor_ >= keep || m == 0) {  // else the anchor is in the kept part and stays
    if (anchor >= n) {
      anchor = n ? std::min(anchor_, n - 1) : 0;
      anchor_offset = 0;
    }
    anchor_ = anchor;
    anchor_offset_ = anchor_offset;
    anchor_id_ = n ? (anchor < keep ? ids_[anchor] : id(anchor)) : nullptr;
  }
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
