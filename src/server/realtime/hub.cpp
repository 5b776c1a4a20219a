// Hub (hub.h): channels, subscribers, and change events turned into update frames.
#include "server/realtime/hub.h"

#include <algorithm>
#include <vector>

#include "protocol/frames.h"
#include "protocol/json.h"

namespace imchat::server {

using protocol::Json;
namespace frames = protocol::frames;

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

void Hub::deliver(const std::string& key, const Delivery& delivery,
                  const std::vector<std::string>* members) {
  std::vector<std::shared_ptr<Subscriber>> targets;
  {
    std::lock_guard lock(mutex_);
    auto it = channels_.find(key);
    if (it == channels_.end()) return;
    for (auto sub = it->second.begin(); sub != it->second.end();) {
      auto strong = sub->second.lock();
      if (!strong) {
        sub = it->second.erase(sub);  // a subscriber that is gone
        continue;
      }
      if (members && !std::binary_search(members->begin(), members->end(), strong->user_id())) {
        sub = it->second.erase(sub);  // no longer a participant: no longer a listener
        continue;
      }
      targets.push_back(std::move(strong));
      ++sub;
    }
    if (it->second.empty()) channels_.erase(it);
  }
  for (auto& target : targets) {
    if (!delivery.from_user.empty() && target->user_id() == delivery.from_user) continue;
    target->deliver(delivery);
  }
}

void Hub::drop_non_members(const std::string& key, const std::vector<std::string>& members) {
  std::lock_guard lock(mutex_);
  auto it = channels_.find(key);
  if (it == channels_.end()) return;
  for (auto sub = it->second.begin(); sub != it->second.end();) {
    auto strong = sub->second.lock();
    const bool member =
        strong && std::binary_search(members.begin(), members.end(), strong->user_id());
    sub = member ? std::next(sub) : it->second.erase(sub);
  }
  if (it->second.empty()) channels_.erase(it);
}

std::string update_frame(const ChangeEvent& event, const std::string& channel) {
  const std::string totals = event.totals
                                 ? protocol::dump_json(Json{{"messages", event.totals->messages},
                                                            {"tokens", event.totals->tokens},
                                                            {"cost", event.totals->cost}})
                                 : std::string();
  return frames::update_text(channel, event.kind, event.data, event.entity_id,
                             format_iso8601(event.timestamp), event.seq, totals);
}

void Hub::deliver_change(const ChangeEvent& event, const Audience& audience) {
  auto frame_for = [&](const std::string& channel) {
    return std::make_shared<const std::string>(update_frame(event, channel));
  };
  const std::vector<std::string>& participants = audience.participants;
  const std::string messages = frames::message_list(event.conversation_id);
  const std::string item = frames::conversation_item(event.conversation_id);
  // A conversation's deletion goes to everyone who was in it (they are its audience);
  // any other change only to those still in it.
  const std::vector<std::string>* members = &participants;
  if (event.entity == "Message") {
    deliver(messages, {messages, event.seq, frame_for(messages), {}}, members);
  } else {
    deliver(item, {item, event.seq, frame_for(item), {}}, members);
    if (!audience.removed.empty()) drop_non_members(messages, *members);
  }
  // Every participant's conversation list changes too (order, last message, unread), also
  // for the chats they are not looking at: clients patch the row, or refetch when they cannot.
  const std::string list(frames::kConversationList);
  auto list_frame = frame_for(list);
  for (const auto& user : participants) {
    // The list channel spans conversations, so its frames carry no replayable sequence.
    deliver(list_key(user), {list, 0, list_frame, {}});
  }
  if (audience.removed.empty()) return;
  // Those who left see the conversation go from their list, as a deletion would.
  ChangeEvent gone = event;
  gone.kind = "deleted";
  gone.data = protocol::dump_json(Json{{"id", event.conversation_id}});
  auto gone_frame = std::make_shared<const std::string>(update_frame(gone, list));
  for (const auto& user : audience.removed)
    deliver(list_key(user), {list, 0, gone_frame, {}});
}

void Hub::deliver_stream(const std::string& conversation_id, const std::string& message_id,
                         std::string_view delta, size_t offset, int64_t seq) {
  const std::string channel = frames::message_list(conversation_id);
  const Json frame = frames::stream(channel, message_id, delta, offset, seq);
  deliver(channel,
          {channel, 0, std::make_shared<const std::string>(protocol::dump_json(frame)), {}});
}

void Hub::deliver_read(const std::string& conversation_id, const std::string& user_id,
                       const std::string& message_id) {
  deliver_to_others(conversation_id, user_id,
                    frames::read_by(conversation_id, user_id, message_id));
}

void Hub::deliver_typing(const std::string& conversation_id, const std::string& user_id,
                         bool is_typing) {
  deliver_to_others(conversation_id, user_id,
                    frames::typing_of(conversation_id, user_id, is_typing));
}

void Hub::deliver_to_others(const std::string& conversation_id, const std::string& user_id,
                            const protocol::Json& frame) {
  const std::string channel = frames::message_list(conversation_id);
  deliver(channel,
          {channel, 0, std::make_shared<const std::string>(protocol::dump_json(frame)), user_id});
}

}  // namespace imchat::server
