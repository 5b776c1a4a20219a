// UiHandoff<T>: what an I/O thread produced, handed to the UI thread. The native
// transports push results from their I/O thread (which wakes the UI, so an idle loop
// notices) and their poll() takes everything waiting, in order, on the UI thread.
#pragma once

#include <functional>
#include <mutex>
#include <utility>
#include <vector>

namespace imchat::platform {

template <typename T>
class UiHandoff {
 public:
  // Any thread.
  void push(T item) {
    std::function<void()> wake;
    {
      std::lock_guard lock(mutex_);
      items_.push_back(std::move(item));
      wake = wake_;
    }
    if (wake) wake();
  }
  // The UI thread: everything pushed so far, oldest first.
  std::vector<T> take() {
    std::lock_guard lock(mutex_);
    return std::exchange(items_, {});
  }
  void set_wake(std::function<void()> wake) {
    std::lock_guard lock(mutex_);
    wake_ = std::move(wake);
  }

 private:
  std::mutex mutex_;
  std::vector<T> items_;
  std::function<void()> wake_;
};

}  // namespace imchat::platform
