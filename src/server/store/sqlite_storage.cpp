// SqliteStorage (sqlite_storage.h): the change hand-off — every write sequenced, durable and
// announced in commit order —, replay, conversations, and the factory.
#include <algorithm>
#include <mutex>

#include "protocol/model_json.h"
#include "server/store/ids.h"
#include "server/store/sqlite_storage.h"

namespace imchat::server::sqlite {

Error not_found(const char* what) {
  return make_error(ErrorCode::kNotFound, std::string(what) + " not found");
}

Timestamp read_time(const Statement& row, int column) {
  auto parsed = parse_iso8601(row.column_text(column));
  return parsed ? *parsed : Timestamp{};
}

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

Result<std::vector<ChangeEvent>> SqliteStorage::events_since(const std::string& viewer_id,
                                                             const std::string& conversation_id,
                                                             int64_t since_seq, int64_t limit,
                                                             size_t max_bytes) {
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

Result<int64_t> SqliteStorage::last_seq(const std::string& viewer_id,
                                        const std::string& conversation_id) {
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

Result<std::vector<std::string>> SqliteStorage::participant_ids(
    const std::string& viewer_id, const std::string& conversation_id) {
  std::lock_guard lock(mutex_);
  if (!is_participant(viewer_id, conversation_id)) return not_found("conversation");
  return members_of(conversation_id);
}

Result<Conversation> SqliteStorage::create_conversation(const std::string& creator_id,
                                                        const NewConversation& input) {
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

Result<Page<ConversationSummary>> SqliteStorage::list_conversations(
    const std::string& viewer_id, const ConversationQuery& query) {
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

Result<Conversation> SqliteStorage::get_conversation(const std::string& viewer_id,
                                                     const std::string& id) {
  std::lock_guard lock(mutex_);
  if (!is_participant(viewer_id, id)) return not_found("conversation");
  return load_conversation(id);
}

Result<Conversation> SqliteStorage::update_conversation(const std::string& viewer_id,
                                                        const std::string& id,
                                                        const ConversationPatch& patch) {
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

bool SqliteStorage::may_change_settings(const Conversation& c, const std::string& viewer_id) {
  if (c.type == ConversationType::kDirect || !c.created_by_id) return true;
  return *c.created_by_id == viewer_id;
}

bool SqliteStorage::deletes_for_everyone(const Conversation& c, const std::string& viewer_id) {
  if (c.participants.size() <= 1) return true;  // the last one out
  if (c.type == ConversationType::kDirect || !c.created_by_id) return false;
  return *c.created_by_id == viewer_id;
}

Status SqliteStorage::delete_conversation(const std::string& viewer_id, const std::string& id,
                                          bool* left) {
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

Status SqliteStorage::leave_conversation(const std::string& viewer_id, const std::string& id) {
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

bool SqliteStorage::is_participant(const std::string& user_id, const std::string& conversation_id) {
  auto select = db_.prepare(
      "SELECT 1 FROM conversation_participants WHERE conversation_id = ? AND user_id = ?");
  if (!select) return false;
  select->bind(1, conversation_id).bind(2, user_id);
  auto row = select->step();
  return row && *row;
}

Result<Conversation> SqliteStorage::load_conversation(const std::string& id) {
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
  c.totals =
      ConversationTotals{select->column_int(9), select->column_int(10), select->column_double(11)};
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

Result<int64_t> SqliteStorage::next_seq(const std::string& conversation_id) {
  auto bump = db_.prepare(
      "UPDATE conversations SET last_seq = last_seq + 1 WHERE id = ? RETURNING last_seq");
  if (!bump) return bump.error();
  bump->bind(1, conversation_id);
  auto row = bump->step();
  if (!row) return row.error();
  if (!*row) return not_found("conversation");
  return bump->column_int(0);
}

Result<ChangeEvent> SqliteStorage::record_event(const std::string& conversation_id,
                                                const char* kind, const char* entity,
                                                const std::string& entity_id, std::string data,
                                                std::optional<int64_t> seq) {
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

Status SqliteStorage::commit_change(Transaction& tx, const std::string& conversation_id,
                                    const char* kind, const char* entity,
                                    const std::string& entity_id, std::string data,
                                    std::optional<int64_t> seq, std::vector<std::string> removed) {
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

void SqliteStorage::emit_to(const ChangeEvent& event, const Audience& audience) {
  if (listener_) listener_(event, audience);
}

Result<std::vector<std::string>> SqliteStorage::members_of(const std::string& conversation_id) {
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

Status SqliteStorage::touch_conversation(const std::string& id, const std::string& now) {
  auto touch = db_.prepare("UPDATE conversations SET updated_at = ? WHERE id = ?");
  if (!touch) return touch.error();
  touch->bind(1, now).bind(2, id);
  if (auto done = touch->step(); !done) return done.error();
  return Ok{};
}

}  // namespace imchat::server::sqlite

namespace imchat::server {

std::unique_ptr<Storage> make_sqlite_storage(Database& db, AccountLimits limits) {
  return std::make_unique<sqlite::SqliteStorage>(db, limits);
}

}  // namespace imchat::server
