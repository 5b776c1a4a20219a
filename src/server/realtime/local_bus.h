// LocalBus: the Bus of a server that runs alone — every event goes straight to this
// process's hub, on the publisher's thread (the hub only queues).
#pragma once

#include "server/realtime/bus.h"
#include "server/realtime/hub.h"

namespace imchat::server {

class LocalBus final : public Bus {
 public:
  explicit LocalBus(Hub& hub) : hub_(hub) {}

  void publish_change(const ChangeEvent& event, const Audience& audience) override;
  void publish_stream(const std::string& conversation_id, const std::string& message_id,
                      std::string_view delta, size_t offset, int64_t seq) override;
  void publish_typing(const std::string& conversation_id, const std::string& user_id,
                      bool is_typing) override;
  void publish_read(const std::string& conversation_id, const std::string& user_id,
                    const std::string& message_id) override;

 private:
  Hub& hub_;
};

}  // namespace imchat::server
