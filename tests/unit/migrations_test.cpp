// Migration 004 on a database an older server wrote: the event log keeps no one's email,
// no deleted text, and the file is rewritten so freed pages hold none either.
#include <gtest/gtest.h>

#include <sqlite3.h>

#include <fstream>
#include <iterator>

#include "server/store/database.h"
#include "support/temp_dir.h"

namespace imchat::server {
namespace {

void exec(sqlite3* db, const std::string& sql) {
  char* error = nullptr;
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK)
      << (error ? error : "") << "\n"
      << sql;
}

TEST(Migrations, TheLogOfAnOlderServerLosesEmailsAndDeletedText) {
  testing::TempDir dir;
  const std::string path = (dir.path() / "imchat.db").string();
  {
    // A database as schema 3 left it.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    exec(db, "PRAGMA journal_mode=WAL");
    exec(db,
         "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
         "applied_at TEXT NOT NULL DEFAULT '')");
    size_t count = 0;
    const Migration* list = migrations(count);
    for (int i = 0; i < 3; ++i) {
      exec(db, list[i].sql);
      exec(db, "INSERT INTO schema_migrations(version, name) VALUES (" + std::to_string(i + 1) +
                   ", '" + list[i].name + "')");
    }
    const char* t = "'2026-01-01T00:00:00.000Z'";
    exec(db, std::string("INSERT INTO users(id, email, name, created_at, updated_at) VALUES "
                         "('u_a','ada@example.com','Ada',") +
                 t + "," + t + "),('u_b','bob@example.com','Bob'," + t + "," + t + ")");
    exec(db, std::string("INSERT INTO conversations(id, title, type, created_at, updated_at, "
                         "last_seq) VALUES ('c_1','t','GROUP',") +
                 t + "," + t + ",3)");
    exec(db,
         "INSERT INTO conversation_participants(conversation_id, user_id) VALUES "
         "('c_1','u_a'),('c_1','u_b')");
    exec(db, std::string("INSERT INTO messages(id, conversation_id, seq, content, role, "
                         "author_id, created_at, deleted) VALUES ('m_1','c_1',2,'','USER','u_a',") +
                 t + ",1)");
    exec(db, std::string(
                 "INSERT INTO events VALUES ('c_1',1,'created','Conversation','c_1',"
                 "'{\"id\":\"c_1\",\"participants\":[{\"id\":\"u_a\",\"email\":\"ada@example.com\","
                 "\"name\":\"Ada\"},{\"id\":\"u_b\",\"email\":\"bob@example.com\",\"name\":\"Bob\"}"
                 "]}',") +
                 t + ")");
    exec(db, std::string("INSERT INTO events VALUES ('c_1',2,'created','Message','m_1',"
                         "'{\"id\":\"m_1\",\"content\":\"the-deleted-secret\"}',") +
                 t + ")");
    exec(db, std::string("INSERT INTO events VALUES ('c_1',3,'deleted','Message','m_1',"
                         "'{\"id\":\"m_1\"}',") +
                 t + ")");
    sqlite3_close(db);
  }
  auto db = Database::open(dir.str());
  ASSERT_TRUE(db) << db.error().describe();
  EXPECT_GE((*db)->schema_version(), 4);
  auto select = (*db)->prepare("SELECT seq, kind, data FROM events ORDER BY seq");
  ASSERT_TRUE(select);
  std::vector<std::string> rows;
  while (*select->step())
    rows.push_back(std::to_string(select->column_int(0)) + " " + select->column_text(1) + " " +
                   select->column_text(2));
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].find("@example.com"), std::string::npos) << rows[0];
  EXPECT_NE(rows[0].find("\"name\":\"Bob\""), std::string::npos) << rows[0];
  EXPECT_EQ(rows[1], "2 deleted {\"id\":\"m_1\"}");
  db->reset();
  std::string bytes;
  for (const char* name : {"imchat.db", "imchat.db-wal"}) {
    std::ifstream in(dir.path() / name, std::ios::binary);
    bytes += std::string(std::istreambuf_iterator<char>(in), {});
  }
  EXPECT_EQ(bytes.find("the-deleted-secret"), std::string::npos) << "freed pages were rewritten";
  EXPECT_EQ(bytes.find("bob@example.com\",\"name"), std::string::npos);
}

}  // namespace
}  // namespace imchat::server
