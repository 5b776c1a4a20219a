// ChatSync: what keeps the query cache equal to the server — the glue between Api (REST),
// Realtime (/ws) and QueryCache, in the shape of the product's hooks:
//   watch_messages()  useMessages / useInfiniteMessages (load_older, load_newer)
//   send_message()    useCreateMessage / sendMessage, through the outbox
//   update_conversation(), delete_conversation(), create_conversation()  the mutations
//
// Messages. A conversation's messages are one MessageList in the cache (key
// messages_key(id)), newest page first fetched over REST, then kept current by the
// socket: the channel is subscribed with since=<newest seq fetched>, so nothing between
// the fetch and the subscription is missed; `update` frames insert, replace or remove one
// message; `stream` frames grow the streaming reply at its offset. Nothing refetches a
// list to show one message. Events that arrive while a fetch is in flight are applied to
// what is shown and replayed onto the fetched page when it lands, so neither overwrites
// the other. `resync` (a gap the server cannot replay) refetches.
//
// Sending. A message is shown at once (seq 0, "sending"), kept in the Outbox (outbox.h:
// with its clientId, in memory and in the LocalStore), sent when the socket is open,
// resent in order after a reconnect, and marked failed — never dropped — when the server
// refuses it or it was tried too often.
//
// The list itself and the rules that change it are MessageList's (message_list.h).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/result.h"
#include "model/types.h"
#include "platform/local_store.h"
#include "protocol/frames.h"
#include "protocol/limits.h"
#include "sdk/api.h"
#include "sdk/conversation_list.h"
#include "sdk/message_list.h"
#include "sdk/outbox.h"
#include "sdk/presence.h"
#include "sdk/query_cache.h"
#include "sdk/realtime.h"

namespace imchat::sdk {

struct ChatSyncOptions {
  int page_size = 50;
  int max_pages = 20;         // pages of a conversation kept in memory
  size_t outbox_limit = 200;  // unsent messages kept at most
  int max_attempts = 5;       // sends without an answer before a message is failed
  size_t max_content_bytes = protocol::kMaxContentBytes;
};

class ChatSync {
 public:
  struct Hooks {
    std::function<int64_t()> now_ms;
    std::function<std::string()> new_client_id;  // unique per message, e.g. random hex
  };

  // store: where the outbox survives a reload (nullptr: memory only).
  ChatSync(QueryCache& cache, Api& api, Realtime& realtime, platform::LocalStore* store,
           ChatSyncOptions options, Hooks hooks);
  ~ChatSync();
  ChatSync(const ChatSync&) = delete;
  ChatSync& operator=(const ChatSync&) = delete;

  // --- messages --------------------------------------------------------------------------
  // A view's interest in a conversation's messages: fetched, subscribed, kept current.
  class Watch {
   public:
    Watch() = default;
    Watch(Watch&&) noexcept = default;
    Watch& operator=(Watch&& other) noexcept;
    ~Watch() { reset(); }
    void reset();

   private:
    friend class ChatSync;
    ChatSync* sync_ = nullptr;
    std::weak_ptr<bool> alive_;
    std::string conversation_id_;
    QueryCache::Observer observer_;
  };
  Watch watch_messages(const std::string& conversation_id);
  std::shared_ptr<const MessageList> messages(const std::string& conversation_id) const;
  const QueryState* messages_state(const std::string& conversation_id) const;

  // Infinite paging over the seq cursor. False when there is nothing to load or a load is
  // already running.
  bool load_older(const std::string& conversation_id);
  bool load_newer(const std::string& conversation_id);
  bool loading_more(const std::string& conversation_id) const;

  // --- sending ---------------------------------------------------------------------------
  // Shows the message at once and sends it when it can. The clientId, or why not (empty,
  // too long, outbox full). A chat still called "New chat" is named after it.
  Result<std::string> send_message(const std::string& conversation_id, const std::string& content);
  void retry(const std::string& client_id);    // a failed message: try again
  void discard(const std::string& client_id);  // a failed message: forget it
  Delivery delivery(const Message& message) const;
  // Stops the reply being generated in the conversation (it ends "cancelled", keeping what
  // was written). False when the socket is not open.
  bool cancel_reply(const std::string& conversation_id);
  // Edit & resend: the author's message gets the new text, then the reply after it (if
  // any) is generated again. The list changes through the server's updates, as for anyone
  // else watching. done gets the first error, if one.
  void edit_and_resend(const std::string& message_id, const std::string& content,
                       const std::string& reply_id, ApiCallback<Ok> done);
  // Replaces the latest reply with a new one.
  void regenerate(const std::string& reply_id, ApiCallback<Ok> done);
  const std::vector<OutboxEntry>& outbox() const { return outbox_.entries(); }

  // --- presence: who is typing, who has read what (Presence, presence.h) -------------
  // The user is typing in the conversation (true while text is in the composer, false
  // when it empties or is sent). Sent at most every kTypingRepeatMs while it stays true,
  // so others' indicators (which expire after kTypingExpiryMs) stay up.
  void set_typing(const std::string& conversation_id, bool typing);
  // The user has seen the conversation up to this message: sent once per newer message,
  // and the conversation's unread count drops to 0 here at once.
  void mark_read(const std::string& conversation_id, const Message& message);
  // Who is signed in: their own new messages are not unread.
  void set_self(const std::string& user_id) { self_ = user_id; }
  // Others typing now (user ids), and where each other reader is (user id → message id),
  // from what arrived since this client connected.
  std::vector<std::string> typing(const std::string& conversation_id) const;
  const std::map<std::string, std::string>* read_positions(
      const std::string& conversation_id) const;
  // Bumped when a typing or read frame arrives (views cache what they derive from them).
  uint64_t presence_version() const { return presence_.version(); }
  static constexpr int64_t kTypingRepeatMs = Presence::kTypingRepeatMs;
  static constexpr int64_t kTypingExpiryMs = Presence::kTypingExpiryMs;

  // --- conversations ------------------------------------------------------------------
  // The conversation list as the cache should fetch it: the server's page with what this
  // client has read counted as read. A list the server built before it took our read (the
  // read goes over the socket, the list over HTTP) would bring back the badge of a reply
  // the user has just read, and nothing would clear it until the next refetch.
  Fetcher fetch_conversations(ConversationQuery query);
  // Mutations: optimistic, rolled back on error, invalidated after.
  void create_conversation(const NewConversation& input, ApiCallback<Conversation> done);
  void update_conversation(const std::string& id, const ConversationPatch& patch,
                           ApiCallback<Conversation> done);
  void delete_conversation(const std::string& id, ApiCallback<Ok> done);

  // The page became visible, or the network came back: refetch what is stale, reconnect.
  void on_visible();
  // Sends what waits in the outbox once a rate limit expires. Call once per frame.
  void tick();
  std::optional<int64_t> next_deadline_ms() const;

  // For the benchmark and tests: what a socket frame would do, without a socket.
  void apply_update(const std::string& conversation_id, const protocol::Json& data);
  void apply_stream(const std::string& conversation_id, const protocol::Json& data);

 private:
  struct Tracked {
    int watchers = 0;
    int64_t last_seq = 0;  // seen on the channel before the last watcher left
    int fetches = 0;       // REST fetches of the newest page in flight
    std::vector<std::pair<bool, protocol::Json>> replay;  // events since the oldest began
    bool paging = false;
    platform::RequestId paging_request = 0;
  };

  Fetcher newest_page_fetcher(const std::string& conversation_id);
  std::shared_ptr<MessageList> merge_fetched(const std::string& conversation_id,
                                             Page<Message> page);
  void unwatch(const std::string& conversation_id);
  void on_update(const std::string& channel, const protocol::Json& data);
  bool apply_list_message(const protocol::Json& data);
  void on_stream(const std::string& channel, const protocol::Json& data);
  void on_open(bool reconnect);
  void on_other(const protocol::Json& frame);
  Presence::Send send_frame();
  void remember(const std::string& conversation_id, bool stream, const protocol::Json& data);

  void pump();
  void confirm(const std::string& client_id, const Message& message);
  // A delivery changed (not the items): views that show it redraw.
  void touch_delivery(const std::string& conversation_id);
  void show_pending(const OutboxEntry& entry);
  void remove_pending(const std::string& conversation_id, const std::string& client_id);

  QueryCache& cache_;
  Api& api_;
  Realtime& realtime_;
  ChatSyncOptions options_;
  Hooks hooks_;
  std::map<std::string, Tracked> conversations_;
  std::string self_;
  Outbox outbox_;
  ConversationList conversations_list_;
  Presence presence_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// The channel names of docs/protocol.md.
std::string message_channel(const std::string& conversation_id);
inline constexpr std::string_view kConversationListChannel = protocol::frames::kConversationList;

}  // namespace imchat::sdk
