// SdkClient: the whole native SDK stack as the app builds it — real Beast transports,
// QueryCache, Api, Realtime, ChatSync — driven by an event loop that sleeps until a
// transport wakes it or a timer of the SDK is due. Several clients share one EventLoop, so
// a test can wait for a condition that spans them ("both see 200 messages").
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <vector>

#include "platform/http_client.h"
#include "platform/local_store.h"
#include "platform/websocket.h"
#include "sdk/chat_client.h"

namespace imchat::testing {

inline int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

class SdkClient;

class EventLoop {
 public:
  void wake() {
    std::lock_guard lock(mutex_);
    woken_ = true;
    cv_.notify_all();
  }
  void add(SdkClient* client) { clients_.push_back(client); }
  // Runs every client until done() holds or the limit passes; returns done().
  bool until(const std::function<bool()>& done,
             std::chrono::milliseconds limit = std::chrono::seconds(20));

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool woken_ = false;
  std::vector<SdkClient*> clients_;
};

class SdkClient {
 public:
  SdkClient(EventLoop& loop, const std::string& base_url,
            sdk::RealtimeOptions realtime_options = {}, sdk::ChatSyncOptions sync_options = {})
      : http_(platform::make_http_client()),
        sockets_(platform::make_websocket_client()),
        store_(platform::make_memory_store()),
        client_({*http_, *sockets_, store_.get(), steady_ms, [this] { return uniform_(random_); }},
                {base_url, std::move(realtime_options), sync_options}) {
    http_->set_wake([&loop] { loop.wake(); });
    sockets_->set_wake([&loop] { loop.wake(); });
    loop.add(this);
  }

  // One turn of the app's frame: deliver what arrived, run what is due.
  void turn() {
    http_->poll();
    sockets_->poll();
    client_.tick();
  }
  std::optional<int64_t> next_deadline_ms() const { return client_.next_deadline_ms(); }

  void sign_in(const sdk::Session& session) { client_.use_session(session); }

  sdk::Api& api() { return client_.api(); }
  sdk::Realtime& realtime() { return client_.realtime(); }
  sdk::ChatSync& sync() { return client_.sync(); }
  sdk::QueryCache& cache() { return client_.cache(); }
  sdk::ChatClient& client() { return client_; }

 private:
  std::mt19937_64 random_{std::random_device{}()};
  std::uniform_real_distribution<double> uniform_{0.0, 1.0};
  std::unique_ptr<platform::HttpClient> http_;
  std::unique_ptr<platform::WebSocketClient> sockets_;
  std::unique_ptr<platform::LocalStore> store_;
  sdk::ChatClient client_;
};

inline bool EventLoop::until(const std::function<bool()>& done, std::chrono::milliseconds limit) {
  const int64_t deadline = steady_ms() + limit.count();
  while (true) {
    for (SdkClient* client : clients_)
      client->turn();
    if (done()) return true;
    int64_t wake_at = deadline;
    for (SdkClient* client : clients_)
      if (auto next = client->next_deadline_ms())
        wake_at = std::min(wake_at, std::max(*next, steady_ms()));
    if (steady_ms() >= deadline) return done();
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, std::chrono::milliseconds(std::max<int64_t>(0, wake_at - steady_ms())),
                 [this] { return woken_; });
    woken_ = false;
  }
}

}  // namespace imchat::testing
