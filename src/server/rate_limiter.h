// Per-user token buckets for writes: `burst` requests at once, refilled at `per_second`.
// A refused request learns how long to wait (Retry-After).
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace imchat::server {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  RateLimiter(double burst, double per_second) : burst_(burst), per_second_(per_second) {}

  // nullopt: allowed (one token taken). Otherwise the whole seconds to wait (at least 1).
  std::optional<int> acquire(const std::string& key, Clock::time_point now = Clock::now());

 private:
  struct Bucket {
    double tokens;
    Clock::time_point updated;
  };

  double burst_;
  double per_second_;
  std::mutex mutex_;
  std::map<std::string, Bucket> buckets_;
};

}  // namespace imchat::server
