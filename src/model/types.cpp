#include "model/types.h"

namespace imchat {
namespace {

constexpr std::string_view kConversationTypes[] = {"DIRECT", "GROUP", "AI"};
constexpr std::string_view kMessageRoles[] = {"USER", "ASSISTANT", "SYSTEM", "FUNCTION"};
constexpr std::string_view kMessageStatuses[] = {"complete", "streaming", "error", "cancelled"};

template <typename Enum, size_t N>
std::optional<Enum> lookup(const std::string_view (&names)[N], std::string_view text) {
  for (size_t i = 0; i < N; ++i) {
    if (names[i] == text) return static_cast<Enum>(i);
  }
  return std::nullopt;
}

}  // namespace

std::string_view to_string(ConversationType type) {
  return kConversationTypes[static_cast<size_t>(type)];
}

std::string_view to_string(MessageRole role) {
  return kMessageRoles[static_cast<size_t>(role)];
}

std::optional<ConversationType> conversation_type_from_string(std::string_view text) {
  return lookup<ConversationType>(kConversationTypes, text);
}

std::optional<MessageRole> message_role_from_string(std::string_view text) {
  return lookup<MessageRole>(kMessageRoles, text);
}

const User* Conversation::participant(const std::string& user_id) const {
  for (const User& u : participants)
    if (u.id == user_id) return &u;
  return nullptr;
}

std::string_view to_string(MessageStatus status) {
  return kMessageStatuses[static_cast<size_t>(status)];
}

std::optional<MessageStatus> message_status_from_string(std::string_view text) {
  return lookup<MessageStatus>(kMessageStatuses, text);
}

}  // namespace imchat
