#include "protocol/model_json.h"

namespace imchat::protocol {
namespace {

template <typename T>
void put_optional(Json& out, const char* key, const std::optional<T>& value) {
  if (value) out[key] = *value;
}

// Decodes a nested value with its own reader, folding its error into the parent's.
template <typename T, typename Decode>
std::optional<T> read_nested(ObjectReader& parent, const char* key, const Json* value,
                             Decode decode) {
  if (!value || !parent.ok()) return std::nullopt;
  auto result = decode(*value);
  if (!result) {
    parent.fail(key, result.error().message);
    return std::nullopt;
  }
  return std::move(result).value();
}

template <typename Enum, typename FromString>
Enum read_enum(ObjectReader& reader, const char* key, FromString from_string, Enum fallback) {
  const std::string text = reader.required_string(key);
  if (!reader.ok()) return fallback;
  auto parsed = from_string(text);
  if (!parsed) {
    reader.fail(key, "unknown value \"" + text.substr(0, 40) + "\"");
    return fallback;
  }
  return *parsed;
}

}  // namespace

Json to_json(const User& user) {
  Json out = {{"id", user.id},
              {"name", user.name},
              {"createdAt", format_iso8601(user.created_at)},
              {"updatedAt", format_iso8601(user.updated_at)}};
  if (!user.email.empty()) out["email"] = user.email;
  put_optional(out, "avatar", user.avatar);
  return out;
}

Json to_json(const Usage& usage) {
  return {{"promptTokens", usage.prompt_tokens},
          {"completionTokens", usage.completion_tokens},
          {"totalTokens", usage.total_tokens},
          {"estimatedCost", usage.estimated_cost}};
}

Json to_json(const MessageMetadata& metadata) {
  Json out = Json::object();
  if (metadata.usage) out["usage"] = to_json(*metadata.usage);
  put_optional(out, "model", metadata.model);
  put_optional(out, "provider", metadata.provider);
  put_optional(out, "latency", metadata.latency_ms);
  put_optional(out, "finishReason", metadata.finish_reason);
  return out;
}

Json to_json(const Conversation& conversation) {
  Json participants = Json::array();
  for (const User& user : conversation.participants)
    participants.push_back(to_json(user));
  Json out = {{"id", conversation.id},
              {"title", conversation.title},
              {"type", to_string(conversation.type)},
              {"participants", std::move(participants)},
              {"createdAt", format_iso8601(conversation.created_at)},
              {"updatedAt", format_iso8601(conversation.updated_at)}};
  put_optional(out, "createdById", conversation.created_by_id);
  put_optional(out, "systemPrompt", conversation.system_prompt);
  put_optional(out, "model", conversation.model);
  put_optional(out, "temperature", conversation.temperature);
  if (conversation.totals) {
    out["totals"] = {{"messages", conversation.totals->messages},
                     {"tokens", conversation.totals->tokens},
                     {"cost", conversation.totals->cost}};
  }
  return out;
}

Json to_json(const Message& message) {
  Json out = {{"id", message.id},
              {"content", message.content},
              {"role", to_string(message.role)},
              {"conversationId", message.conversation_id},
              {"createdAt", format_iso8601(message.created_at)}};
  put_optional(out, "authorId", message.author_id);
  if (message.metadata) out["metadata"] = to_json(*message.metadata);
  out["seq"] = message.seq;
  put_optional(out, "clientId", message.client_id);
  out["status"] = to_string(message.status);
  return out;
}

Result<User> user_from_json(const Json& value) {
  ObjectReader r(value, "User");
  User user;
  user.id = r.required_string("id");
  user.email = r.optional_string("email").value_or("");
  user.name = r.required_string("name");
  user.avatar = r.optional_string("avatar");
  user.created_at = r.required_time("createdAt");
  user.updated_at = r.required_time("updatedAt");
  if (!r.ok()) return r.take_error();
  return user;
}

Result<Usage> usage_from_json(const Json& value) {
  ObjectReader r(value, "Usage");
  Usage usage;
  usage.prompt_tokens = r.required_int("promptTokens");
  usage.completion_tokens = r.required_int("completionTokens");
  usage.total_tokens = r.required_int("totalTokens");
  usage.estimated_cost = r.optional_number("estimatedCost").value_or(0);
  if (!r.ok()) return r.take_error();
  if (usage.prompt_tokens < 0 || usage.completion_tokens < 0 || usage.total_tokens < 0) {
    return make_error(ErrorCode::kValidation, "Usage: token counts must not be negative");
  }
  return usage;
}

Result<MessageMetadata> metadata_from_json(const Json& value) {
  ObjectReader r(value, "MessageMetadata");
  MessageMetadata metadata;
  metadata.usage = read_nested<Usage>(r, "usage", r.optional_object("usage"), usage_from_json);
  metadata.model = r.optional_string("model");
  metadata.provider = r.optional_string("provider");
  metadata.latency_ms = r.optional_int("latency");
  metadata.finish_reason = r.optional_string("finishReason");
  if (!r.ok()) return r.take_error();
  return metadata;
}

Result<ConversationTotals> totals_from_json(const Json& value) {
  ObjectReader r(value, "ConversationTotals");
  ConversationTotals totals;
  totals.messages = r.required_int("messages");
  totals.tokens = r.required_int("tokens");
  totals.cost = r.optional_number("cost").value_or(0);
  if (!r.ok()) return r.take_error();
  if (totals.messages < 0 || totals.tokens < 0 || !(totals.cost >= 0)) {
    return make_error(ErrorCode::kValidation, "ConversationTotals: must not be negative");
  }
  return totals;
}

Result<Conversation> conversation_from_json(const Json& value) {
  ObjectReader r(value, "Conversation");
  Conversation conversation;
  conversation.id = r.required_string("id");
  conversation.title = r.required_string("title");
  conversation.type = read_enum(r, "type", conversation_type_from_string, ConversationType::kAi);
  if (const Json* participants = r.optional_array("participants")) {
    for (const Json& item : *participants) {
      auto user = read_nested<User>(r, "participants", &item, user_from_json);
      if (!user) break;
      conversation.participants.push_back(std::move(*user));
    }
  }
  conversation.created_by_id = r.optional_string("createdById");
  conversation.system_prompt = r.optional_string("systemPrompt");
  conversation.model = r.optional_string("model");
  conversation.temperature = r.optional_number("temperature");
  conversation.totals = read_nested<ConversationTotals>(r, "totals", r.optional_object("totals"),
                                                        totals_from_json);
  conversation.created_at = r.required_time("createdAt");
  conversation.updated_at = r.required_time("updatedAt");
  if (!r.ok()) return r.take_error();
  if (conversation.temperature &&
      (*conversation.temperature < 0 || *conversation.temperature > 2)) {
    return make_error(ErrorCode::kValidation, "Conversation.temperature: must be within 0..2");
  }
  return conversation;
}

Result<Message> message_from_json(const Json& value) {
  ObjectReader r(value, "Message");
  Message message;
  message.id = r.required_string("id");
  message.content = r.required_string("content");
  message.role = read_enum(r, "role", message_role_from_string, MessageRole::kUser);
  message.conversation_id = r.required_string("conversationId");
  message.author_id = r.optional_string("authorId");
  message.metadata = read_nested<MessageMetadata>(r, "metadata", r.optional_object("metadata"),
                                                  metadata_from_json);
  message.created_at = r.required_time("createdAt");
  message.seq = r.optional_int("seq").value_or(0);
  message.client_id = r.optional_string("clientId");
  if (r.optional_string("status")) {
    message.status = read_enum(r, "status", message_status_from_string, MessageStatus::kComplete);
  }
  if (!r.ok()) return r.take_error();
  return message;
}

Json to_json(const ModelInfo& model) {
  return {{"id", model.id},
          {"provider", model.provider},
          {"available", model.available},
          {"contextWindow", model.context_window},
          {"inputPrice", model.input_price},
          {"outputPrice", model.output_price}};
}

Result<ModelInfo> model_info_from_json(const Json& value) {
  ObjectReader r(value, "Model");
  ModelInfo model;
  model.id = r.required_string("id");
  model.provider = r.required_string("provider");
  model.available = r.required_bool("available");
  model.context_window = r.optional_int("contextWindow").value_or(0);
  model.input_price = r.optional_number("inputPrice").value_or(0);
  model.output_price = r.optional_number("outputPrice").value_or(0);
  if (!r.ok()) return r.take_error();
  if (model.id.empty()) return make_error(ErrorCode::kValidation, "Model: id must not be empty");
  return model;
}

}  // namespace imchat::protocol
