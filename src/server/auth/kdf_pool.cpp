// KdfPool (kdf_pool.h): the password hashes' own low-priority thread and bounded queue.
#include "server/auth/kdf_pool.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace imchat::server {

KdfPool::KdfPool(int threads, size_t max_queued) : max_queued_(max_queued) {
  for (int i = 0; i < threads; ++i)
    threads_.emplace_back([this] { work(); });
}

KdfPool::~KdfPool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    // What is still queued is dropped: the server is stopping and could not send the
    // answers anyway, and 32 hashes at full cost would hold the exit for seconds.
    jobs_.clear();
  }
  wake_.notify_all();
  for (auto& t : threads_)
    t.join();
}

bool KdfPool::submit(std::function<void()> job) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || jobs_.size() >= max_queued_) return false;
    jobs_.push_back(std::move(job));
  }
  wake_.notify_one();
  return true;
}

size_t KdfPool::queued() const {
  std::lock_guard lock(mutex_);
  return jobs_.size();
}

void KdfPool::work() {
  // Linux keeps a nice value per thread: this lowers only the KDF's threads. Failing to
  // (a sandbox without setpriority) leaves them at normal priority, which still works.
  (void)::setpriority(PRIO_PROCESS, static_cast<id_t>(::syscall(SYS_gettid)), 10);
  while (true) {
    std::function<void()> job;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty()) return;  // stopping, and nothing left
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    runs_++;  // before: the job answers its request, and a reader may look right after
    job();
  }
}

}  // namespace imchat::server
