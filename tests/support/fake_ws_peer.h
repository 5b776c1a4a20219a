// FakeWsPeer: a WsApi connection without a socket, for unit tests and the fuzzer. Work that
// the real session runs on a worker runs here at once, inline, in order; every frame the
// api sends is kept, parsed; close() is recorded. It is also the hub's subscriber for the
// connection, so live deliveries arrive through it as they would through a session.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "protocol/json.h"
#include "server/api/ws_api.h"

namespace imchat::testing {

class FakeWsPeer final : public server::WsPeer,
                         public server::Subscriber,
                         public std::enable_shared_from_this<FakeWsPeer> {
 public:
  explicit FakeWsPeer(std::string user_id) : user_id_(std::move(user_id)) {}

  void attach(server::WsApi* api) { api_ = api; }

  // WsPeer
  void send(std::shared_ptr<const std::string> frame) override {
    if (!frame) return;
    bytes_ += frame->size();
    auto json = protocol::parse_json(*frame);
    sent.push_back(json ? *json : protocol::Json{{"type", "<unparseable>"}});
  }
  void close(uint16_t code, const char*) override { closed_with = code; }
  void off_thread(std::function<std::function<void()>()> work) override { work()(); }
  std::shared_ptr<server::Subscriber> subscriber() override { return shared_from_this(); }

  // Subscriber
  const std::string& user_id() const override { return user_id_; }
  void deliver(const server::Delivery& delivery) override {
    if (api_) api_->on_delivery(delivery);
  }

  // The frames of one type sent so far.
  std::vector<protocol::Json> of_type(const std::string& type) const {
    std::vector<protocol::Json> out;
    for (const auto& frame : sent)
      if (frame.is_object() && frame.value("type", "") == type) out.push_back(frame);
    return out;
  }

  std::vector<protocol::Json> sent;
  int closed_with = 0;
  size_t bytes() const { return bytes_; }

 private:
  std::string user_id_;
  server::WsApi* api_ = nullptr;
  size_t bytes_ = 0;
};

}  // namespace imchat::testing
