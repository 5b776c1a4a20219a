// Wire mapping of the model types: camelCase fields, ISO-8601 UTC timestamps, enum names
// in upper case. Decoding validates everything and reports the first problem found.
#pragma once

#include "model/types.h"
#include "protocol/json.h"

namespace imchat::protocol {

Json to_json(const User& user);
Json to_json(const Usage& usage);
Json to_json(const MessageMetadata& metadata);
Json to_json(const Conversation& conversation);
Json to_json(const Message& message);
Json to_json(const ModelInfo& model);

Result<User> user_from_json(const Json& value);
Result<Usage> usage_from_json(const Json& value);
Result<ConversationTotals> totals_from_json(const Json& value);
Result<MessageMetadata> metadata_from_json(const Json& value);
Result<Conversation> conversation_from_json(const Json& value);
Result<Message> message_from_json(const Json& value);
Result<ModelInfo> model_info_from_json(const Json& value);

}  // namespace imchat::protocol
