// The data model shared by client and server: User, Conversation, Message.
// Plain values; the wire mapping lives in protocol/model_json.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/time.h"

namespace imchat {

enum class ConversationType { kDirect, kGroup, kAi };
enum class MessageRole { kUser, kAssistant, kSystem, kFunction };

// Wire names are the upper-case ones of the product spec ("AI", "ASSISTANT").
std::string_view to_string(ConversationType type);
std::string_view to_string(MessageRole role);
std::optional<ConversationType> conversation_type_from_string(std::string_view text);
std::optional<MessageRole> message_role_from_string(std::string_view text);

struct User {
  std::string id;
  std::string email;  // only ever sent to its owner: empty for other people
  std::string name;
  std::optional<std::string> avatar;
  Timestamp created_at;
  Timestamp updated_at;

  bool operator==(const User&) const = default;
};

struct Usage {
  int64_t prompt_tokens = 0;
  int64_t completion_tokens = 0;
  int64_t total_tokens = 0;
  double estimated_cost = 0;  // USD

  bool operator==(const Usage&) const = default;
};

// What the server records about an AI reply.
struct MessageMetadata {
  std::optional<Usage> usage;
  std::optional<std::string> model;
  std::optional<std::string> provider;
  std::optional<int64_t> latency_ms;
  std::optional<std::string> finish_reason;

  bool operator==(const MessageMetadata&) const = default;
};

// What a whole conversation holds and has cost, kept by the server: a client has loaded
// a page or two of a long chat, so it cannot sum these itself.
struct ConversationTotals {
  int64_t messages = 0;  // not deleted
  int64_t tokens = 0;    // usage.totalTokens over its replies
  double cost = 0;       // USD, usage.estimatedCost over its replies

  bool operator==(const ConversationTotals&) const = default;
};

struct Conversation {
  std::string id;
  std::string title;
  ConversationType type = ConversationType::kAi;
  std::vector<User> participants;
  std::optional<std::string> created_by_id;  // who may delete it for everyone (gone: nobody)
  std::optional<std::string> system_prompt;
  std::optional<std::string> model;
  std::optional<double> temperature;
  std::optional<ConversationTotals> totals;  // absent from servers before they kept them
  Timestamp created_at;
  Timestamp updated_at;

  bool operator==(const Conversation&) const = default;
  // The participant with this id, or null.
  const User* participant(const std::string& user_id) const;
};

enum class MessageStatus { kComplete, kStreaming, kError, kCancelled };
std::string_view to_string(MessageStatus status);
std::optional<MessageStatus> message_status_from_string(std::string_view text);

struct Message {
  std::string id;
  std::string content;
  MessageRole role = MessageRole::kUser;
  std::string conversation_id;
  std::optional<std::string> author_id;
  std::optional<MessageMetadata> metadata;
  Timestamp created_at;
  // Realtime bookkeeping: position in the conversation's event order, the sender's
  // idempotency key, and whether an assistant reply is still being written.
  int64_t seq = 0;
  std::optional<std::string> client_id;
  MessageStatus status = MessageStatus::kComplete;

  bool operator==(const Message&) const = default;
};

// A model the server knows (GET /api/models): who serves it, what it costs, and whether
// this server can use it now (its vendor's key is set).
struct ModelInfo {
  std::string id;  // also the prefix the catalogue matches longer ids by
  std::string provider;
  bool available = false;
  int64_t context_window = 0;
  double input_price = 0;   // USD per 1M prompt tokens
  double output_price = 0;  // USD per 1M completion tokens
  bool operator==(const ModelInfo&) const = default;
};

// One page of a list, as GET /api/conversations and /api/messages answer it.
template <typename T>
struct Page {
  std::vector<T> data;
  int64_t total = 0;
  int64_t skip = 0;
  int64_t take = 0;
  bool has_more = false;
};

// A row of the conversation list: the conversation, a preview and the unread count.
struct ConversationSummary {
  Conversation conversation;
  std::optional<Message> last_message;
  int64_t unread_count = 0;
};

// What POST /api/conversations asks for.
struct NewConversation {
  std::string title;
  ConversationType type = ConversationType::kAi;
  std::optional<std::string> system_prompt;
  std::optional<std::string> model;
  std::optional<double> temperature;
  std::vector<std::string> participant_ids;  // besides the creator
};

}  // namespace imchat
