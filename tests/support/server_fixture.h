// Helpers for tests that talk to a real server over loopback with the real native
// transport.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "platform/http_client.h"

namespace imchat::testing {

// Waits for the transport's wake-up signal, then runs the callbacks on this thread — the
// same hand-off the UI loop does. No sleeps: the condition variable is signalled by the
// transport's I/O thread.
class Pump {
 public:
  explicit Pump(platform::HttpClient& http) : http_(http) {
    http_.set_wake([this] {
      std::lock_guard lock(mutex_);
      woken_ = true;
      cv_.notify_all();
    });
  }
  // Polls until done() holds or the deadline passes; returns done().
  template <typename Done>
  bool until(Done done, std::chrono::seconds limit = std::chrono::seconds(10)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (true) {
      http_.poll();
      if (done()) return true;
      std::unique_lock lock(mutex_);
      if (!cv_.wait_until(lock, deadline, [this] { return woken_; })) return done();
      woken_ = false;
    }
  }

 private:
  platform::HttpClient& http_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool woken_ = false;
};

}  // namespace imchat::testing
