// Storage: everything the server keeps, behind one interface, so a PostgreSQL
// implementation can follow without touching routes or the gateway. SqliteStorage
// (sqlite_storage.cpp) is the embedded default.
//
// Visibility is enforced here, not only in routes: every call that takes a viewer answers
// kNotFound for a conversation the viewer does not participate in, exactly as if it did
// not exist.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/change_event.h"
#include "model/result.h"
#include "model/types.h"

namespace imchat::server {

class Database;

struct StoredUser {
  User user;
  std::string password_hash;  // empty for guests
  bool guest = false;
  // Tokens without a session (issued before sessions existed) issued at or before this
  // (seconds since the epoch) no longer stand: how such a token is signed out.
  int64_t tokens_revoked_before = 0;
};

// A signed-in session: what a token's `sid` names. Deleting the row revokes every token
// that carries it, at once, on every door.
struct AuthSession {
  std::string id;
  std::string user_id;
  Timestamp expires_at;
  Timestamp last_seen_at;
};

struct SessionUser {
  AuthSession session;
  StoredUser account;
};

// How much one account may keep: bounds what open registration (or a guest) can store.
struct AccountLimits {
  int64_t conversations = 10'000;  // conversations an account participates in
  int64_t messages = 1'000'000;    // messages it has written
  int64_t guest_conversations = 200;
  int64_t guest_messages = 5'000;
};

struct NewUser {
  std::string email;
  std::string name;
  std::string password_hash;
  bool guest = false;
};

struct ConversationQuery {
  int64_t skip = 0;
  int64_t take = 20;
  bool order_desc = true;                 // by updatedAt
  std::string order_field = "updatedAt";  // updatedAt | createdAt | title
  std::optional<std::string> title_contains;
};

struct ConversationPatch {
  std::optional<std::string> title;
  std::optional<std::optional<std::string>> system_prompt;  // set, or clear with nullopt
  std::optional<std::optional<std::string>> model;
  std::optional<std::optional<double>> temperature;
};

struct MessageQuery {
  int64_t skip = 0;
  int64_t take = 50;
  bool order_desc = false;  // by seq (= creation order)
  std::optional<int64_t> before_seq;
  std::optional<int64_t> after_seq;
};

struct NewMessage {
  std::string conversation_id;
  std::string content;
  MessageRole role = MessageRole::kUser;
  std::optional<std::string> author_id;
  std::optional<std::string> client_id;
  MessageStatus status = MessageStatus::kComplete;
  std::optional<MessageMetadata> metadata;
};

struct CreatedMessage {
  Message message;
  bool created = true;  // false: the clientId was seen before and this is the stored one
};

// Called after each committed write, in commit order. Runs under the storage lock: it must
// only queue work (e.g. post to sessions), never block.
using ChangeListener = std::function<void(const ChangeEvent& event, const Audience& audience)>;

class Storage {
 public:
  virtual ~Storage() = default;

  virtual void set_change_listener(ChangeListener listener) = 0;

  // Events of a conversation after `since_seq`, oldest first, at most `limit` of them and
  // no more once their data passes `max_bytes` (the one that passes it is included, so the
  // caller can tell); kNotFound for a conversation the viewer is not in.
  virtual Result<std::vector<ChangeEvent>> events_since(
      const std::string& viewer_id, const std::string& conversation_id, int64_t since_seq,
      int64_t limit, size_t max_bytes = static_cast<size_t>(-1)) = 0;
  // The conversation's latest sequence number (0 when nothing happened yet).
  virtual Result<int64_t> last_seq(const std::string& viewer_id,
                                   const std::string& conversation_id) = 0;
  virtual Result<std::vector<std::string>> participant_ids(const std::string& viewer_id,
                                                           const std::string& conversation_id) = 0;

  virtual Result<User> create_user(const NewUser& user) = 0;  // kConflict on a taken email
  virtual Result<StoredUser> find_user_by_email(const std::string& email) = 0;
  virtual Result<User> find_user(const std::string& id) = 0;
  virtual Result<StoredUser> find_account(const std::string& id) = 0;
  virtual Status set_password_hash(const std::string& user_id, const std::string& hash) = 0;
  // Ends every session-less token of the user issued up to `before` (seconds).
  virtual Status revoke_tokens_before(const std::string& user_id, int64_t before) = 0;

  // Sessions. find_session answers kNotFound for a revoked or expired session and for one
  // whose account is gone; it records the use (at most once an hour: reads stay reads).
  virtual Result<AuthSession> create_session(const std::string& user_id, Timestamp expires_at) = 0;
  virtual Result<SessionUser> find_session(const std::string& session_id, Timestamp now) = 0;
  virtual Status delete_session(const std::string& session_id) = 0;
  // Every session of the user but `keep` (empty: all); returns the ids it revoked.
  virtual Result<std::vector<std::string>> delete_sessions_of(const std::string& user_id,
                                                              const std::string& keep) = 0;
  // Guests not seen since `unused_since` go, with their sessions and the conversations no
  // one else is in; in shared ones their messages stay, without an author. Returns the
  // removed user ids.
  virtual Result<std::vector<std::string>> expire_guests(Timestamp unused_since) = 0;
  // Sessions past their expiry go (they are refused already; this keeps the table small).
  virtual Status expire_sessions(Timestamp now) = 0;

  virtual Result<Conversation> create_conversation(const std::string& creator_id,
                                                   const NewConversation& conversation) = 0;
  virtual Result<Page<ConversationSummary>> list_conversations(const std::string& viewer_id,
                                                               const ConversationQuery& query) = 0;
  virtual Result<Conversation> get_conversation(const std::string& viewer_id,
                                                const std::string& id) = 0;
  virtual Result<Conversation> update_conversation(const std::string& viewer_id,
                                                   const std::string& id,
                                                   const ConversationPatch& patch) = 0;
  // Who may do what (docs/protocol.md, "Who may do what"): in a GROUP only its creator
  // changes its settings (others: kForbidden); the creator deletes a conversation for
  // everyone, any other member leaves it (DIRECT: everyone leaves; the last one out
  // deletes it). `left` tells the caller which of the two happened.
  virtual Status delete_conversation(const std::string& viewer_id, const std::string& id,
                                     bool* left = nullptr) = 0;

  virtual Result<Page<Message>> list_messages(const std::string& viewer_id,
                                              const std::string& conversation_id,
                                              const MessageQuery& query) = 0;
  virtual Result<Message> get_message(const std::string& viewer_id, const std::string& id) = 0;
  // Idempotent per (conversation, author, clientId).
  virtual Result<CreatedMessage> create_message(const std::string& viewer_id,
                                                const NewMessage& message) = 0;
  // Only the author may edit a message, or delete it; an assistant's reply may be deleted by
  // any participant (to regenerate it).
  virtual Result<Message> update_message_content(const std::string& viewer_id,
                                                 const std::string& id,
                                                 const std::string& content) = 0;
  virtual Status delete_message(const std::string& viewer_id, const std::string& id) = 0;
  // Read receipts: the viewer has seen the conversation up to this message. Never moves
  // backwards. kNotFound when the message is not in a conversation the viewer is in.
  virtual Status mark_read(const std::string& viewer_id, const std::string& conversation_id,
                           const std::string& message_id) = 0;
  // The server's own edit of an assistant message as its reply streams and ends.
  virtual Result<Message> finish_message(const std::string& id, const std::string& content,
                                         MessageStatus status,
                                         const std::optional<MessageMetadata>& metadata) = 0;
  // Assistant messages still marked "streaming" — left so by a server that stopped
  // mid-reply (a crash, a kill -9). At start-up none can really be streaming.
  virtual Result<std::vector<Message>> streaming_messages() = 0;
};

std::unique_ptr<Storage> make_sqlite_storage(Database& db, AccountLimits limits = {});

}  // namespace imchat::server
