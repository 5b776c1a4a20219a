// OpenCounts: how many of something one key holds open (TCP connections per client
// address, WebSockets per user), with a bound per key and one overall. open() hands out a
// Lease that gives its place back when destroyed: a session holds its lease, so a
// connection that ends for any reason (closed, reset, timed out) is counted out. Leases
// keep the shared count alive, so they may outlive the object that issued them.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace imchat::server {

class OpenCounts {
  struct State {
    std::mutex mutex;
    std::map<std::string, size_t> by_key;
    size_t total = 0;
  };

 public:
  class Lease {
   public:
    Lease() = default;
    Lease(std::shared_ptr<State> state, std::string key)
        : state_(std::move(state)), key_(std::move(key)) {}
    Lease(Lease&& other) noexcept = default;
    Lease& operator=(Lease&& other) noexcept {
      if (this != &other) {
        release();
        state_ = std::move(other.state_);
        key_ = std::move(other.key_);
      }
      return *this;
    }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() { release(); }

   private:
    void release();
    std::shared_ptr<State> state_;
    std::string key_;
  };

  // 0 = no bound.
  OpenCounts(size_t per_key, size_t total) : per_key_(per_key), total_(total) {}

  // A place for one more, or nullopt when the key or everyone is at the bound
  // (per_key_bound false: only the overall bound).
  std::optional<Lease> open(const std::string& key, bool per_key_bound = true);
  size_t count(const std::string& key) const;
  size_t total() const;

 private:
  size_t per_key_;
  size_t total_;
  std::shared_ptr<State> state_ = std::make_shared<State>();
};

}  // namespace imchat::server
