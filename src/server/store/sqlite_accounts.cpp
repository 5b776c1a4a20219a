// SqliteStorage (sqlite_storage.h): users, passwords, sessions, guests and account quotas.
#include <algorithm>
#include <mutex>

#include "protocol/model_json.h"
#include "server/store/ids.h"
#include "server/store/sqlite_storage.h"

namespace imchat::server::sqlite {

Result<User> SqliteStorage::create_user(const NewUser& input) {
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

Result<StoredUser> SqliteStorage::find_user_by_email(const std::string& email) {
  std::lock_guard lock(mutex_);
  return find_stored_user("email", email);
}

Result<User> SqliteStorage::find_user(const std::string& id) {
  std::lock_guard lock(mutex_);
  auto stored = find_stored_user("id", id);
  if (!stored) return stored.error();
  return stored->user;
}

Result<StoredUser> SqliteStorage::find_account(const std::string& id) {
  std::lock_guard lock(mutex_);
  return find_stored_user("id", id);
}

Status SqliteStorage::revoke_tokens_before(const std::string& user_id, int64_t before) {
  std::lock_guard lock(mutex_);
  auto update = db_.prepare(
      "UPDATE users SET tokens_revoked_before = MAX(tokens_revoked_before, ?) WHERE id = ?");
  if (!update) return update.error();
  update->bind(1, before).bind(2, user_id);
  if (auto done = update->step(); !done) return done.error();
  return Ok{};
}

Status SqliteStorage::expire_sessions(Timestamp now) {
  std::lock_guard lock(mutex_);
  auto remove = db_.prepare("DELETE FROM sessions WHERE expires_at < ?");
  if (!remove) return remove.error();
  remove->bind(1, format_iso8601(now));
  if (auto done = remove->step(); !done) return done.error();
  return Ok{};
}

Status SqliteStorage::set_password_hash(const std::string& user_id, const std::string& hash) {
  std::lock_guard lock(mutex_);
  auto update = db_.prepare("UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?");
  if (!update) return update.error();
  update->bind(1, hash).bind(2, format_iso8601(now_utc())).bind(3, user_id);
  if (auto done = update->step(); !done) return done.error();
  if (db_.changes() == 0) return not_found("user");
  return Ok{};
}

Result<AuthSession> SqliteStorage::create_session(const std::string& user_id,
                                                  Timestamp expires_at) {
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

Result<SessionUser> SqliteStorage::find_session(const std::string& session_id, Timestamp now) {
  std::lock_guard lock(mutex_);
  auto select = db_.prepare("SELECT user_id, expires_at, last_seen_at FROM sessions WHERE id = ?");
  if (!select) return select.error();
  select->bind(1, session_id);
  auto row = select->step();
  if (!row) return row.error();
  if (!*row) return not_found("session");
  SessionUser out;
  out.session = {session_id, select->column_text(0), read_time(*select, 1), read_time(*select, 2)};
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

Status SqliteStorage::delete_session(const std::string& session_id) {
  std::lock_guard lock(mutex_);
  auto remove = db_.prepare("DELETE FROM sessions WHERE id = ?");
  if (!remove) return remove.error();
  remove->bind(1, session_id);
  if (auto done = remove->step(); !done) return done.error();
  return Ok{};
}

Result<std::vector<std::string>> SqliteStorage::delete_sessions_of(const std::string& user_id,
                                                                   const std::string& keep) {
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

Result<std::vector<std::string>> SqliteStorage::expire_guests(Timestamp unused_since) {
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

Result<StoredUser> SqliteStorage::find_stored_user(const char* column, const std::string& value) {
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

Result<bool> SqliteStorage::is_guest(const std::string& user_id) {
  auto select = db_.prepare("SELECT is_guest FROM users WHERE id = ?");
  if (!select) return select.error();
  select->bind(1, user_id);
  auto row = select->step();
  if (!row) return row.error();
  if (!*row) return not_found("user");
  return select->column_int(0) != 0;
}

Status SqliteStorage::check_conversation_quota(const std::string& user_id) {
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

Status SqliteStorage::check_message_quota(const std::string& user_id) {
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

}  // namespace imchat::server::sqlite
