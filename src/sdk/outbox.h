// Outbox: messages written and not yet confirmed by the server, in the order they were
// written — in memory and in the LocalStore (a reload sends them again), each with its
// clientId (the server stores a clientId once, so a resend after a lost ack cannot
// duplicate), its attempts and, once it failed, why. A message is never dropped: it is
// confirmed, or failed and kept until the person retries or discards it. Bounded: past
// `limit` entries, add() refuses with an error the composer can show.
//
// The entries and their rules live here: what may be added, what an answer does to an
// entry, what is due. ChatSync sends them over the socket and shows them in the list.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/result.h"
#include "model/types.h"
#include "platform/local_store.h"
#include "protocol/limits.h"

namespace imchat::sdk {

enum class Delivery { kSent, kSending, kFailed };
const char* to_string(Delivery delivery);

struct OutboxEntry {
  std::string client_id;
  std::string conversation_id;
  std::string content;
  Delivery delivery = Delivery::kSending;
  int attempts = 0;
  std::string error;  // why it failed, for the UI
  // Not persisted:
  bool in_flight = false;
  int64_t not_before_ms = 0;  // after a rate limit
};

struct OutboxLimits {
  size_t entries = 200;  // unsent messages kept at most
  size_t content_bytes = protocol::kMaxContentBytes;
  int attempts = 5;  // sends without an answer before a message is failed
};

class Outbox {
 public:
  // store: where the entries survive a reload (nullptr: memory only). Loads what is there.
  Outbox(platform::LocalStore* store, OutboxLimits limits);

  // A message just written (saved at once): the new entry, or why not (empty, too long,
  // too many waiting).
  Result<OutboxEntry> add(std::string client_id, std::string conversation_id, std::string content);
  // The server has it (an ack, its own update, a page that holds it): the entry goes.
  // False when there was none.
  bool confirm(const std::string& client_id);
  // A failed entry goes back to sending, attempts from zero; nullptr when there is none.
  const OutboxEntry* retry(const std::string& client_id);
  // A failed entry is forgotten: its conversation, or nullopt when there was none.
  std::optional<std::string> discard(const std::string& client_id);

  // A send that got no good answer: a network loss waits for the next connection (until
  // the attempts run out), a rate limit waits its time, anything else fails the entry.
  void refused(OutboxEntry& entry, const Error& error, int64_t now_ms);
  // The answer was not a message: the entry fails with why.
  void failed(OutboxEntry& entry, std::string why);

  OutboxEntry* find(const std::string& client_id);
  const std::vector<OutboxEntry>& entries() const { return entries_; }
  std::vector<OutboxEntry>& entries() { return entries_; }
  // How a shown message is doing: stored ones (seq > 0) are sent.
  Delivery delivery(const Message& message) const;
  // An entry waiting out a rate limit may go now.
  bool due(int64_t now_ms) const;
  std::optional<int64_t> next_deadline_ms() const;
  // Writes the entries to the store (after any change of what is persisted).
  void save() const;

 private:
  void load();

  platform::LocalStore* store_;
  OutboxLimits limits_;
  std::vector<OutboxEntry> entries_;
};

}  // namespace imchat::sdk
