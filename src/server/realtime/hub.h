// Hub: who listens to which channel in this process, and delivery to them. Events reach it
// through a Bus (bus.h) only — the store, the replies and the /ws handlers publish there —
// so a bus between nodes can hand every node's hub the same events.
//
// Channels (docs/protocol.md):
//   Message:list:<conversationId>      message created/updated/deleted
//   Conversation:item:<conversationId> the conversation itself updated/deleted
//   Conversation:list                  the caller's conversations created/updated/deleted
// Conversation:list is per user: the hub keys it as "Conversation:list@<userId>".
//
// Access is checked when a session subscribes (it must participate in the conversation),
// and again with every committed change: a subscriber whose user is no longer a
// participant (they left) is dropped from the conversation's channels, so nothing after
// their leaving reaches them. Delivery never blocks: a subscriber queues and returns.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "model/change_event.h"
#include "protocol/frames.h"
#include "protocol/json.h"

namespace imchat::server {

struct Delivery {
  std::string channel;                       // as the client named it
  int64_t seq = 0;                           // 0 for frames outside the sequence (typing)
  std::shared_ptr<const std::string> frame;  // JSON text, shared by every recipient
  std::string from_user;                     // for typing: not echoed to its sender
};

// {"type":"update","channel":…,"data":{"type":kind,"data":entity,"id":…,"timestamp":…,"seq":…}}
// The entity is spliced in as the JSON text storage already holds: nothing is parsed again.
std::string update_frame(const ChangeEvent& event, const std::string& channel);

class Subscriber {
 public:
  virtual ~Subscriber() = default;
  virtual const std::string& user_id() const = 0;
  // Called from any thread; must only queue.
  virtual void deliver(const Delivery& delivery) = 0;
};

class Hub {
 public:
  void subscribe(const std::string& key, const std::shared_ptr<Subscriber>& subscriber);
  void unsubscribe(const std::string& key, const Subscriber* subscriber);
  void unsubscribe_all(const Subscriber* subscriber);

  // A committed change (from the Bus).
  void deliver_change(const ChangeEvent& event, const Audience& audience);

  // Typing indicators: to subscribers of the conversation's message list but the sender.
  void deliver_typing(const std::string& conversation_id, const std::string& user_id,
                      bool is_typing);

  // A piece of an assistant reply being generated (not stored; the final update is).
  void deliver_stream(const std::string& conversation_id, const std::string& message_id,
                      std::string_view delta, size_t offset, int64_t seq);

  // Read receipts: to subscribers of the conversation's message list but the reader.
  void deliver_read(const std::string& conversation_id, const std::string& user_id,
                    const std::string& message_id);

  size_t subscriber_count(const std::string& key) const;

  static std::string list_key(const std::string& user_id) {
    return std::string(protocol::frames::kConversationList) + "@" + user_id;
  }

 private:
  // members (sorted), when given: only their subscribers get it; the others lose the key.
  void deliver(const std::string& key, const Delivery& delivery,
               const std::vector<std::string>* members = nullptr);
  void drop_non_members(const std::string& key, const std::vector<std::string>& members);
  // Ephemeral frames (typing, read) for the conversation's subscribers but the sender.
  void deliver_to_others(const std::string& conversation_id, const std::string& user_id,
                         const protocol::Json& frame);

  mutable std::mutex mutex_;
  std::map<std::string, std::map<const Subscriber*, std::weak_ptr<Subscriber>>> channels_;
};

}  // namespace imchat::server
