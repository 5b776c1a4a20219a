// Outbox (outbox.h): the unsent messages, their rules and their copy in the LocalStore.
#include "sdk/outbox.h"

#include <algorithm>

#include "protocol/json.h"

namespace imchat::sdk {

using protocol::Json;

namespace {

constexpr const char* kOutboxKey = "imchat.outbox";

}  // namespace

const char* to_string(Delivery delivery) {
  switch (delivery) {
    case Delivery::kSent:
      return "sent";
    case Delivery::kSending:
      return "sending";
    case Delivery::kFailed:
      return "failed";
  }
  return "?";
}

Outbox::Outbox(platform::LocalStore* store, OutboxLimits limits) : store_(store), limits_(limits) {
  load();
}

Result<OutboxEntry> Outbox::add(std::string client_id, std::string conversation_id,
                                std::string content) {
  if (content.find_first_not_of(" \t\r\n") == std::string::npos)
    return Error{ErrorCode::kValidation, "the message is empty", 0, "content"};
  if (content.size() > limits_.content_bytes) {
    return Error{ErrorCode::kTooLarge,
                 "the message is over " + std::to_string(limits_.content_bytes / 1024) + " KiB", 0,
                 "content"};
  }
  if (entries_.size() >= limits_.entries) {
    return Error{ErrorCode::kTooLarge, std::to_string(entries_.size()) +
                                           " messages are waiting to be sent; try again when "
                                           "the connection is back"};
  }
  OutboxEntry entry;
  entry.client_id = std::move(client_id);
  entry.conversation_id = std::move(conversation_id);
  entry.content = std::move(content);
  entries_.push_back(entry);
  save();
  return entry;
}

bool Outbox::confirm(const std::string& client_id) {
  auto it = std::find_if(entries_.begin(), entries_.end(),
                         [&](const OutboxEntry& e) { return e.client_id == client_id; });
  if (it == entries_.end()) return false;
  entries_.erase(it);
  save();
  return true;
}

const OutboxEntry* Outbox::retry(const std::string& client_id) {
  OutboxEntry* entry = find(client_id);
  if (!entry || entry->delivery != Delivery::kFailed) return nullptr;
  entry->delivery = Delivery::kSending;
  entry->attempts = 0;
  entry->error.clear();
  save();
  return entry;
}

std::optional<std::string> Outbox::discard(const std::string& client_id) {
  auto it = std::find_if(entries_.begin(), entries_.end(),
                         [&](const OutboxEntry& e) { return e.client_id == client_id; });
  if (it == entries_.end() || it->delivery != Delivery::kFailed) return std::nullopt;
  std::string conversation_id = it->conversation_id;
  entries_.erase(it);
  save();
  return conversation_id;
}

void Outbox::refused(OutboxEntry& entry, const Error& error, int64_t now_ms) {
  if (error.code == ErrorCode::kNetwork) {
    if (entry.attempts >= limits_.attempts) {
      entry.delivery = Delivery::kFailed;
      entry.error = "not delivered after " + std::to_string(entry.attempts) + " attempts";
    }
    // Otherwise it goes again, in order, when the connection is back.
  } else if (error.code == ErrorCode::kRateLimited) {
    entry.attempts--;
    entry.not_before_ms = now_ms + 1000 * std::max(1, error.retry_after_s);
  } else {
    entry.delivery = Delivery::kFailed;
    entry.error = error.message;
  }
  save();
}

void Outbox::failed(OutboxEntry& entry, std::string why) {
  entry.delivery = Delivery::kFailed;
  entry.error = std::move(why);
  save();
}

OutboxEntry* Outbox::find(const std::string& client_id) {
  for (OutboxEntry& entry : entries_)
    if (entry.client_id == client_id) return &entry;
  return nullptr;
}

Delivery Outbox::delivery(const Message& message) const {
  if (message.seq > 0 || !message.client_id) return Delivery::kSent;
  for (const OutboxEntry& entry : entries_)
    if (entry.client_id == *message.client_id) return entry.delivery;
  return Delivery::kSending;
}

bool Outbox::due(int64_t now_ms) const {
  return std::any_of(entries_.begin(), entries_.end(), [&](const OutboxEntry& entry) {
    return entry.delivery == Delivery::kSending && !entry.in_flight && entry.not_before_ms > 0 &&
           entry.not_before_ms <= now_ms;
  });
}

std::optional<int64_t> Outbox::next_deadline_ms() const {
  std::optional<int64_t> next;
  for (const OutboxEntry& entry : entries_) {
    if (entry.delivery == Delivery::kSending && !entry.in_flight && entry.not_before_ms > 0)
      next = next ? std::min(*next, entry.not_before_ms) : entry.not_before_ms;
  }
  return next;
}

void Outbox::save() const {
  if (!store_) return;
  Json entries = Json::array();
  for (const OutboxEntry& entry : entries_) {
    entries.push_back({{"clientId", entry.client_id},
                       {"conversationId", entry.conversation_id},
                       {"content", entry.content},
                       {"failed", entry.delivery == Delivery::kFailed},
                       {"attempts", entry.attempts},
                       {"error", entry.error}});
  }
  if (entries_.empty()) {
    store_->remove(kOutboxKey);
  } else {
    store_->set(kOutboxKey, protocol::dump_json(entries));
  }
}

void Outbox::load() {
  if (!store_) return;
  const auto text = store_->get(kOutboxKey);
  if (!text) return;
  auto entries = protocol::parse_json(*text);
  if (!entries || !entries->is_array()) return;  // unreadable: nothing we can resend
  for (const Json& item : *entries) {
    protocol::ObjectReader r(item, "outbox");
    OutboxEntry entry;
    entry.client_id = r.required_string("clientId");
    entry.conversation_id = r.required_string("conversationId");
    entry.content = r.required_string("content");
    entry.attempts = static_cast<int>(r.optional_int("attempts").value_or(0));
    entry.error = r.optional_string("error").value_or("");
    const auto failed = item.find("failed");
    if (failed != item.end() && failed->is_boolean() && failed->get<bool>())
      entry.delivery = Delivery::kFailed;
    if (r.ok() && entries_.size() < limits_.entries) entries_.push_back(std::move(entry));
  }
}

}  // namespace imchat::sdk
