// ChangeEvent: one committed change to a conversation or its messages, as the store records
// it and the realtime layer fans it out (and, across nodes, a bus carries it). Server-side
// vocabulary, kept here so the store and the realtime layer share it without either
// including the other.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/time.h"
#include "model/types.h"

namespace imchat {

// One change to a conversation or its messages, in the conversation's sequence order.
// Stored (except for a conversation's own deletion) so a client that was away can replay
// everything after the last sequence it saw.
struct ChangeEvent {
  std::string conversation_id;
  int64_t seq = 0;
  std::string kind;    // "created" | "updated" | "deleted"
  std::string entity;  // "Message" | "Conversation"
  std::string entity_id;
  std::string data;  // the entity as JSON ({"id":…} for a deletion)
  Timestamp timestamp;
  // A message's change, as it happens: the conversation's totals after it (not in replay).
  std::optional<ConversationTotals> totals;
};

// Who hears of a change: the conversation's participants after it, sorted, and those it
// removed (a member who left), who get a "deleted" on their list and lose its channels.
struct Audience {
  std::vector<std::string> participants;
  std::vector<std::string> removed;
};

}  // namespace imchat
