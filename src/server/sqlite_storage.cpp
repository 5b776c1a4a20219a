// Storage on the embedded SQLite database. One connection, one mutex: SQLite has a single
// writer anyway, and holding the lock across a whole operation keeps multi-statement
// transactions from interleaving between worker threads.
#include <algorithm>
#include <mutex>

#include "protocol/model_json.h"
#include "server/database.h"
#include "server/ids.h"
#include "server/storage.h"

namespace imchat::server {
namespace {

constexpr const char* kMessageColumns =
    "m.id, m.conversation_id, m.seq, m.content, m.role, m.author_id, m.metadata, "
    "m.created_at, m.client_id, m.status";

Error not_found(const char* what) {
  return make_error(ErrorCode::kNotFound, std::string(what) + " not found");
}

Timestamp read_time(const Statement& row, int column) {
  auto parsed = parse_iso8601(row.column_text(column));
  return parsed ? *parsed : Timestamp{};
}

constexpr const char* kUserColumns = "u.id, u.email, u.name, u.avatar, u.created_at, u.updated_at";

User read_user(const Statement& row) {
  User user;
  user.id = row.column_text(0);
  user.email = row.column_text(1);
  user.name = row.column_text(2);
  user.avatar = row.column_optional_text(3);
  user.created_at = read_time(row, 4);
  user.updated_at = read_time(row, 5);
  return user;
}

Message read_message(const Statement& row) {
  Message m;
  m.id = row.column_text(0);
  m.conversation_id = row.column_text(1);
  m.seq = row.column_int(2);
  m.content = row.column_text(3);
  m.role = message_role_from_string(row.column_text(4)).value_or(MessageRole::kUser);
  m.author_id = row.column_optional_text(5);
  if (auto meta_text = row.column_optional_text(6)) {
    if (auto json = protocol::parse_json(*meta_text)) {
      if (auto meta = protocol::metadata_from_json(*json)) m.metadata = *meta;
    }
  }
  m.created_at = read_time(row, 7);
  m.client_id = row.column_optional_text(8);
  m.status = message_status_from_string(row.column_text(9)).value_or(MessageStatus::kComplete);
  return m;
}

// Escapes LIKE wildcards so a search for "50%" finds "50%", not everything.
std::string like_pattern(const std::string& text) {
  std::string out = "%";
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  return out + "%";
}

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
                                                size_t max_bytes) override {
    std::lock_guard lock(mutex_);
    if (!is_participant(viewer_id, conversation_id)) return not_found("conversation");
    auto select = db_.prepare(
        "SELECT seq, kind, entity, entity_id, data, created_at FROM events "
        "WHERE conversation_id = ? AND seq > ? ORDER BY seq LIMIT ?");
    if (!select) return select.error();
    select->bind(1, conversation_id).bind(2, since_seq).bind(3, limit);
    std::vector<ChangeEvent> events;
    size_t bytes = 0;
    while (bytes <= max_bytes) {
      auto row = select->step();
      if (!row) return row.error();
      if (!*row) break;
      events.push_back({conversation_id, select->column_int(0), select->column_text(1),
                        select->column_text(2), select->column_text(3), select->column_text(4),
                        read_time(*select, 5)});
      bytes += events.back().data.size();
    }
    return events;
  }

  Result<int64_t> last_seq(const std::string& viewer_id,
                           const std::string& conversation_id) override {
    std::lock_guard lock(mutex_);
    if (!is_participant(viewer_id, conversation_id)) return not_found("conversation");
    auto select = db_.prepare("SELECT last_seq FROM conversations WHERE id = ?");
    if (!select) return select.error();
    select->bind(1, conversation_id);
    auto row = select->step();
    if (!row) return row.error();
    if (!*row) return not_found("conversation");
    return select->column_int(0);
  }

  Result<std::vector<std::string>> participant_ids(const std::string& viewer_id,
                                                   const std::string& conversation_id) override {
    std::lock_guard lock(mutex_);
    if (!is_participant(viewer_id, conversation_id)) return not_found("conversation");
    return members_of(conversation_id);
  }

  Result<User> create_user(const NewUser& input) override {
    std::lock_guard lock(mutex_);
    User user;
    user.id = new_id("u");
    user.email = input.email;
    user.name = input.name;
    user.created_at = user.updated_at = now_utc();
    const std::string now = format_iso8601(user.created_at);
    auto insert = db_.prepare(
        "INSERT INTO users(id, email, name, created_at, updated_at, password_hash, is_guest, "
        "last_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?4) ON CONFLICT(email) DO NOTHING");
    if (!insert) return insert.error();
    insert->bind(1, user.id).bind(2, user.email).bind(3, user.name).bind(4, now).bind(5, now);
    insert->bind(6, input.password_hash).bind(7, int64_t{input.guest ? 1 : 0});
    if (auto done = insert->step(); !done) return done.error();
    if (db_.changes() == 0) {
      Error e = make_error(ErrorCode::kConflict, "an account with this email already exists");
      e.field = "email";
      return e;
    }
    return user;
  }

  Result<StoredUser> find_user_by_email(const std::string& email) override {
    std::lock_guard lock(mutex_);
    return find_stored_user("email", email);
  }

  Result<User> find_user(const std::string& id) override {
    std::lock_guard lock(mutex_);
    auto stored = find_stored_user("id", id);
    if (!stored) return stored.error();
    return stored->user;
  }

  Result<StoredUser> find_account(const std::string& id) override {
    std::lock_guard lock(mutex_);
    return find_stored_user("id", id);
  }

  Status revoke_tokens_before(const std::string& user_id, int64_t before) override {
    std::lock_guard lock(mutex_);
    auto update = db_.prepare(
        "UPDATE users SET tokens_revoked_before = MAX(tokens_revoked_before, ?) WHERE id = ?");
    if (!update) return update.error();
    update->bind(1, before).bind(2, user_id);
    if (auto done = update->step(); !done) return done.error();
    return Ok{};
  }

  Status expire_sessions(Timestamp now) override {
    std::lock_guard lock(mutex_);
    auto remove = db_.prepare("DELETE FROM sessions WHERE expires_at < ?");
    if (!remove) return remove.error();
    remove->bind(1, format_iso8601(now));
    if (auto done = remove->step(); !done) return done.error();
    return Ok{};
  }

  Status set_password_hash(const std::string& user_id, const std::string& hash) override {
    std::lock_guard lock(mutex_);
    auto update = db_.prepare("UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?");
    if (!update) return update.error();
    update->bind(1, hash).bind(2, format_iso8601(now_utc())).bind(3, user_id);
    if (auto done = update->step(); !done) return done.error();
    if (db_.changes() == 0) return not_found("user");
    return Ok{};
  }

  Result<AuthSession> create_session(const std::string& user_id, Timestamp expires_at) override {
    std::lock_guard lock(mutex_);
    AuthSession session{new_id("s"), user_id, expires_at, now_utc()};
    const std::string now = format_iso8601(session.last_seen_at);
    auto insert = db_.prepare(
        "INSERT INTO sessions(id, user_id, created_at, expires_at, last_seen_at) "
        "SELECT ?, id, ?, ?, ?2 FROM users WHERE id = ?4");
    if (!insert) return insert.error();
    insert->bind(1, session.id).bind(2, now).bind(3, format_iso8601(expires_at)).bind(4, user_id);
    if (auto done = insert->step(); !done) return done.error();
    if (db_.changes() == 0) return not_found("user");
    return session;
  }

  Result<SessionUser> find_session(const std::string& session_id, Timestamp now) override {
    std::lock_guard lock(mutex_);
    auto select =
        db_.prepare("SELECT user_id, expires_at, last_seen_at FROM sessions WHERE id = ?");
    if (!select) return select.error();
    select->bind(1, session_id);
    auto row = select->step();
    if (!row) return row.error();
    if (!*row) return not_found("session");
    SessionUser out;
    out.session = {session_id, select->column_text(0), read_time(*select, 1),
                   read_time(*select, 2)};
    if (out.session.expires_at.ms <= now.ms) return not_found("session");
    auto account = find_stored_user("id", out.session.user_id);
    if (!account) return account.error();
    out.account = std::move(*account);
    // The last use, to the hour: enough to expire unused guests, and a read stays a read.
    if (now.ms - out.session.last_seen_at.ms > 3600 * 1000) {
      const std::string when = format_iso8601(now);
      const std::pair<const char*, const std::string*> touches[] = {
          {"UPDATE sessions SET last_seen_at = ? WHERE id = ?", &session_id},
          {"UPDATE users SET last_seen_at = ? WHERE id = ?", &out.session.user_id}};
      for (const auto& [sql, key] : touches) {
        auto touch = db_.prepare(sql);
        if (!touch) return touch.error();
        touch->bind(1, when).bind(2, *key);
        if (auto done = touch->step(); !done) return done.error();
      }
      out.session.last_seen_at = now;
    }
    return out;
  }

  Status delete_session(const std::string& session_id) override {
    std::lock_guard lock(mutex_);
    auto remove = db_.prepare("DELETE FROM sessions WHERE id = ?");
    if (!remove) return remove.error();
    remove->bind(1, session_id);
    if (auto done = remove->step(); !done) return done.error();
    return Ok{};
  }

  Result<std::vector<std::string>> delete_sessions_of(const std::string& user_id,
                                                      const std::string& keep) override {
    std::lock_guard lock(mutex_);
    auto remove = db_.prepare("DELETE FROM sessions WHERE user_id = ? AND id != ? RETURNING id");
    if (!remove) return remove.error();
    remove->bind(1, user_id).bind(2, keep);
    std::vector<std::string> ids;
    while (true) {
      auto row = remove->step();
      if (!row) return row.error();
      if (!*row) break;
      ids.push_back(remove->column_text(0));
    }
    return ids;
  }

  Result<std::vector<std::string>> expire_guests(Timestamp unused_since) override {
    std::lock_guard lock(mutex_);
    Transaction tx(db_);
    if (!tx.started()) return make_error(ErrorCode::kStorage, "could not start a transaction");
    auto remove = db_.prepare(
        "DELETE FROM users WHERE is_guest = 1 AND COALESCE(last_seen_at, updated_at) < ? "
        "RETURNING id");
    if (!remove) return remove.error();
    remove->bind(1, format_iso8601(unused_since));
    std::vector<std::string> ids;
    while (true) {
      auto row = remove->step();
      if (!row) return row.error();
      if (!*row) break;
      ids.push_back(remove->column_text(0));
    }
    // Their sessions and memberships went with them (ON DELETE CASCADE); what no one is in
    // any more goes too, with its messages and events.
    if (!ids.empty()) {
      if (auto s = db_.exec("DELETE FROM conversations WHERE NOT EXISTS (SELECT 1 FROM "
                            "conversation_participants p WHERE p.conversation_id = "
                            "conversations.id)");
          !s)
        return s.error();
    }
    if (auto committed = tx.commit(); !committed) return committed.error();
    if (!ids.empty()) forget_old_text();
    return ids;
  }

  Result<Conversation> create_conversation(const std::string& creator_id,
                                           const NewConversation& input) override {
    std::lock_guard lock(mutex_);
    if (auto quota = check_conversation_quota(creator_id); !quota) return quota.error();
    Transaction tx(db_);
    if (!tx.started()) return make_error(ErrorCode::kStorage, "could not start a transaction");
    const std::string id = new_id("c");
    const std::string now = format_iso8601(now_utc());
    auto insert = db_.prepare(
        "INSERT INTO conversations(id, title, type, system_prompt, model, temperature, "
        "created_at, updated_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!insert) return insert.error();
    insert->bind(1, id).bind(2, input.title).bind(3, to_string(input.type));
    insert->bind(4, input.system_prompt).bind(5, input.model).bind(6, input.temperature);
    insert->bind(7, now).bind(8, now).bind(9, creator_id);
    if (auto done = insert->step(); !done) return done.error();

    std::vector<std::string> members = {creator_id};
    for (const auto& pid : input.participant_ids) {
      if (std::find(members.begin(), members.end(), pid) == members.end()) members.push_back(pid);
    }
    for (const auto& member : members) {
      auto add = db_.prepare(
          "INSERT INTO conversation_participants(conversation_id, user_id) "
          "SELECT ?, id FROM users WHERE id = ?");
      if (!add) return add.error();
      add->bind(1, id).bind(2, member);
      if (auto done = add->step(); !done) return done.error();
      if (db_.changes() == 0) {
        Error e = make_error(ErrorCode::kValidation, "no user with id " + member);
        e.field = "participantIds";
        return e;
      }
    }
    auto conversation = load_conversation(id);
    if (!conversation) return conversation.error();
    if (auto done = commit_change(tx, id, "created", "Conversation", id,
                                  protocol::dump_json(protocol::to_json(*conversation)));
        !done)
      return done.error();
    return conversation;
  }

  Result<Page<ConversationSummary>> list_conversations(const std::string& viewer_id,
                                                       const ConversationQuery& query) override {
    std::lock_guard lock(mutex_);
    const char* column = query.order_field == "createdAt" ? "c.created_at"
                         : query.order_field == "title"   ? "c.title"
                                                          : "c.updated_at";
    const std::string filter = query.title_contains ? " AND c.title LIKE ? ESCAPE '\\'" : "";
    Page<ConversationSummary> page;
    page.skip = query.skip;
    page.take = query.take;
    {
      auto count = db_.prepare(
          "SELECT COUNT(*) FROM conversations c JOIN conversation_participants p "
          "ON p.conversation_id = c.id AND p.user_id = ? WHERE 1=1" +
          filter);
      if (!count) return count.error();
      count->bind(1, viewer_id);
      if (query.title_contains) count->bind(2, like_pattern(*query.title_contains));
      if (auto row = count->step(); !row) return row.error();
      page.total = count->column_int(0);
    }
    auto select = db_.prepare(
        std::string("SELECT c.id, p.last_read_seq FROM conversations c JOIN "
                    "conversation_participants p ON p.conversation_id = c.id AND p.user_id = ? "
                    "WHERE 1=1") +
        filter + " ORDER BY " + column + (query.order_desc ? " DESC" : " ASC") +
        ", c.id LIMIT ? OFFSET ?");
    if (!select) return select.error();
    int index = 1;
    select->bind(index++, viewer_id);
    if (query.title_contains) select->bind(index++, like_pattern(*query.title_contains));
    select->bind(index++, query.take);
    select->bind(index++, query.skip);
    std::vector<std::pair<std::string, int64_t>> rows;
    while (true) {
      auto row = select->step();
      if (!row) return row.error();
      if (!*row) break;
      rows.emplace_back(select->column_text(0), select->column_int(1));
    }
    for (const auto& [id, last_read] : rows) {
      auto conversation = load_conversation(id);
      if (!conversation) return conversation.error();
      ConversationSummary summary{std::move(*conversation), std::nullopt, 0};
      auto last = db_.prepare(std::string("SELECT ") + kMessageColumns +
                              " FROM messages m WHERE m.conversation_id = ? AND m.deleted = 0 "
                              "ORDER BY m.seq DESC LIMIT 1");
      if (!last) return last.error();
      last->bind(1, id);
      if (auto row = last->step(); row && *row) summary.last_message = read_message(*last);
      auto unread = db_.prepare(
          "SELECT COUNT(*) FROM messages WHERE conversation_id = ? AND deleted = 0 AND seq > ? "
          "AND (author_id IS NULL OR author_id != ?)");
      if (!unread) return unread.error();
      unread->bind(1, id).bind(2, last_read).bind(3, viewer_id);
      if (auto row = unread->step(); row && *row) summary.unread_count = unread->column_int(0);
      page.data.push_back(std::move(summary));
    }
    page.has_more = page.skip + static_cast<int64_t>(page.data.size()) < page.total;
    return page;
  }

  Result<Conversation> get_conversation(const std::string& viewer_id,
                                        const std::string& id) override {
    std::lock_guard lock(mutex_);
    if (!is_participant(viewer_id, id)) return not_found("conversation");
    return load_conversation(id);
  }

  Result<Conversation> update_conversation(const std::string& viewer_id, const std::string& id,
                                           const ConversationPatch& patch) override {
    std::lock_guard lock(mutex_);
    if (!is_participant(viewer_id, id)) return not_found("conversation");
    auto current = load_conversation(id);
    if (!current) return current.error();
    if (!may_change_settings(*current, viewer_id)) {
      return make_error(ErrorCode::kForbidden,
                        "only the conversation's creator can change its settings");
    }
    auto update = db_.prepare(
        "UPDATE conversations SET "
        "title = CASE WHEN ?1 THEN ?2 ELSE title END, "
        "system_prompt = CASE WHEN ?3 THEN ?4 ELSE system_prompt END, "
        "model = CASE WHEN ?5 THEN ?6 ELSE model END, "
        "temperature = CASE WHEN ?7 THEN ?8 ELSE temperature END, "
        "updated_at = ?9 WHERE id = ?10");
    if (!update) return update.error();
    update->bind(1, int64_t{patch.title.has_value()}).bind(2, patch.title.value_or(""));
    update->bind(3, int64_t{patch.system_prompt.has_value()})
        .bind(4, patch.system_prompt.value_or(std::nullopt));
    update->bind(5, int64_t{patch.model.has_value()}).bind(6, patch.model.value_or(std::nullopt));
    update->bind(7, int64_t{patch.temperature.has_value()})
        .bind(8, patch.temperature.value_or(std::nullopt));
    update->bind(9, format_iso8601(now_utc())).bind(10, id);
    Transaction tx(db_);
    if (!tx.started()) return make_error(ErrorCode::kStorage, "could not start a transaction");
    if (auto done = update->step(); !done) return done.error();
    auto conversation = load_conversation(id);
    if (!conversation) return conversation.error();
    if (auto done = commit_change(tx, id, "updated", "Conversation", id,
                                  protocol::dump_json(protocol::to_json(*conversation)));
        !done)
      return done.error();
    return conversation;
  }

  // The rule of docs/protocol.md ("Who may do what"): a DIRECT chat's settings are both
  // people's; a GROUP's or an AI chat's are its creator's — everyone's once the creator's
  // account is gone, so a group is never left frozen.
  static bool may_change_settings(const Conversation& c, const std::string& viewer_id) {
    if (c.type == ConversationType::kDirect || !c.created_by_id) return true;
    return *c.created_by_id == viewer_id;
  }

  // Whether the viewer's "delete" ends the conversation for everyone (else: they leave).
  static bool deletes_for_everyone(const Conversation& c, const std::string& viewer_id) {
    if (c.participants.size() <= 1) return true;  // the last one out
    if (c.type == ConversationType::kDirect || !c.created_by_id) return false;
    return *c.created_by_id == viewer_id;
  }

  Status delete_conversation(const std::string& viewer_id, const std::string& id,
                             bool* left) override {
    std::lock_guard lock(mutex_);
    if (!is_participant(viewer_id, id)) return not_found("conversation");
    auto current = load_conversation(id);
    if (!current) return current.error();
    if (left) *left = false;
    if (!deletes_for_everyone(*current, viewer_id)) {
      if (left) *left = true;
      return leave_conversation(viewer_id, id);
    }
    // The conversation's events go with it, so this last one is delivered live only.
    auto members = members_of(id);
    auto seq = next_seq(id);
    if (!seq) return seq.error();
    auto remove = db_.prepare("DELETE FROM conversations WHERE id = ?");
    if (!remove) return remove.error();
    remove->bind(1, id);
    if (auto done = remove->step(); !done) return done.error();
    if (members) {
      emit_to(ChangeEvent{id, *seq, "deleted", "Conversation", id,
                          protocol::dump_json(protocol::Json{{"id", id}}), now_utc()},
              Audience{*members, {}});
    }
    forget_old_text();
    return Ok{};
  }

  // A member goes; the others see the conversation updated (one participant fewer), the
  // leaver sees it deleted from their list and stops receiving its channels.
  Status leave_conversation(const std::string& viewer_id, const std::string& id) {
    Transaction tx(db_);
    if (!tx.started()) return make_error(ErrorCode::kStorage, "could not start a transaction");
    auto remove = db_.prepare(
        "DELETE FROM conversation_participants WHERE conversation_id = ? AND user_id = ?");
    if (!remove) return remove.error();
    remove->bind(1, id).bind(2, viewer_id);
    if (auto done = remove->step(); !done) return done.error();
    if (auto touched = touch_conversation(id, format_iso8601(now_utc())); !touched)
      return touched.error();
    auto conversation = load_conversation(id);
    if (!conversation) return conversation.error();
    return commit_change(tx, id, "updated", "Conversation", id,
                         protocol::dump_json(protocol::to_json(*conversation)), {}, {viewer_id});
  }

  Result<Page<Message>> list_messages(const std::string& viewer_id,
                                      const std::string& conversation_id,
                                      const MessageQuery& query) override {
    std::lock_guard lock(mutex_);
    if (!is_participant(viewer_id, conversation_id)) return not_found("conversation");
    std::string where = " WHERE m.conversation_id = ?1 AND m.deleted = 0";
    if (query.before_seq) where += " AND m.seq < ?2";
    if (query.after_seq) where += " AND m.seq > ?3";
    Page<Message> page;
    page.skip = query.skip;
    page.take = query.take;
    auto bind_filters = [&](Statement& s) {
      s.bind(1, conversation_id);
      if (query.before_seq) s.bind(2, *query.before_seq);
      if (query.after_seq) s.bind(3, *query.after_seq);
    };
    auto count = db_.prepare("SELECT COUNT(*) FROM messages m" + where);
    if (!count) return count.error();
    bind_filters(*count);
    if (auto row = count->step(); !row) return row.error();
    page.total = count->column_int(0);
    auto select = db_.prepare(std::string("SELECT ") + kMessageColumns + " FROM messages m" +
                              where + " ORDER BY m.seq" + (query.order_desc ? " DESC" : " ASC") +
                              " LIMIT ?4 OFFSET ?5");
    if (!select) return select.error();
    bind_filters(*select);
    select->bind(4, query.take).bind(5, query.skip);
    while (true) {
      auto row = select->step();
      if (!row) return row.error();
      if (!*row) break;
      page.data.push_back(read_message(*select));
    }
    page.has_more = page.skip + static_cast<int64_t>(page.data.size()) < page.total;
    return page;
  }

  Result<Message> get_message(const std::string& viewer_id, const std::string& id) override {
    std::lock_guard lock(mutex_);
    auto message = load_message(id);
    if (!message || !is_participant(viewer_id, message->conversation_id))
      return not_found("message");
    return message;
  }

  Result<CreatedMessage> create_message(const std::string& viewer_id,
                                        const NewMessage& input) override {
    std::lock_guard lock(mutex_);
    if (!is_participant(viewer_id, input.conversation_id)) return not_found("conversation");
    if (input.client_id) {
      // Same sender, same clientId: the message already exists; answer with it.
      auto existing = db_.prepare(std::string("SELECT ") + kMessageColumns +
                                  " FROM messages m WHERE m.conversation_id = ? AND "
                                  "m.author_id IS ? AND m.client_id = ?");
      if (!existing) return existing.error();
      existing->bind(1, input.conversation_id).bind(2, input.author_id).bind(3, *input.client_id);
      auto row = existing->step();
      if (!row) return row.error();
      if (*row) return CreatedMessage{read_message(*existing), false};
    }
    if (input.author_id) {
      if (auto quota = check_message_quota(*input.author_id); !quota) return quota.error();
    }
    Transaction tx(db_);
    if (!tx.started()) return make_error(ErrorCode::kStorage, "could not start a transaction");
    auto seq = next_seq(input.conversation_id);
    if (!seq) return seq.error();
    if (input.author_id) {
      auto count = db_.prepare("UPDATE users SET message_count = message_count + 1 WHERE id = ?");
      if (!count) return count.error();
      count->bind(1, *input.author_id);
      if (auto done = count->step(); !done) return done.error();
    }
    Message m;
    m.id = new_id("m");
    m.conversation_id = input.conversation_id;
    m.content = input.content;
    m.role = input.role;
    m.author_id = input.author_id;
    m.metadata = input.metadata;
    m.created_at = now_utc();
    m.seq = *seq;
    m.client_id = input.client_id;
    m.status = input.status;
    const std::string now = format_iso8601(m.created_at);
    auto insert = db_.prepare(
        "INSERT INTO messages(id, conversation_id, seq, content, role, author_id, metadata, "
        "created_at, client_id, status, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!insert) return insert.error();
    insert->bind(1, m.id).bind(2, m.conversation_id).bind(3, m.seq).bind(4, m.content);
    insert->bind(5, to_string(m.role)).bind(6, m.author_id);
    if (m.metadata) {
      insert->bind(7, protocol::dump_json(protocol::to_json(*m.metadata)));
    } else {
      insert->bind_null(7);
    }
    insert->bind(8, now).bind(9, m.client_id).bind(10, to_string(m.status)).bind(11, now);
    if (auto done = insert->step(); !done) return done.error();
    if (auto added = add_to_totals(m.conversation_id, 1, m.metadata); !added) return added.error();
    if (auto touched = touch_conversation(m.conversation_id, now); !touched) return touched.error();
    if (auto done = commit_change(tx, m.conversation_id, "created", "Message", m.id,
                                  protocol::dump_json(protocol::to_json(m)), m.seq);
        !done)
      return done.error();
    return CreatedMessage{std::move(m), true};
  }

  Result<Message> update_message_content(const std::string& viewer_id, const std::string& id,
                                         const std::string& content) override {
    std::lock_guard lock(mutex_);
    auto message = load_message(id);
    if (!message || !is_participant(viewer_id, message->conversation_id) ||
        message->author_id != viewer_id) {
      return not_found("message");
    }
    const std::string now = format_iso8601(now_utc());
    Transaction tx(db_);
    auto update = db_.prepare("UPDATE messages SET content = ?, updated_at = ? WHERE id = ?");
    if (!update) return update.error();
    update->bind(1, content).bind(2, now).bind(3, id);
    if (auto done = update->step(); !done) return done.error();
    if (auto touched = touch_conversation(message->conversation_id, now); !touched) {
      return touched.error();
    }
    message->content = content;
    const std::string data = protocol::dump_json(protocol::to_json(*message));
    if (auto done = rewrite_history(message->conversation_id, id, data, false); !done)
      return done.error();
    if (auto done = commit_change(tx, message->conversation_id, "updated", "Message", id, data);
        !done)
      return done.error();
    forget_old_text();
    return message;
  }

  Status delete_message(const std::string& viewer_id, const std::string& id) override {
    std::lock_guard lock(mutex_);
    auto message = load_message(id);
    // The author's own message, or an assistant reply in a conversation the viewer is in.
    const bool may_delete =
        message && (message->author_id == viewer_id || message->role == MessageRole::kAssistant);
    if (!message || !is_participant(viewer_id, message->conversation_id) || !may_delete) {
      return not_found("message");
    }
    // A tombstone, not a DELETE: replay by sequence must be able to say "this went away".
    Transaction tx(db_);
    if (!tx.started()) return make_error(ErrorCode::kStorage, "could not start a transaction");
    auto remove =
        db_.prepare("UPDATE messages SET deleted = 1, content = '', updated_at = ? WHERE id = ?");
    if (!remove) return remove.error();
    remove->bind(1, format_iso8601(now_utc())).bind(2, id);
    if (auto done = remove->step(); !done) return done.error();
    if (auto taken = add_to_totals(message->conversation_id, -1, message->metadata, -1); !taken)
      return taken.error();
    const std::string tombstone = protocol::dump_json(protocol::Json{{"id", id}});
    if (auto done = rewrite_history(message->conversation_id, id, tombstone, true); !done)
      return done.error();
    if (auto done =
            commit_change(tx, message->conversation_id, "deleted", "Message", id, tombstone);
        !done)
      return done.error();
    forget_old_text();
    return Ok{};
  }

  Result<Message> finish_message(const std::string& id, const std::string& content,
                                 MessageStatus status,
                                 const std::optional<MessageMetadata>& metadata) override {
    std::lock_guard lock(mutex_);
    auto message = load_message(id);
    if (!message) return message.error();
    const std::string now = format_iso8601(now_utc());
    Transaction tx(db_);
    if (!tx.started()) return make_error(ErrorCode::kStorage, "could not start a transaction");
    auto update = db_.prepare(
        "UPDATE messages SET content = ?, status = ?, metadata = ?, updated_at = ? WHERE id = ?");
    if (!update) return update.error();
    update->bind(1, content).bind(2, to_string(status));
    if (metadata) {
      update->bind(3, protocol::dump_json(protocol::to_json(*metadata)));
    } else {
      update->bind_null(3);
    }
    update->bind(4, now).bind(5, id);
    if (auto done = update->step(); !done) return done.error();
    // A reply's usage replaces what it had (none while it streamed).
    if (auto taken = add_to_totals(message->conversation_id, 0, message->metadata, -1); !taken)
      return taken.error();
    if (auto added = add_to_totals(message->conversation_id, 0, metadata); !added)
      return added.error();
    if (auto touched = touch_conversation(message->conversation_id, now); !touched) {
      return touched.error();
    }
    message->content = content;
    message->status = status;
    message->metadata = metadata;
    const std::string data = protocol::dump_json(protocol::to_json(*message));
    if (auto done = rewrite_history(message->conversation_id, id, data, false); !done)
      return done.error();
    if (auto done = commit_change(tx, message->conversation_id, "updated", "Message", id, data);
        !done)
      return done.error();
    return message;
  }

  Status mark_read(const std::string& viewer_id, const std::string& conversation_id,
                   const std::string& message_id) override {
    std::lock_guard lock(mutex_);
    auto message = load_message(message_id);
    if (!message || message->conversation_id != conversation_id ||
        !is_participant(viewer_id, conversation_id)) {
      return not_found("message");
    }
    auto update = db_.prepare(
        "UPDATE conversation_participants SET last_read_seq = MAX(last_read_seq, ?) "
        "WHERE conversation_id = ? AND user_id = ?");
    if (!update) return update.error();
    update->bind(1, message->seq).bind(2, conversation_id).bind(3, viewer_id);
    if (auto done = update->step(); !done) return done.error();
    return Ok{};
  }

 private:
  Result<StoredUser> find_stored_user(const char* column, const std::string& value) {
    auto select =
        db_.prepare(std::string("SELECT ") + kUserColumns +
                    ", u.password_hash, u.is_guest, u.tokens_revoked_before FROM users u WHERE u." +
                    column + " = ?");
    if (!select) return select.error();
    select->bind(1, value);
    auto row = select->step();
    if (!row) return row.error();
    if (!*row) return not_found("user");
    StoredUser stored;
    stored.user = read_user(*select);
    stored.password_hash = select->column_text(6);
    stored.guest = select->column_int(7) != 0;
    stored.tokens_revoked_before = select->column_int(8);
    return stored;
  }

  bool is_participant(const std::string& user_id, const std::string& conversation_id) {
    auto select = db_.prepare(
        "SELECT 1 FROM conversation_participants WHERE conversation_id = ? AND user_id = ?");
    if (!select) return false;
    select->bind(1, conversation_id).bind(2, user_id);
    auto row = select->step();
    return row && *row;
  }

  Result<Conversation> load_conversation(const std::string& id) {
    auto select = db_.prepare(
        "SELECT id, title, type, system_prompt, model, temperature, created_at, updated_at, "
        "created_by, message_count, total_tokens, total_cost FROM conversations WHERE id = ?");
    if (!select) return select.error();
    select->bind(1, id);
    auto row = select->step();
    if (!row) return row.error();
    if (!*row) return not_found("conversation");
    Conversation c;
    c.id = select->column_text(0);
    c.title = select->column_text(1);
    c.type = conversation_type_from_string(select->column_text(2)).value_or(ConversationType::kAi);
    c.system_prompt = select->column_optional_text(3);
    c.model = select->column_optional_text(4);
    if (!select->column_is_null(5)) c.temperature = select->column_double(5);
    c.created_at = read_time(*select, 6);
    c.updated_at = read_time(*select, 7);
    c.created_by_id = select->column_optional_text(8);
    c.totals = ConversationTotals{select->column_int(9), select->column_int(10),
                                  select->column_double(11)};
    // One query for all participants (not one per user: lists load many conversations).
    auto members = db_.prepare(std::string("SELECT ") + kUserColumns +
                               " FROM conversation_participants p JOIN users u ON u.id = "
                               "p.user_id WHERE p.conversation_id = ? ORDER BY u.created_at, u.id");
    if (!members) return members.error();
    members->bind(1, id);
    while (true) {
      auto member = members->step();
      if (!member) return member.error();
      if (!*member) break;
      c.participants.push_back(read_user(*members));
      // An address is its owner's alone: a conversation shows people, never their emails
      // (else adding any user id to a group would read that user's address back).
      c.participants.back().email.clear();
    }
    return c;
  }

  Result<std::vector<Message>> streaming_messages() override {
    std::lock_guard lock(mutex_);
    auto select = db_.prepare(std::string("SELECT ") + kMessageColumns +
                              " FROM messages m WHERE m.status = 'streaming' AND m.deleted = 0");
    if (!select) return select.error();
    std::vector<Message> out;
    while (true) {
      auto row = select->step();
      if (!row) return row.error();
      if (!*row) break;
      out.push_back(read_message(*select));
    }
    return out;
  }

  // Moves a conversation's totals by one message's worth: `messages` to the count, and
  // `sign` × its usage (if any) to the tokens and cost. Called inside every write that adds,
  // removes or finishes a message, so the counters stay exact without a scan.
  Status add_to_totals(const std::string& conversation_id, int64_t messages,
                       const std::optional<MessageMetadata>& metadata, int sign = 1) {
    const Usage* usage = metadata && metadata->usage ? &*metadata->usage : nullptr;
    if (messages == 0 && !usage) return Ok{};
    auto update = db_.prepare(
        "UPDATE conversations SET message_count = message_count + ?, "
        "total_tokens = total_tokens + ?, total_cost = total_cost + ? WHERE id = ?");
    if (!update) return update.error();
    update->bind(1, messages)
        .bind(2, usage ? sign * usage->total_tokens : int64_t{0})
        .bind(3, usage ? sign * usage->estimated_cost : 0.0)
        .bind(4, conversation_id);
    if (auto done = update->step(); !done) return done.error();
    return Ok{};
  }

  Result<ConversationTotals> load_conversation_totals(const std::string& id) {
    auto select = db_.prepare(
        "SELECT message_count, total_tokens, total_cost FROM conversations WHERE id = ?");
    if (!select) return select.error();
    select->bind(1, id);
    auto row = select->step();
    if (!row) return row.error();
    if (!*row) return not_found("conversation");
    return ConversationTotals{select->column_int(0), select->column_int(1),
                              select->column_double(2)};
  }

  Result<Message> load_message(const std::string& id) {
    auto select = db_.prepare(std::string("SELECT ") + kMessageColumns +
                              " FROM messages m WHERE m.id = ? AND m.deleted = 0");
    if (!select) return select.error();
    select->bind(1, id);
    auto row = select->step();
    if (!row) return row.error();
    if (!*row) return not_found("message");
    return read_message(*select);
  }

  Result<int64_t> next_seq(const std::string& conversation_id) {
    auto bump = db_.prepare(
        "UPDATE conversations SET last_seq = last_seq + 1 WHERE id = ? RETURNING last_seq");
    if (!bump) return bump.error();
    bump->bind(1, conversation_id);
    auto row = bump->step();
    if (!row) return row.error();
    if (!*row) return not_found("conversation");
    return bump->column_int(0);
  }

  // Takes the next sequence number (or the one given) and stores the event with it.
  Result<ChangeEvent> record_event(const std::string& conversation_id, const char* kind,
                                   const char* entity, const std::string& entity_id,
                                   std::string data, std::optional<int64_t> seq = {}) {
    if (!seq) {
      auto next = next_seq(conversation_id);
      if (!next) return next.error();
      seq = *next;
    }
    ChangeEvent event{conversation_id, *seq, kind, entity, entity_id, std::move(data), now_utc()};
    auto insert = db_.prepare(
        "INSERT INTO events(conversation_id, seq, kind, entity, entity_id, data, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)");
    if (!insert) return insert.error();
    insert->bind(1, conversation_id).bind(2, event.seq).bind(3, event.kind).bind(4, event.entity);
    insert->bind(5, entity_id).bind(6, event.data).bind(7, format_iso8601(event.timestamp));
    if (auto done = insert->step(); !done) return done.error();
    return event;
  }

  // Records the change as the next event, commits, then tells the listener: one place for
  // the rule that every write is sequenced, durable and announced in commit order.
  Status commit_change(Transaction& tx, const std::string& conversation_id, const char* kind,
                       const char* entity, const std::string& entity_id, std::string data,
                       std::optional<int64_t> seq = {}, std::vector<std::string> removed = {}) {
    if (std::string_view(entity) == "Conversation" && std::string_view(kind) == "updated") {
      if (auto done = rewrite_history(conversation_id, entity_id, data, false); !done) return done;
    }
    auto event = record_event(conversation_id, kind, entity, entity_id, std::move(data), seq);
    if (!event) return event.error();
    if (std::string_view(entity) == "Message") {
      // The list a client shows patches its row from the event: the new totals ride along.
      auto totals = load_conversation_totals(conversation_id);
      if (!totals) return totals.error();
      event->totals = *totals;
    }
    if (auto committed = tx.commit(); !committed) return committed;
    if (!listener_) return Ok{};
    auto members = members_of(event->conversation_id);
    if (members) listener_(*event, Audience{std::move(*members), std::move(removed)});
    return Ok{};
  }

  void emit_to(const ChangeEvent& event, const Audience& audience) {
    if (listener_) listener_(event, audience);
  }

  // After an edit or a deletion the old text is out of every table, and secure_delete has
  // zeroed it in the pages — but the write-ahead log still holds the pages as they were
  // until a checkpoint. Checkpointing and truncating it now leaves the text nowhere on
  // disk. Edits and deletions are rare next to sends, so the cost is not felt.
  void forget_old_text() {
    if (auto s = db_.exec("PRAGMA wal_checkpoint(TRUNCATE)"); !s) {
      // Not fatal: the next automatic checkpoint overwrites the log in time.
      (void)s;
    }
  }

  // Replay shows what is: the entity's earlier events take its current state (a tombstone
  // once it is deleted), so an edited or deleted text is nowhere in the log afterwards.
  Status rewrite_history(const std::string& conversation_id, const std::string& entity_id,
                         const std::string& data, bool deleted) {
    auto update = db_.prepare(
        "UPDATE events SET data = ?, kind = CASE WHEN ? THEN 'deleted' ELSE kind END "
        "WHERE conversation_id = ? AND entity_id = ?");
    if (!update) return update.error();
    update->bind(1, data).bind(2, int64_t{deleted ? 1 : 0}).bind(3, conversation_id);
    update->bind(4, entity_id);
    if (auto done = update->step(); !done) return done.error();
    return Ok{};
  }

  Result<bool> is_guest(const std::string& user_id) {
    auto select = db_.prepare("SELECT is_guest FROM users WHERE id = ?");
    if (!select) return select.error();
    select->bind(1, user_id);
    auto row = select->step();
    if (!row) return row.error();
    if (!*row) return not_found("user");
    return select->column_int(0) != 0;
  }

  Status check_conversation_quota(const std::string& user_id) {
    auto guest = is_guest(user_id);
    if (!guest) return guest.error();
    const int64_t limit = *guest ? limits_.guest_conversations : limits_.conversations;
    auto count = db_.prepare("SELECT COUNT(*) FROM conversation_participants WHERE user_id = ?");
    if (!count) return count.error();
    count->bind(1, user_id);
    if (auto row = count->step(); !row) return row.error();
    if (count->column_int(0) >= limit) {
      return make_error(ErrorCode::kForbidden, "this account has reached its limit of " +
                                                   std::to_string(limit) +
                                                   " conversations; delete some to start new ones");
    }
    return Ok{};
  }

  Status check_message_quota(const std::string& user_id) {
    auto select = db_.prepare("SELECT is_guest, message_count FROM users WHERE id = ?");
    if (!select) return select.error();
    select->bind(1, user_id);
    auto row = select->step();
    if (!row) return row.error();
    if (!*row) return Ok{};  // not a user's message (the assistant's)
    const int64_t limit = select->column_int(0) ? limits_.guest_messages : limits_.messages;
    if (select->column_int(1) >= limit) {
      return make_error(ErrorCode::kForbidden, "this account has reached its limit of " +
                                                   std::to_string(limit) + " messages");
    }
    return Ok{};
  }

  Result<std::vector<std::string>> members_of(const std::string& conversation_id) {
    auto select = db_.prepare(
        "SELECT user_id FROM conversation_participants WHERE conversation_id = ? ORDER BY user_id");
    if (!select) return select.error();
    select->bind(1, conversation_id);
    std::vector<std::string> ids;
    while (true) {
      auto row = select->step();
      if (!row) return row.error();
      if (!*row) break;
      ids.push_back(select->column_text(0));
    }
    return ids;
  }

  Status touch_conversation(const std::string& id, const std::string& now) {
    auto touch = db_.prepare("UPDATE conversations SET updated_at = ? WHERE id = ?");
    if (!touch) return touch.error();
    touch->bind(1, now).bind(2, id);
    if (auto done = touch->step(); !done) return done.error();
    return Ok{};
  }

  Database& db_;
  AccountLimits limits_;
  std::mutex mutex_;
  ChangeListener listener_;
};

}  // namespace

std::unique_ptr<Storage> make_sqlite_storage(Database& db, AccountLimits limits) {
  return std::make_unique<SqliteStorage>(db, limits);
}

}  // namespace imchat::server
