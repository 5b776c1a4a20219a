// Per-key token buckets: `burst` requests at once, refilled at `per_second`. A refused
// request learns how long to wait (Retry-After). Keys come from outside (user ids, client
// addresses, emails typed into a login form), so the table is bounded: a bucket that has
// refilled is forgotten (it is the same as a new one), and past `max_keys` the least
// recently used go first.
//
// FailureBackoff: for guesses. A key (an email, an address) may fail `free_failures`
// times in a row; then it waits 1 s before the next attempt, and each further failure
// doubles the wait, up to `max_wait_s`. Success forgets the key.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "model/result.h"

namespace imchat::server {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  RateLimiter(double burst, double per_second, size_t max_keys = 100'000)
      : burst_(burst), per_second_(per_second), max_keys_(max_keys) {}

  // nullopt: allowed (one token taken). Otherwise the whole seconds to wait (at least 1).
  std::optional<int> acquire(const std::string& key, Clock::time_point now = Clock::now());

  size_t size() const;

 private:
  struct Bucket {
    double tokens;
    Clock::time_point updated;
  };
  void prune(Clock::time_point now);

  double burst_;
  double per_second_;
  size_t max_keys_;
  mutable std::mutex mutex_;
  std::map<std::string, Bucket> buckets_;
};

class FailureBackoff {
 public:
  using Clock = std::chrono::steady_clock;

  FailureBackoff(int free_failures, int max_wait_s, size_t max_keys = 100'000)
      : free_failures_(free_failures), max_wait_s_(max_wait_s), max_keys_(max_keys) {}

  // nullopt: the key may try now; else the seconds until it may.
  std::optional<int> blocked(const std::string& key, Clock::time_point now = Clock::now()) const;
  void failed(const std::string& key, Clock::time_point now = Clock::now());
  void succeeded(const std::string& key);

 private:
  struct Entry {
    int failures = 0;
    Clock::time_point until;
  };

  int free_failures_;
  int max_wait_s_;
  size_t max_keys_;
  mutable std::mutex mutex_;
  std::map<std::string, Entry> entries_;
};

// The write budget every door spends — each REST write, each /ws send-message — one per
// user and shared, so using both doors does not double it. kRateLimited, with retry_after_s,
// once it is spent; Ok (one token taken) otherwise, and always without a limiter.
Status admit_write(RateLimiter* writes, const std::string& user_id);

// The key a client address is throttled by: IPv4 as is, IPv6 by its /64 (one host gets a
// whole /64, so one address per request would be free for it).
std::string address_key(const std::string& address);
// An address as one spelling: "::ffff:127.0.0.1" (a dual-stack socket's) is 127.0.0.1.
std::string normalized_address(const std::string& address);

}  // namespace imchat::server
