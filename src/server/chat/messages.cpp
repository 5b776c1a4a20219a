// Messages (messages.h): one place for what sending and editing a message means.
#include "server/chat/messages.h"

#include "server/chat/replies.h"

namespace imchat::server {

namespace {

Error field_error(ErrorCode code, std::string message, std::string field) {
  Error e = make_error(code, std::move(message));
  e.field = std::move(field);
  return e;
}

}  // namespace

Status Messages::check_content(const std::string& content) const {
  if (content.empty())
    return field_error(ErrorCode::kValidation, "content must not be empty", "content");
  if (content.size() > options_.max_content_bytes) {
    return field_error(ErrorCode::kTooLarge,
                       "content is over " + std::to_string(options_.max_content_bytes) + " bytes",
                       "content");
  }
  return Ok{};
}

Status Messages::check(const UserMessage& message) const {
  if (auto s = check_content(message.content); !s) return s;
  if (message.client_id &&
      (message.client_id->empty() || message.client_id->size() > protocol::kMaxClientIdBytes)) {
    return field_error(
        ErrorCode::kValidation,
        "clientId must be 1 to " + std::to_string(protocol::kMaxClientIdBytes) + " characters",
        "clientId");
  }
  return Ok{};
}

Result<CreatedMessage> Messages::store(const std::string& user_id,
                                       const UserMessage& message) const {
  if (auto s = check(message); !s) return s.error();
  NewMessage input;
  input.conversation_id = message.conversation_id;
  input.content = message.content;
  input.client_id = message.client_id;
  input.author_id = user_id;
  input.role = MessageRole::kUser;
  return storage_.create_message(user_id, input);
}

void Messages::reply_to(const std::string& user_id, const CreatedMessage& created) const {
  if (!created.created || !options_.replies) return;
  // Not an AI conversation, or a reply already running: nothing to start.
  (void)options_.replies->start_reply(user_id, created.message);
}

Result<CreatedMessage> Messages::send(const std::string& user_id,
                                      const UserMessage& message) const {
  auto created = store(user_id, message);
  if (created) reply_to(user_id, *created);
  return created;
}

Status Messages::exchange(const std::string& user_id, const UserMessage& message,
                          ExchangeDone done) const {
  if (!options_.replies) return make_error(ErrorCode::kNotFound, "no replies on this server");
  if (auto s = check(message); !s) return s;
  auto conversation = storage_.get_conversation(user_id, message.conversation_id);
  if (!conversation) return conversation.error();
  if (conversation->type != ConversationType::kAi) {
    return field_error(ErrorCode::kValidation, "the conversation is not an AI conversation",
                       "conversationId");
  }
  if (options_.replies->is_replying(message.conversation_id))
    return make_error(ErrorCode::kConflict, "a reply is already being generated");
  auto created = store(user_id, message);
  if (!created) return created.error();
  if (!created->created) return make_error(ErrorCode::kConflict, "this clientId was already sent");
  return options_.replies->start_reply(
      user_id, created->message,
      [done = std::move(done), sent = created->message](Result<Message> reply) {
        done(sent, std::move(reply));
      });
}

Result<Message> Messages::edit(const std::string& user_id, const std::string& message_id,
                               const std::string& content) const {
  if (auto s = check_content(content); !s) return s.error();
  return storage_.update_message_content(user_id, message_id, content);
}

}  // namespace imchat::server
