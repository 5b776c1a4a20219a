// Schema history. Append only: a released migration is never edited, a change is a new one.
#include "server/database.h"

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
};

}  // namespace

const Migration* migrations(size_t& count) {
  count = sizeof(kMigrations) / sizeof(kMigrations[0]);
  return kMigrations;
}

}  // namespace imchat::server
