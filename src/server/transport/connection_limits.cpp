// OpenCounts (connection_limits.h): connections per key and overall, as leases.
#include "server/transport/connection_limits.h"

namespace imchat::server {

void OpenCounts::Lease::release() {
  if (!state_) return;
  std::lock_guard lock(state_->mutex);
  auto it = state_->by_key.find(key_);
  if (it != state_->by_key.end() && --it->second == 0) state_->by_key.erase(it);
  state_->total--;
  state_.reset();
}

std::optional<OpenCounts::Lease> OpenCounts::open(const std::string& key, bool per_key_bound) {
  std::lock_guard lock(state_->mutex);
  if (total_ && state_->total >= total_) return std::nullopt;
  size_t& count = state_->by_key[key];
  if (per_key_bound && per_key_ && count >= per_key_) {
    if (count == 0) state_->by_key.erase(key);
    return std::nullopt;
  }
  count++;
  state_->total++;
  return Lease(state_, key);
}

size_t OpenCounts::count(const std::string& key) const {
  std::lock_guard lock(state_->mutex);
  auto it = state_->by_key.find(key);
  return it == state_->by_key.end() ? 0 : it->second;
}

size_t OpenCounts::total() const {
  std::lock_guard lock(state_->mutex);
  return state_->total;
}

}  // namespace imchat::server
