// Schema history. Append only: a released migration is never edited, a change is a new one.
#include "server/store/database.h"

namespace imchat::server {

namespace {

constexpr Migration kMigrations[] = {
    {"001_initial_model",
     // The product's three entities. Timestamps are ISO-8601 UTC text; ids are opaque text.
     "CREATE TABLE users ("
     "  id TEXT PRIMARY KEY,"
     "  email TEXT NOT NULL UNIQUE,"
     "  name TEXT NOT NULL,"
     "  avatar TEXT,"
     "  created_at TEXT NOT NULL,"
     "  updated_at TEXT NOT NULL);"
     "CREATE TABLE conversations ("
     "  id TEXT PRIMARY KEY,"
     "  title TEXT NOT NULL,"
     "  type TEXT NOT NULL CHECK (type IN ('DIRECT','GROUP','AI')),"
     "  system_prompt TEXT,"
     "  model TEXT,"
     "  temperature REAL,"
     "  created_at TEXT NOT NULL,"
     "  updated_at TEXT NOT NULL);"
     "CREATE TABLE conversation_participants ("
     "  conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,"
     "  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
     "  PRIMARY KEY (conversation_id, user_id));"
     "CREATE TABLE messages ("
     "  id TEXT PRIMARY KEY,"
     "  conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,"
     "  seq INTEGER NOT NULL,"
     "  content TEXT NOT NULL,"
     "  role TEXT NOT NULL CHECK (role IN ('USER','ASSISTANT','SYSTEM','FUNCTION')),"
     "  author_id TEXT REFERENCES users(id) ON DELETE SET NULL,"
     "  metadata TEXT,"
     "  created_at TEXT NOT NULL,"
     "  UNIQUE (conversation_id, seq));"
     "CREATE INDEX messages_by_conversation ON messages(conversation_id, seq);"},
    {"002_auth_sequences_idempotency",
     // Accounts (password hash, guests); a per-conversation sequence counter; read
     // positions for unread counts; message idempotency keys, status and tombstones.
     "ALTER TABLE users ADD COLUMN password_hash TEXT NOT NULL DEFAULT '';"
     "ALTER TABLE users ADD COLUMN is_guest INTEGER NOT NULL DEFAULT 0;"
     "ALTER TABLE conversations ADD COLUMN last_seq INTEGER NOT NULL DEFAULT 0;"
     "ALTER TABLE conversation_participants ADD COLUMN last_read_seq INTEGER NOT NULL DEFAULT 0;"
     "ALTER TABLE messages ADD COLUMN client_id TEXT;"
     "ALTER TABLE messages ADD COLUMN status TEXT NOT NULL DEFAULT 'complete';"
     "ALTER TABLE messages ADD COLUMN updated_at TEXT;"
     "ALTER TABLE messages ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0;"
     "CREATE UNIQUE INDEX messages_by_client_id"
     "  ON messages(conversation_id, author_id, client_id) WHERE client_id IS NOT NULL;"
     "CREATE INDEX participants_by_user ON conversation_participants(user_id);"
     "CREATE INDEX conversations_by_updated ON conversations(updated_at);"},
    {"003_change_events",
     // Every change in a conversation's sequence order, for replay after a disconnect.
     "CREATE TABLE events ("
     "  conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,"
     "  seq INTEGER NOT NULL,"
     "  kind TEXT NOT NULL CHECK (kind IN ('created','updated','deleted')),"
     "  entity TEXT NOT NULL CHECK (entity IN ('Message','Conversation')),"
     "  entity_id TEXT NOT NULL,"
     "  data TEXT NOT NULL,"
     "  created_at TEXT NOT NULL,"
     "  PRIMARY KEY (conversation_id, seq)) WITHOUT ROWID;"},
    {"004_sessions_owners_quotas",
     // Server-side sessions, so a token can be revoked (sign-out, a password change).
     "CREATE TABLE sessions ("
     "  id TEXT PRIMARY KEY,"
     "  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
     "  created_at TEXT NOT NULL,"
     "  expires_at TEXT NOT NULL,"
     "  last_seen_at TEXT NOT NULL) WITHOUT ROWID;"
     "CREATE INDEX sessions_by_user ON sessions(user_id);"
     // When an account was last used (guests unused for long are removed) and how many
     // messages it wrote (the per-account cap), kept as a counter: no scan per send.
     "ALTER TABLE users ADD COLUMN last_seen_at TEXT;"
     "UPDATE users SET last_seen_at = updated_at;"
     "ALTER TABLE users ADD COLUMN message_count INTEGER NOT NULL DEFAULT 0;"
     // Tokens from before sessions stand until their exp, unless signed out: then every
     // such token of the account issued up to this moment is refused.
     "ALTER TABLE users ADD COLUMN tokens_revoked_before INTEGER NOT NULL DEFAULT 0;"
     "UPDATE users SET message_count ="
     "  (SELECT COUNT(*) FROM messages m WHERE m.author_id = users.id);"
     "CREATE INDEX users_by_guest_last_seen ON users(is_guest, last_seen_at);"
     // Who created a conversation: the one who may delete a group for everyone. For older
     // rows, the first participant stored (the creator is always inserted first).
     "ALTER TABLE conversations ADD COLUMN created_by TEXT REFERENCES users(id) ON DELETE SET NULL;"
     "UPDATE conversations SET created_by = (SELECT p.user_id FROM conversation_participants p"
     "  WHERE p.conversation_id = conversations.id ORDER BY p.rowid LIMIT 1);"
     // Replay shows what is, not what was: every event of an entity carries the entity as
     // it is now, and a deleted message's events are tombstones — edited and deleted text
     // leaves the log. From here on the store keeps it so on every write.
     "CREATE INDEX events_by_entity ON events(conversation_id, entity_id);"
     "UPDATE events SET data = (SELECT e2.data FROM events e2"
     "  WHERE e2.conversation_id = events.conversation_id AND e2.entity_id = events.entity_id"
     "  ORDER BY e2.seq DESC LIMIT 1);"
     "UPDATE events SET kind = 'deleted', data = json_object('id', entity_id)"
     "  WHERE entity = 'Message' AND entity_id IN (SELECT id FROM messages WHERE deleted = 1);"
     // A conversation shows people without their addresses, in the log too.
     "UPDATE events SET data = json_set(data, '$.participants', json((SELECT"
     "  json_group_array(json(json_remove(p.value, '$.email'))) FROM"
     "  json_each(events.data, '$.participants') p)))"
     "  WHERE entity = 'Conversation' AND json_type(data, '$.participants') = 'array';"},
    {"005_conversation_totals",
     // What a whole conversation holds and has cost, kept as counters with every write: a
     // client shows them whatever page of a long chat it has loaded, and reading them never
     // scans the history.
     "ALTER TABLE conversations ADD COLUMN message_count INTEGER NOT NULL DEFAULT 0;"
     "ALTER TABLE conversations ADD COLUMN total_tokens INTEGER NOT NULL DEFAULT 0;"
     "ALTER TABLE conversations ADD COLUMN total_cost REAL NOT NULL DEFAULT 0;"
     "UPDATE conversations SET"
     "  message_count = (SELECT COUNT(*) FROM messages m"
     "    WHERE m.conversation_id = conversations.id AND m.deleted = 0),"
     "  total_tokens = (SELECT COALESCE(SUM(json_extract(m.metadata, '$.usage.totalTokens')), 0)"
     "    FROM messages m WHERE m.conversation_id = conversations.id AND m.deleted = 0"
     "    AND json_valid(m.metadata)),"
     "  total_cost = (SELECT COALESCE(SUM(json_extract(m.metadata, '$.usage.estimatedCost')), 0)"
     "    FROM messages m WHERE m.conversation_id = conversations.id AND m.deleted = 0"
     "    AND json_valid(m.metadata));"},
};

}  // namespace

const Migration* migrations(size_t& count) {
  count = sizeof(kMigrations) / sizeof(kMigrations[0]);
  return kMigrations;
}

}  // namespace imchat::server
