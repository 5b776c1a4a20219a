// SqliteStorage: Storage on the embedded SQLite database — the class and what its three
// files share. Internal to store/: the rest of the server sees storage.h and
// make_sqlite_storage() only.
//   sqlite_storage.cpp   the change hand-off (sequence, commit, announce), replay,
//                        conversations, the factory
//   sqlite_accounts.cpp  users, passwords, sessions, guests, account quotas
//   sqlite_messages.cpp  messages, read receipts, conversation totals
// One connection, one mutex: SQLite has a single writer anyway, and holding the lock across
// a whole operation keeps multi-statement transactions from interleaving between worker
// threads.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "server/store/database.h"
#include "server/store/storage.h"

namespace imchat::server::sqlite {

inline constexpr const char* kMessageColumns =
    "m.id, m.conversation_id, m.seq, m.content, m.role, m.author_id, m.metadata, "
    "m.created_at, m.client_id, m.status";

inline constexpr const char* kUserColumns =
    "u.id, u.email, u.name, u.avatar, u.created_at, u.updated_at";

Error not_found(const char* what);
Timestamp read_time(const Statement& row, int column);
User read_user(const Statement& row);
Message read_message(const Statement& row);
// Escapes LIKE wildcards so a search for "50%" finds "50%", not everything.
std::string like_pattern(const std::string& text);

class Transaction {
 public:
  explicit Transaction(Database& db) : db_(db) {
    ok_ = static_cast<bool>(db_.exec("BEGIN IMMEDIATE"));
  }
  ~Transaction() {
    if (ok_ && !done_) (void)db_.exec("ROLLBACK");
  }
  bool started() const { return ok_; }
  Status commit() {
    done_ = true;
    return db_.exec("COMMIT");
  }

 private:
  Database& db_;
  bool ok_ = false;
  bool done_ = false;
};

class SqliteStorage final : public Storage {
 public:
  SqliteStorage(Database& db, AccountLimits limits) : db_(db), limits_(limits) {}

  void set_change_listener(ChangeListener listener) override {
    std::lock_guard lock(mutex_);
    listener_ = std::move(listener);
  }
  Result<std::vector<ChangeEvent>> events_since(const std::string& viewer_id,
                                                const std::string& conversation_id,
                                                int64_t since_seq, int64_t limit,
                                                size_t max_bytes) override;
  Result<int64_t> last_seq(const std::string& viewer_id,
                           const std::string& conversation_id) override;
  Result<std::vector<std::string>> participant_ids(const std::string& viewer_id,
                                                   const std::string& conversation_id) override;
  Result<User> create_user(const NewUser& input) override;
  Result<StoredUser> find_user_by_email(const std::string& email) override;
  Result<User> find_user(const std::string& id) override;
  Result<StoredUser> find_account(const std::string& id) override;
  Status revoke_tokens_before(const std::string& user_id, int64_t before) override;
  Status expire_sessions(Timestamp now) override;
  Status set_password_hash(const std::string& user_id, const std::string& hash) override;
  Result<AuthSession> create_session(const std::string& user_id, Timestamp expires_at) override;
  Result<SessionUser> find_session(const std::string& session_id, Timestamp now) override;
  Status delete_session(const std::string& session_id) override;
  Result<std::vector<std::string>> delete_sessions_of(const std::string& user_id,
                                                      const std::string& keep) override;
  Result<std::vector<std::string>> expire_guests(Timestamp unused_since) override;
  Result<Conversation> create_conversation(const std::string& creator_id,
                                           const NewConversation& input) override;
  Result<Page<ConversationSummary>> list_conversations(const std::string& viewer_id,
                                                       const ConversationQuery& query) override;
  Result<Conversation> get_conversation(const std::string& viewer_id,
                                        const std::string& id) override;
  Result<Conversation> update_conversation(const std::string& viewer_id, const std::string& id,
                                           const ConversationPatch& patch) override;
  // The rule of docs/protocol.md ("Who may do what"): a DIRECT chat's settings are both
  // people's; a GROUP's or an AI chat's are its creator's — everyone's once the creator's
  // account is gone, so a group is never left frozen.
  static bool may_change_settings(const Conversation& c, const std::string& viewer_id);
  // Whether the viewer's "delete" ends the conversation for everyone (else: they leave).
  static bool deletes_for_everyone(const Conversation& c, const std::string& viewer_id);
  Status delete_conversation(const std::string& viewer_id, const std::string& id,
                             bool* left) override;
  // A member goes; the others see the conversation updated (one participant fewer), the
  // leaver sees it deleted from their list and stops receiving its channels.
  Status leave_conversation(const std::string& viewer_id, const std::string& id);
  Result<Page<Message>> list_messages(const std::string& viewer_id,
                                      const std::string& conversation_id,
                                      const MessageQuery& query) override;
  Result<Message> get_message(const std::string& viewer_id, const std::string& id) override;
  Result<CreatedMessage> create_message(const std::string& viewer_id,
                                        const NewMessage& input) override;
  Result<Message> update_message_content(const std::string& viewer_id, const std::string& id,
                                         const std::string& content) override;
  Status delete_message(const std::string& viewer_id, const std::string& id) override;
  Result<Message> finish_message(const std::string& id, const std::string& content,
                                 MessageStatus status,
                                 const std::optional<MessageMetadata>& metadata) override;
  Status mark_read(const std::string& viewer_id, const std::string& conversation_id,
                   const std::string& message_id) override;

 private:
  Result<StoredUser> find_stored_user(const char* column, const std::string& value);
  bool is_participant(const std::string& user_id, const std::string& conversation_id);
  Result<Conversation> load_conversation(const std::string& id);
  Result<std::vector<Message>> streaming_messages() override;
  // Moves a conversation's totals by one message's worth: `messages` to the count, and
  // `sign` × its usage (if any) to the tokens and cost. Called inside every write that adds,
  // removes or finishes a message, so the counters stay exact without a scan.
  Status add_to_totals(const std::string& conversation_id, int64_t messages,
                       const std::optional<MessageMetadata>& metadata, int sign = 1);
  Result<ConversationTotals> load_conversation_totals(const std::string& id);
  Result<Message> load_message(const std::string& id);
  Result<int64_t> next_seq(const std::string& conversation_id);
  // Takes the next sequence number (or the one given) and stores the event with it.
  Result<ChangeEvent> record_event(const std::string& conversation_id, const char* kind,
                                   const char* entity, const std::string& entity_id,
                                   std::string data, std::optional<int64_t> seq = {});
  // Records the change as the next event, commits, then tells the listener: one place for
  // the rule that every write is sequenced, durable and announced in commit order.
  Status commit_change(Transaction& tx, const std::string& conversation_id, const char* kind,
                       const char* entity, const std::string& entity_id, std::string data,
                       std::optional<int64_t> seq = {}, std::vector<std::string> removed = {});
  void emit_to(const ChangeEvent& event, const Audience& audience);
  // After an edit or a deletion the old text is out of every table, and secure_delete has
  // zeroed it in the pages — but the write-ahead log still holds the pages as they were
  // until a checkpoint. Checkpointing and truncating it now leaves the text nowhere on
  // disk. Edits and deletions are rare next to sends, so the cost is not felt.
  void forget_old_text();
  // Replay shows what is: the entity's earlier events take its current state (a tombstone
  // once it is deleted), so an edited or deleted text is nowhere in the log afterwards.
  Status rewrite_history(const std::string& conversation_id, const std::string& entity_id,
                         const std::string& data, bool deleted);
  // A message's new state: its history rewritten to it, then an "updated" event committed.
  Status commit_message_update(Transaction& tx, const Message& message);
  Result<bool> is_guest(const std::string& user_id);
  Status check_conversation_quota(const std::string& user_id);
  Status check_message_quota(const std::string& user_id);
  Result<std::vector<std::string>> members_of(const std::string& conversation_id);
  Status touch_conversation(const std::string& id, const std::string& now);
  Database& db_;
  AccountLimits limits_;
  std::mutex mutex_;
  ChangeListener listener_;
};

}  // namespace imchat::server::sqlite
