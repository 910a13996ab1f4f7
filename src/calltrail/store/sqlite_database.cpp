// SQLite: WAL journal, synchronous=NORMAL, a long busy timeout so that
// several processes can share one file, statements prepared once.
#include <fmt/format.h>
#include <sqlite3.h>

#include <filesystem>

#include "calltrail/store/database.hpp"

namespace calltrail::store {

namespace {

class SqliteStatement final : public Statement {
 public:
  SqliteStatement(sqlite3* db, sqlite3_stmt* s) : db_(db), s_(s) {}
  ~SqliteStatement() override { sqlite3_finalize(s_); }
  void bind_int(int i, std::int64_t v) override { check(sqlite3_bind_int64(s_, i, v)); }
  void bind_null(int i) override { check(sqlite3_bind_null(s_, i)); }
  void bind_text(int i, std::string_view v) override {
    check(sqlite3_bind_text64(s_, i, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
  }
  void bind_blob(int i, std::string_view v) override {
    check(sqlite3_bind_blob64(s_, i, v.empty() ? "" : v.data(), v.size(), SQLITE_TRANSIENT));
  }
  bool step() override {
    if (done_) return false;
    const int rc = sqlite3_step(s_);
    if (rc == SQLITE_ROW) return true;
    done_ = true;
    if (rc == SQLITE_DONE) {
      changes_ = sqlite3_changes64(db_);
      return false;
    }
    const std::string message = sqlite3_errmsg(db_);
    sqlite3_reset(s_);
    throw DbError(message, false);
  }
  void reset() override {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
    done_ = false;
  }
  bool is_null(int col) override { return sqlite3_column_type(s_, col) == SQLITE_NULL; }
  std::int64_t integer(int col) override { return sqlite3_column_int64(s_, col); }
  std::string_view text(int col) override {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s_, col));
    const int n = sqlite3_column_bytes(s_, col);
    return p == nullptr ? std::string_view{} : std::string_view(p, static_cast<std::size_t>(n));
  }
  std::string_view blob(int col) override {
    const auto* p = static_cast<const char*>(sqlite3_column_blob(s_, col));
    const int n = sqlite3_column_bytes(s_, col);
    return p == nullptr ? std::string_view{} : std::string_view(p, static_cast<std::size_t>(n));
  }
  std::int64_t changes() override { return changes_; }

 private:
  void check(int rc) {
    if (rc != SQLITE_OK) throw DbError(sqlite3_errmsg(db_), false);
  }
  sqlite3* db_;
  sqlite3_stmt* s_;
  bool done_ = false;
  std::int64_t changes_ = 0;
};

class SqliteDatabase final : public Database {
 public:
  SqliteDatabase(const std::string& path, bool create) : Database(path) {
    const int rc = sqlite3_open_v2(
        path.c_str(), &db_,
        SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0), nullptr);
    if (rc == SQLITE_CANTOPEN && !create && !std::filesystem::exists(path)) {
      sqlite3_close(db_);
      db_ = nullptr;
      throw DbError(fmt::format("there is no store at {} (make one with calltrail ingest)", path),
                    true);
    }
    if (rc != SQLITE_OK) {
      std::string message = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
      sqlite3_close(db_);
      db_ = nullptr;
      throw DbError(fmt::format("cannot open SQLite store {}: {}", path, message), true);
    }
    sqlite3_busy_timeout(db_, 600'000);
    exec("PRAGMA journal_mode=WAL");
    exec("PRAGMA synchronous=NORMAL");
    exec("PRAGMA cache_size=-131072");
    exec("PRAGMA wal_autocheckpoint=16384");
    exec("PRAGMA temp_store=MEMORY");
  }
  ~SqliteDatabase() override { sqlite3_close(db_); }
  Kind kind() const override { return Kind::Sqlite; }
  void exec(const std::string& sql) override {
    char* error = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
      std::string message = error != nullptr ? error : "unknown error";
      sqlite3_free(error);
      throw DbError(fmt::format("{} (in: {})", message, sql.substr(0, 80)), false);
    }
  }
  std::unique_ptr<Statement> prepare(const std::string& sql) override {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                           SQLITE_PREPARE_PERSISTENT, &s, nullptr) != SQLITE_OK)
      throw DbError(fmt::format("{} (in: {})", sqlite3_errmsg(db_), sql.substr(0, 80)), false);
    return std::make_unique<SqliteStatement>(db_, s);
  }
  void begin() override { exec("BEGIN IMMEDIATE"); }
  void commit() override { exec("COMMIT"); }
  void rollback() noexcept override { sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr); }
  void lock(std::int64_t) override {}

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace

std::unique_ptr<Database> open_sqlite(const std::string& path, bool create) {
  return std::make_unique<SqliteDatabase>(path, create);
}

}  // namespace calltrail::store
