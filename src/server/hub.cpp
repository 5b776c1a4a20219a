#include "server/hub.h"

#include <vector>

#include "protocol/json.h"

namespace imchat::server {

using protocol::Json;

void Hub::subscribe(const std::string& key, const std::shared_ptr<Subscriber>& subscriber) {
  std::lock_guard lock(mutex_);
  channels_[key][subscriber.get()] = subscriber;
}

void Hub::unsubscribe(const std::string& key, const Subscriber* subscriber) {
  std::lock_guard lock(mutex_);
  auto it = channels_.find(key);
  if (it == channels_.end()) return;
  it->second.erase(subscriber);
  if (it->second.empty()) channels_.erase(it);
}

void Hub::unsubscribe_all(const Subscriber* subscriber) {
  std::lock_guard lock(mutex_);
  for (auto it = channels_.begin(); it != channels_.end();) {
    it->second.erase(subscriber);
    it = it->second.empty() ? channels_.erase(it) : std::next(it);
  }
}

size_t Hub::subscriber_count(const std::string& key) const {
  std::lock_guard lock(mutex_);
  auto it = channels_.find(key);
  return it == channels_.end() ? 0 : it->second.size();
}

void Hub::deliver(const std::string& key, const Delivery& delivery) {
  std::vector<std::shared_ptr<Subscriber>> targets;
  {
    std::lock_guard lock(mutex_);
    auto it = channels_.find(key);
    if (it == channels_.end()) return;
    for (auto& [raw, weak] : it->second) {
      if (auto strong = weak.lock()) targets.push_back(std::move(strong));
    }
  }
  for (auto& target : targets) {
    if (!delivery.from_user.empty() && target->user_id() == delivery.from_user) continue;
    target->deliver(delivery);
  }
}

std::string update_frame(const ChangeEvent& event, const std::string& channel) {
  std::string frame = "{\"type\":\"update\",\"channel\":";
  frame += protocol::dump_json(Json(channel));
  frame += ",\"data\":{\"type\":";
  frame += protocol::dump_json(Json(event.kind));
  frame += ",\"data\":";
  frame += event.data.empty() ? "null" : event.data;
  frame += ",\"id\":";
  frame += protocol::dump_json(Json(event.entity_id));
  frame += ",\"timestamp\":\"" + format_iso8601(event.timestamp) + "\",\"seq\":";
  frame += std::to_string(event.seq);
  frame += "}}";
  return frame;
}

void Hub::on_change(const ChangeEvent& event, const std::vector<std::string>& participants) {
  auto frame_for = [&](const std::string& channel) {
    return std::make_shared<const std::string>(update_frame(event, channel));
  };
  if (event.entity == "Message") {
    const std::string channel = "Message:list:" + event.conversation_id;
    deliver(channel, {channel, event.seq, frame_for(channel), {}});
  } else {
    const std::string item = "Conversation:item:" + event.conversation_id;
    deliver(item, {item, event.seq, frame_for(item), {}});
  }
  // Every participant's conversation list changes too (order, last message, unread), also
  // for the chats they are not looking at: clients refetch their list on this nudge.
  auto list_frame = frame_for("Conversation:list");
  for (const auto& user : participants) {
    // The list channel spans conversations, so its frames carry no replayable sequence.
    deliver(list_key(user), {"Conversation:list", 0, list_frame, {}});
  }
}

void Hub::publish_stream(const std::string& conversation_id, const std::string& message_id,
                         std::string_view delta, size_t offset, int64_t seq) {
  const std::string channel = "Message:list:" + conversation_id;
  Json frame = {{"type", "stream"},
                {"channel", channel},
                {"data",
                 {{"messageId", message_id},
                  {"delta", std::string(delta)},
                  {"offset", offset},
                  {"seq", seq}}}};
  deliver(channel,
          {channel, 0, std::make_shared<const std::string>(protocol::dump_json(frame)), {}});
}

void Hub::publish_read(const std::string& conversation_id, const std::string& user_id,
                       const std::string& message_id) {
  publish_to_others(conversation_id, user_id,
                    {{"type", "read"},
                     {"conversationId", conversation_id},
                     {"userId", user_id},
                     {"messageId", message_id}});
}

void Hub::publish_typing(const std::string& conversation_id, const std::string& user_id,
                         bool is_typing) {
  publish_to_others(conversation_id, user_id,
                    {{"type", "typing"},
                     {"conversationId", conversation_id},
                     {"userId", user_id},
                     {"isTyping", is_typing}});
}

void Hub::publish_to_others(const std::string& conversation_id, const std::string& user_id,
                            const protocol::Json& frame) {
  const std::string channel = "Message:list:" + conversation_id;
  deliver(channel,
          {channel, 0, std::make_shared<const std::string>(protocol::dump_json(frame)), user_id});
}

}  // namespace imchat::server
