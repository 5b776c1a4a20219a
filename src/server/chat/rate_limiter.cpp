// Token buckets, failure backoff and the shared write budget (rate_limiter.h).
#include "server/chat/rate_limiter.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include <boost/asio/ip/address.hpp>

namespace imchat::server {

std::optional<int> RateLimiter::acquire(const std::string& key, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (buckets_.size() >= max_keys_ && !buckets_.count(key)) prune(now);
  auto [it, inserted] = buckets_.try_emplace(key, Bucket{burst_, now});
  Bucket& bucket = it->second;
  const double elapsed = std::chrono::duration<double>(now - bucket.updated).count();
  bucket.tokens = std::min(burst_, bucket.tokens + std::max(0.0, elapsed) * per_second_);
  bucket.updated = now;
  if (bucket.tokens >= 1.0) {
    bucket.tokens -= 1.0;
    return std::nullopt;
  }
  if (per_second_ <= 0) return 3600;
  return std::max(1, static_cast<int>(std::ceil((1.0 - bucket.tokens) / per_second_)));
}

size_t RateLimiter::size() const {
  std::lock_guard lock(mutex_);
  return buckets_.size();
}

void RateLimiter::prune(Clock::time_point now) {
  // Full buckets first: forgetting them changes nothing.
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    const double elapsed = std::chrono::duration<double>(now - it->second.updated).count();
    const bool full = it->second.tokens + std::max(0.0, elapsed) * per_second_ >= burst_;
    it = full ? buckets_.erase(it) : std::next(it);
  }
  if (buckets_.size() < max_keys_) return;
  // Still full: the older half goes (rare; each eviction only forgives some waiting).
  std::vector<Clock::time_point> times;
  times.reserve(buckets_.size());
  for (const auto& [key, bucket] : buckets_)
    times.push_back(bucket.updated);
  auto middle = times.begin() + static_cast<std::ptrdiff_t>(times.size() / 2);
  std::nth_element(times.begin(), middle, times.end());
  const auto cutoff = *middle;
  for (auto it = buckets_.begin(); it != buckets_.end();)
    it = it->second.updated <= cutoff ? buckets_.erase(it) : std::next(it);
}

std::optional<int> FailureBackoff::blocked(const std::string& key, Clock::time_point now) const {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end() || it->second.until <= now) return std::nullopt;
  return std::max<int>(
      1,
      static_cast<int>(std::ceil(std::chrono::duration<double>(it->second.until - now).count())));
}

void FailureBackoff::failed(const std::string& key, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (entries_.size() >= max_keys_ && !entries_.count(key)) {
    for (auto it = entries_.begin(); it != entries_.end();) {
      // Keys whose wait ended long ago (a day) are forgiven first.
      it = it->second.until + std::chrono::hours(24) <= now ? entries_.erase(it) : std::next(it);
    }
    if (entries_.size() >= max_keys_) entries_.erase(entries_.begin());
  }
  Entry& entry = entries_[key];
  entry.failures++;
  // The last free failure already makes the next attempt wait (1 s, then 2, 4, …).
  const int over = entry.failures - free_failures_ + 1;
  if (over <= 0) return;
  const double wait = std::min<double>(max_wait_s_, std::pow(2.0, std::min(over - 1, 30)));
  entry.until = now + std::chrono::milliseconds(static_cast<int64_t>(wait * 1000));
}

void FailureBackoff::succeeded(const std::string& key) {
  std::lock_guard lock(mutex_);
  entries_.erase(key);
}

std::string normalized_address(const std::string& address) {
  boost::system::error_code ec;
  const auto parsed = boost::asio::ip::make_address(address, ec);
  if (ec) return address;
  if (parsed.is_v6() && parsed.to_v6().is_v4_mapped())
    return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, parsed.to_v6()).to_string();
  return parsed.to_string();
}

std::string address_key(const std::string& address) {
  boost::system::error_code ec;
  const auto parsed = boost::asio::ip::make_address(address, ec);
  if (ec) return address;
  if (parsed.is_v6()) {
    const auto v6 = parsed.to_v6();
    if (v6.is_v4_mapped()) {
      return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, v6).to_string();
    }
    auto bytes = v6.to_bytes();
    std::fill(bytes.begin() + 8, bytes.end(), 0);
    return boost::asio::ip::address_v6(bytes).to_string() + "/64";
  }
  return parsed.to_string();
}

Status admit_write(RateLimiter* writes, const std::string& user_id) {
  if (!writes) return Ok{};
  auto wait = writes->acquire(user_id);
  if (!wait) return Ok{};
  Error e = make_error(ErrorCode::kRateLimited,
                       "too many writes; try again in " + std::to_string(*wait) + " s");
  e.retry_after_s = *wait;
  return e;
}

}  // namespace imchat::server
