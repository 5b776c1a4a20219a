// The embedded SQLite database under DATA_DIR: WAL mode, foreign keys on, schema
// migrations versioned in code (migrations.cpp), prepared statements only.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "model/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace imchat::server {

class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement(const Statement&) = delete;

  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, int64_t value);
  Statement& bind(int index, double value);
  Statement& bind_null(int index);
  template <typename T>
  Statement& bind(int index, const std::optional<T>& value) {
    return value ? bind(index, *value) : bind_null(index);
  }
  // Result of sqlite3_step: true while a row is available, false when done.
  Result<bool> step();
  std::string column_text(int index) const;
  int64_t column_int(int index) const;
  double column_double(int index) const;
  bool column_is_null(int index) const;
  std::optional<std::string> column_optional_text(int index) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

class Database {
 public:
  // Creates the directory and the file if needed, then applies pending migrations.
  static Result<std::unique_ptr<Database>> open(const std::string& data_dir);
  // A private database in memory, migrated: for the fuzzer, which writes millions of rows
  // and starts over now and then. Nothing touches the disk.
  static Result<std::unique_ptr<Database>> open_in_memory();
  ~Database();

  Result<Statement> prepare(std::string_view sql);
  Status exec(std::string_view sql);  // for DDL and PRAGMAs without parameters
  // Rows changed by the last INSERT/UPDATE/DELETE on this connection.
  int64_t changes() const;
  int schema_version() const { return schema_version_; }
  const std::string& path() const { return path_; }

 private:
  Database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  Status migrate();

  sqlite3* db_;
  std::string path_;
  int schema_version_ = 0;
};

// The migrations, oldest first; index + 1 is the schema version each one produces.
struct Migration {
  const char* name;
  const char* sql;
};
const Migration* migrations(size_t& count);

}  // namespace imchat::server
