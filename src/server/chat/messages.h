// Messages: the rules of a person's message, whichever door it comes in by — REST
// POST /api/messages and PATCH /api/messages/:id, POST /api/chat/:id/message, and the /ws
// send-message frame. A door decodes, calls one of these and encodes the answer; it decides
// nothing itself.
//
//   content   1 byte to max_content_bytes (kValidation when empty, kTooLarge beyond), field
//             "content"; the same for an edit
//   clientId  1 to 64 characters (field "clientId"); a repeat answers the stored message
//             and starts nothing
//   reply     a new message in an AI conversation starts the assistant's reply (at most one
//             at a time per conversation; a second message does not queue another)
// The write budget every door spends is admit_write() (rate_limiter.h).
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "model/result.h"
#include "protocol/limits.h"
#include "server/store/storage.h"

namespace imchat::server {

class Replies;

// What a person sends, as a door decoded it.
struct UserMessage {
  std::string conversation_id;
  std::string content;
  std::optional<std::string> client_id;
};

struct MessagesOptions {
  size_t max_content_bytes = protocol::kMaxContentBytes;
  Replies* replies = nullptr;  // none: messages are stored, never answered
};

class Messages {
 public:
  Messages(Storage& storage, MessagesOptions options) : storage_(storage), options_(options) {}

  // The content rule, for a new message and an edit. Cheap: any thread.
  Status check_content(const std::string& content) const;
  // Everything about a new message that needs no store: content and clientId. store()
  // checks again; a door may call this first to refuse before it spends anything.
  Status check(const UserMessage& message) const;

  // Checks, then stores once per clientId (kNotFound: the conversation is not the user's).
  // Starts no reply: a door that answers "stored" first calls reply_to() after. Blocks on
  // the store: a worker thread.
  Result<CreatedMessage> store(const std::string& user_id, const UserMessage& message) const;
  // Starts the assistant's reply to a message store() just made, when it is new and in an AI
  // conversation with no reply running; otherwise nothing. A worker thread.
  void reply_to(const std::string& user_id, const CreatedMessage& created) const;
  // store() then reply_to(): for a door with nothing to say in between.
  Result<CreatedMessage> send(const std::string& user_id, const UserMessage& message) const;

  // The whole exchange, for clients without a WebSocket: the conversation must be an AI one
  // with no reply running (kValidation / kConflict), the message new (a repeated clientId
  // is kConflict: its reply was asked for already). `done` runs once the reply is stored,
  // with the user's message and the reply (or why there is none).
  using ExchangeDone = std::function<void(const Message& sent, Result<Message> reply)>;
  Status exchange(const std::string& user_id, const UserMessage& message, ExchangeDone done) const;

  // The author's edit of a message's content.
  Result<Message> edit(const std::string& user_id, const std::string& message_id,
                       const std::string& content) const;

 private:
  Storage& storage_;
  MessagesOptions options_;
};

}  // namespace imchat::server
