// Presence (presence.h): typing and read receipts, others' and this user's.
#include "sdk/presence.h"

#include "protocol/frames.h"

namespace imchat::sdk {

using protocol::Json;

void Presence::set_typing(const std::string& conversation_id, bool typing, int64_t now_ms,
                          const Send& send) {
  Conversation& c = conversations_[conversation_id];
  if (typing) {
    if (c.my_typing_sent_ms >= 0 && now_ms - c.my_typing_sent_ms < kTypingRepeatMs) return;
    if (send(protocol::frames::typing(conversation_id, true))) c.my_typing_sent_ms = now_ms;
  } else if (c.my_typing_sent_ms >= 0) {
    send(protocol::frames::typing(conversation_id, false));
    c.my_typing_sent_ms = -1;
  }
}

bool Presence::mark_read(const std::string& conversation_id, const Message& message,
                         const Send& send) {
  Conversation& c = conversations_[conversation_id];
  if (message.seq <= c.my_read_seq) return false;
  if (!send(protocol::frames::read(conversation_id, message.id))) return false;
  c.my_read_seq = message.seq;
  return true;
}

void Presence::on_frame(const Json& frame, int64_t now_ms) {
  const auto type = frame.find("type");
  const auto conversation = frame.find("conversationId");
  const auto user = frame.find("userId");
  if (type == frame.end() || !type->is_string() || conversation == frame.end() ||
      !conversation->is_string() || user == frame.end() || !user->is_string())
    return;
  Conversation& c = conversations_[conversation->get<std::string>()];
  const std::string& user_id = user->get_ref<const std::string&>();
  ++version_;
  if (*type == protocol::frames::kTyping) {
    const auto on = frame.find("isTyping");
    if (on == frame.end() || !on->is_boolean()) return;
    if (on->get<bool>()) {
      c.typing_until[user_id] = now_ms + kTypingExpiryMs;
    } else {
      c.typing_until.erase(user_id);
    }
  } else if (*type == protocol::frames::kRead) {
    const auto message = frame.find("messageId");
    if (message == frame.end() || !message->is_string()) return;
    c.read[user_id] = message->get<std::string>();
    c.typing_until.erase(user_id);
  }
}

std::vector<std::string> Presence::typing(const std::string& conversation_id,
                                          int64_t now_ms) const {
  std::vector<std::string> users;
  const auto it = conversations_.find(conversation_id);
  if (it == conversations_.end()) return users;
  for (const auto& [user, until] : it->second.typing_until)
    if (until > now_ms) users.push_back(user);
  return users;
}

int64_t Presence::read_up_to(const std::string& conversation_id) const {
  const auto it = conversations_.find(conversation_id);
  return it == conversations_.end() ? 0 : it->second.my_read_seq;
}

const std::map<std::string, std::string>* Presence::read_positions(
    const std::string& conversation_id) const {
  const auto it = conversations_.find(conversation_id);
  return it == conversations_.end() || it->second.read.empty() ? nullptr : &it->second.read;
}

}  // namespace imchat::sdk
