// LocalBus (local_bus.h): one process, so publishing is delivering.
#include "server/realtime/local_bus.h"

namespace imchat::server {

void LocalBus::publish_change(const ChangeEvent& event, const Audience& audience) {
  hub_.deliver_change(event, audience);
}

void LocalBus::publish_stream(const std::string& conversation_id, const std::string& message_id,
                              std::string_view delta, size_t offset, int64_t seq) {
  hub_.deliver_stream(conversation_id, message_id, delta, offset, seq);
}

void LocalBus::publish_typing(const std::string& conversation_id, const std::string& user_id,
                              bool is_typing) {
  hub_.deliver_typing(conversation_id, user_id, is_typing);
}

void LocalBus::publish_read(const std::string& conversation_id, const std::string& user_id,
                            const std::string& message_id) {
  hub_.deliver_read(conversation_id, user_id, message_id);
}

}  // namespace imchat::server
