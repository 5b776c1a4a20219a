// ConversationList: the cached pages of the conversation list (query keys under
// {"conversations"}) kept equal to the server without refetching them: fetched with what
// this client has read counted as read, patched by each message event (last message, unread
// count, totals, most recent first), and the mutations — optimistic, rolled back on error,
// invalidated after. A new chat is named after its first question here, for every client of
// the SDK (name_after_first_message).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/types.h"
#include "protocol/json.h"
#include "sdk/api.h"
#include "sdk/query_cache.h"

namespace imchat::sdk {

// What a chat is called until its first message names it.
inline constexpr std::string_view kNewChatTitle = "New chat";

class ConversationList {
 public:
  ConversationList(QueryCache& cache, Api& api) : cache_(cache), api_(api) {}

  // The list as the cache should fetch it: the server's page, with the conversations this
  // client has read up to their last message counted as read. A list the server built
  // before it took our read (the read goes over the socket, the list over HTTP) would bring
  // back the badge of a reply the user has just read.
  using ReadUpTo = std::function<int64_t(const std::string& conversation_id)>;
  Fetcher fetch(ConversationQuery query, ReadUpTo read_up_to);

  // A message's update event (its `data`): the row's last message, unread count (not for
  // an open chat, not for the user's own), totals, and order. False when no cached row has
  // the conversation (the caller refetches).
  using IsOpen = std::function<bool(const std::string& conversation_id)>;
  bool apply_message(const protocol::Json& data, const IsOpen& is_open, const std::string& self_id);
  // The user read the conversation: its unread count is 0 at once.
  void clear_unread(const std::string& conversation_id);
  // A chat still called kNewChatTitle with no message yet takes its first message's first
  // line as its title (the mutation below).
  void name_after_first_message(const std::string& conversation_id, const std::string& content);

  void create(const NewConversation& input, ApiCallback<Conversation> done);
  void update(const std::string& id, const ConversationPatch& patch,
              ApiCallback<Conversation> done);
  void remove(const std::string& id, ApiCallback<Ok> done);

 private:
  using Snapshot = std::vector<std::pair<QueryKey, AnyData>>;
  Snapshot snapshot() const;
  void restore(const Snapshot& snapshot);
  // Runs edit on every cached page of the list.
  void edit_pages(const std::function<void(Page<ConversationSummary>&)>& edit, bool keep_fresh);

  QueryCache& cache_;
  Api& api_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace imchat::sdk
