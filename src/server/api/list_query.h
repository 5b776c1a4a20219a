// The list routes' query strings read into storage queries, with the REST shape's bounds:
// skip ≥ 0, take 1–100, orderBy[field]=asc|desc over an allow-list, where[…] filters, and
// the sequence cursors before/after. Every field from outside is checked here; storage
// only ever sees allowed names and numbers.
#pragma once

#include <string>

#include "model/result.h"
#include "server/api/query_string.h"
#include "server/store/storage.h"

namespace imchat::server {

// GET /api/conversations: skip, take (default 20), orderBy[updatedAt|createdAt|title],
// where[title][contains].
Result<ConversationQuery> read_conversation_query(const QueryString& q);

struct MessageListQuery {
  std::string conversation_id;
  MessageQuery query;
};
// GET /api/messages: where[conversationId][equals] (required), skip, take (default 50),
// orderBy[createdAt|seq], before=<seq>, after=<seq>.
Result<MessageListQuery> read_message_query(const QueryString& q);

}  // namespace imchat::server
