// KdfPool: where password hashing runs — its own small thread pool with a bounded queue,
// apart from the workers that serve every route and WebSocket send. A flood of logins
// (which anyone can send without an account) then costs the KDF's threads and no more:
// chat traffic keeps its workers, and a full queue answers "busy" (503) at once instead of
// letting the wait grow. The threads run at a lower CPU priority (nice +10), so on a busy
// machine the kernel gives chat traffic the cores first.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace imchat::server {

class KdfPool {
 public:
  KdfPool(int threads, size_t max_queued);
  ~KdfPool();  // drops what is queued, lets the running jobs finish, joins
  KdfPool(const KdfPool&) = delete;
  KdfPool& operator=(const KdfPool&) = delete;

  // False when the queue is full: the caller answers busy. The job runs on a pool thread.
  bool submit(std::function<void()> job);

  // Jobs started since start (tests check that an unknown email still costs one).
  size_t runs() const { return runs_.load(); }
  size_t queued() const;

 private:
  void work();

  size_t max_queued_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::atomic<size_t> runs_{0};
  std::vector<std::thread> threads_;
};

}  // namespace imchat::server
