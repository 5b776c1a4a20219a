// Database (database.h): the SQLite connection under DATA_DIR, prepared statements, migrations.
#include "server/store/database.h"

#include <sqlite3.h>

#include <sys/stat.h>

#include <filesystem>

namespace imchat::server {
namespace {

Error sqlite_error(sqlite3* db, std::string_view what) {
  return make_error(ErrorCode::kStorage, std::string(what) + ": " + sqlite3_errmsg(db));
}

}  // namespace

Statement::~Statement() {
  if (stmt_) sqlite3_finalize(stmt_);
}

Statement::Statement(Statement&& other) noexcept : db_(other.db_), stmt_(other.stmt_) {
  other.stmt_ = nullptr;
}

Statement& Statement::bind(int index, std::string_view text) {
  sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::bind(int index, int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

Statement& Statement::bind(int index, double value) {
  sqlite3_bind_double(stmt_, index, value);
  return *this;
}

Statement& Statement::bind_null(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

double Statement::column_double(int index) const {
  return sqlite3_column_double(stmt_, index);
}

bool Statement::column_is_null(int index) const {
  return sqlite3_column_type(stmt_, index) == SQLITE_NULL;
}

std::optional<std::string> Statement::column_optional_text(int index) const {
  if (column_is_null(index)) return std::nullopt;
  return column_text(index);
}

Result<bool> Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return sqlite_error(db_, "step");
}

std::string Statement::column_text(int index) const {
  const auto* text = sqlite3_column_text(stmt_, index);
  return text ? std::string(reinterpret_cast<const char*>(text),
                            static_cast<size_t>(sqlite3_column_bytes(stmt_, index)))
              : std::string();
}

int64_t Statement::column_int(int index) const {
  return sqlite3_column_int64(stmt_, index);
}

Result<std::unique_ptr<Database>> Database::open(const std::string& data_dir) {
  std::error_code ec;
  const bool created = std::filesystem::create_directories(data_dir, ec);
  if (ec) {
    return make_error(ErrorCode::kStorage,
                      "cannot create data directory " + data_dir + ": " + ec.message());
  }
  // Every message and the signing secret live here: the server's user only. A directory
  // we made is ours to close; one the operator made keeps its mode (the files in it are
  // private either way, below and in auth.cpp).
  if (created) ::chmod(data_dir.c_str(), 0700);
  const std::string path = (std::filesystem::path(data_dir) / "imchat.db").string();
  sqlite3* raw = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  std::unique_ptr<Database> db(new Database(raw, path));
  if (rc != SQLITE_OK) return sqlite_error(raw, "open " + path);
  // SQLite gives its -wal and -shm files the database file's mode: 0600 covers all three,
  // also for a database an older server created 0644.
  ::chmod(path.c_str(), 0600);
  sqlite3_busy_timeout(raw, 5000);
  for (const char* pragma :
       {"PRAGMA journal_mode=WAL", "PRAGMA foreign_keys=ON", "PRAGMA synchronous=FULL",
        // A deleted or edited text is overwritten with zeros in the file, not left in a
        // free page for anyone who copies the database.
        "PRAGMA secure_delete=ON"}) {
    if (auto s = db->exec(pragma); !s) return s.error();
  }
  if (auto s = db->migrate(); !s) return s.error();
  return db;
}

Result<std::unique_ptr<Database>> Database::open_in_memory() {
  sqlite3* raw = nullptr;
  const int rc =
      sqlite3_open_v2(":memory:", &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  std::unique_ptr<Database> db(new Database(raw, ":memory:"));
  if (rc != SQLITE_OK) return sqlite_error(raw, "open :memory:");
  if (auto s = db->exec("PRAGMA foreign_keys=ON"); !s) return s.error();
  if (auto s = db->migrate(); !s) return s.error();
  return db;
}

Database::~Database() {
  if (db_) sqlite3_close_v2(db_);
}

Result<Statement> Database::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr) !=
      SQLITE_OK) {
    return sqlite_error(db_, "prepare");
  }
  return Statement(db_, stmt);
}

int64_t Database::changes() const {
  return sqlite3_changes64(db_);
}

Status Database::exec(std::string_view sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    Error e = make_error(ErrorCode::kStorage, message ? message : "exec failed");
    sqlite3_free(message);
    return e;
  }
  return Ok{};
}

Status Database::migrate() {
  if (auto s = exec("CREATE TABLE IF NOT EXISTS schema_migrations ("
                    " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                    " applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))");
      !s) {
    return s;
  }
  {
    // Finalized at the end of this block: a VACUUM below needs no statement open.
    auto current = prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
    if (!current) return current.error();
    if (auto row = current->step(); !row) return row.error();
    schema_version_ = static_cast<int>(current->column_int(0));
  }
  const int from = schema_version_;

  size_t count = 0;
  const Migration* list = migrations(count);
  if (static_cast<size_t>(schema_version_) > count) {
    return make_error(ErrorCode::kStorage, "database schema v" + std::to_string(schema_version_) +
                                               " is newer than this server (v" +
                                               std::to_string(count) + ")");
  }
  for (size_t i = static_cast<size_t>(schema_version_); i < count; ++i) {
    // One transaction per migration: a failed one leaves the previous version intact.
    if (auto s = exec("BEGIN IMMEDIATE"); !s) return s;
    Status applied = exec(list[i].sql);
    if (applied) {
      auto record = prepare("INSERT INTO schema_migrations(version, name) VALUES (?, ?)");
      if (!record) {
        applied = record.error();
      } else if (auto done =
                     record->bind(1, static_cast<int64_t>(i + 1)).bind(2, list[i].name).step();
                 !done) {
        applied = done.error();
      }
    }
    if (!applied) {
      (void)exec("ROLLBACK");
      return make_error(ErrorCode::kStorage,
                        std::string("migration ") + list[i].name + ": " + applied.error().message);
    }
    if (auto s = exec("COMMIT"); !s) return s;
    schema_version_ = static_cast<int>(i + 1);
  }
  // Migration 004 took deleted and edited text out of the tables, but the pages it was in
  // were freed before secure_delete was on: rewriting the file once zeroes them.
  if (from > 0 && from < 4 && schema_version_ >= 4) {
    if (auto s = exec("VACUUM"); !s) return s;
    // In WAL mode the rewritten pages sit in the log until a checkpoint copies them over
    // the old ones: do it now, and empty the log.
    if (auto s = exec("PRAGMA wal_checkpoint(TRUNCATE)"); !s) return s;
  }
  return Ok{};
}

}  // namespace imchat::server
