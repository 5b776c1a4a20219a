// SqliteStorage (sqlite_storage.h): messages, read receipts and conversation totals.
#include <algorithm>
#include <mutex>

#include "protocol/model_json.h"
#include "server/store/ids.h"
#include "server/store/sqlite_storage.h"

namespace imchat::server::sqlite {

Result<Page<Message>> SqliteStorage::list_messages(const std::string& viewer_id,
                                                   const std::string& conversation_id,
                                                   const MessageQuery& query) {
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
  auto select = db_.prepare(std::string("SELECT ") + kMessageColumns + " FROM messages m" + where +
                            " ORDER BY m.seq" + (query.order_desc ? " DESC" : " ASC") +
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

Result<Message> SqliteStorage::get_message(const std::string& viewer_id, const std::string& id) {
  std::lock_guard lock(mutex_);
  auto message = load_message(id);
  if (!message || !is_participant(viewer_id, message->conversation_id)) return not_found("message");
  return message;
}

Result<CreatedMessage> SqliteStorage::create_message(const std::string& viewer_id,
                                                     const NewMessage& input) {
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

Result<Message> SqliteStorage::update_message_content(const std::string& viewer_id,
                                                      const std::string& id,
                                                      const std::string& content) {
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
  if (auto done = commit_message_update(tx, *message); !done) return done.error();
  forget_old_text();
  return message;
}

Status SqliteStorage::delete_message(const std::string& viewer_id, const std::string& id) {
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
  if (auto done = commit_change(tx, message->conversation_id, "deleted", "Message", id, tombstone);
      !done)
    return done.error();
  forget_old_text();
  return Ok{};
}

Result<Message> SqliteStorage::finish_message(const std::string& id, const std::string& content,
                                              MessageStatus status,
                                              const std::optional<MessageMetadata>& metadata) {
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
  if (auto done = commit_message_update(tx, *message); !done) return done.error();
  return message;
}

Status SqliteStorage::mark_read(const std::string& viewer_id, const std::string& conversation_id,
                                const std::string& message_id) {
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

Result<std::vector<Message>> SqliteStorage::streaming_messages() {
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

Status SqliteStorage::add_to_totals(const std::string& conversation_id, int64_t messages,
                                    const std::optional<MessageMetadata>& metadata, int sign) {
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

Result<ConversationTotals> SqliteStorage::load_conversation_totals(const std::string& id) {
  auto select =
      db_.prepare("SELECT message_count, total_tokens, total_cost FROM conversations WHERE id = ?");
  if (!select) return select.error();
  select->bind(1, id);
  auto row = select->step();
  if (!row) return row.error();
  if (!*row) return not_found("conversation");
  return ConversationTotals{select->column_int(0), select->column_int(1), select->column_double(2)};
}

Result<Message> SqliteStorage::load_message(const std::string& id) {
  auto select = db_.prepare(std::string("SELECT ") + kMessageColumns +
                            " FROM messages m WHERE m.id = ? AND m.deleted = 0");
  if (!select) return select.error();
  select->bind(1, id);
  auto row = select->step();
  if (!row) return row.error();
  if (!*row) return not_found("message");
  return read_message(*select);
}

void SqliteStorage::forget_old_text() {
  if (auto s = db_.exec("PRAGMA wal_checkpoint(TRUNCATE)"); !s) {
    // Not fatal: the next automatic checkpoint overwrites the log in time.
    (void)s;
  }
}

Status SqliteStorage::rewrite_history(const std::string& conversation_id,
                                      const std::string& entity_id, const std::string& data,
                                      bool deleted) {
  auto update = db_.prepare(
      "UPDATE events SET data = ?, kind = CASE WHEN ? THEN 'deleted' ELSE kind END "
      "WHERE conversation_id = ? AND entity_id = ?");
  if (!update) return update.error();
  update->bind(1, data).bind(2, int64_t{deleted ? 1 : 0}).bind(3, conversation_id);
  update->bind(4, entity_id);
  if (auto done = update->step(); !done) return done.error();
  return Ok{};
}

Status SqliteStorage::commit_message_update(Transaction& tx, const Message& message) {
  const std::string data = protocol::dump_json(protocol::to_json(message));
  if (auto done = rewrite_history(message.conversation_id, message.id, data, false); !done)
    return done;
  return commit_change(tx, message.conversation_id, "updated", "Message", message.id, data);
}

}  // namespace imchat::server::sqlite
