// A scripted HttpClient for unit tests: records requests, answers them when the test says,
// delivers results through poll() like the real transports.
#pragma once

#include <deque>
#include <map>

#include "platform/http_client.h"

namespace imchat::testing {

class FakeHttpClient final : public platform::HttpClient {
 public:
  struct Sent {
    platform::RequestId id;
    platform::HttpRequest request;
  };

  platform::RequestId send(platform::HttpRequest request, platform::HttpCallback on_done) override {
    const platform::RequestId id = next_id_++;
    callbacks_[id] = std::move(on_done);
    sent_.push_back({id, std::move(request)});
    return id;
  }

  void cancel(platform::RequestId id) override {
    if (callbacks_.erase(id)) cancelled_.push_back(id);
  }

  void poll() override {
    auto batch = std::move(ready_);
    ready_.clear();
    for (auto& [id, result] : batch) {
      auto it = callbacks_.find(id);
      if (it == callbacks_.end()) continue;
      auto callback = std::move(it->second);
      callbacks_.erase(it);
      callback(std::move(result));
    }
  }

  void set_wake(std::function<void()> wake) override { wake_ = std::move(wake); }

  // Test side.
  void answer(platform::RequestId id, Result<platform::HttpResponse> result) {
    ready_.emplace_back(id, std::move(result));
    if (wake_) wake_();
  }
  void respond(platform::RequestId id, int status, std::string body) {
    answer(id, platform::HttpResponse{status, std::move(body), "application/json"});
  }
  size_t open_requests() const { return callbacks_.size(); }
  const std::deque<Sent>& sent() const { return sent_; }
  const std::vector<platform::RequestId>& cancelled() const { return cancelled_; }

 private:
  platform::RequestId next_id_ = 1;
  std::map<platform::RequestId, platform::HttpCallback> callbacks_;
  std::vector<std::pair<platform::RequestId, Result<platform::HttpResponse>>> ready_;
  std::deque<Sent> sent_;
  std::vector<platform::RequestId> cancelled_;
  std::function<void()> wake_;
};

}  // namespace imchat::testing
