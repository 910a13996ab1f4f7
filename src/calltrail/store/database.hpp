// A thin layer over SQLite and PostgreSQL (libpq): prepared statements with
// `?` placeholders, integer/text/blob values, transactions. Errors throw
// DbError, which says whether the connection itself was lost.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "calltrail/base/secrets.hpp"

namespace calltrail::store {

class DbError : public std::runtime_error {
 public:
  // The message never holds a password: a connection string quoted in it
  // is redacted here, once for every message shown to anyone.
  DbError(const std::string& message, bool connection)
      : std::runtime_error(base::redact_secrets(message)), connection_(connection) {}
  bool connection() const { return connection_; }

 private:
  bool connection_;
};

class Statement {
 public:
  virtual ~Statement() = default;
  // Parameters are numbered from 1, columns from 0.
  virtual void bind_int(int i, std::int64_t v) = 0;
  virtual void bind_null(int i) = 0;
  virtual void bind_text(int i, std::string_view v) = 0;
  virtual void bind_blob(int i, std::string_view v) = 0;
  // Runs the statement (first call) or moves to the next row; false when
  // there is no (further) row.
  virtual bool step() = 0;
  // Ready to bind and run again.
  virtual void reset() = 0;
  virtual bool is_null(int col) = 0;
  virtual std::int64_t integer(int col) = 0;
  // Valid until the next step() or reset().
  virtual std::string_view text(int col) = 0;
  virtual std::string_view blob(int col) = 0;
  // Rows changed by the last INSERT/UPDATE/DELETE.
  virtual std::int64_t changes() = 0;
};

class Database {
 public:
  enum class Kind : std::uint8_t { Sqlite, Postgres };
  virtual ~Database() = default;
  virtual Kind kind() const = 0;
  virtual void exec(const std::string& sql) = 0;
  virtual std::unique_ptr<Statement> prepare(const std::string& sql) = 0;
  // A write transaction; on SQLite it takes the write lock at once.
  virtual void begin() = 0;
  virtual void commit() = 0;
  virtual void rollback() noexcept = 0;
  // Serialises sections between processes until the transaction ends
  // (PostgreSQL advisory lock; SQLite's write lock already does it).
  virtual void lock(std::int64_t key) = 0;
  const std::string& url() const { return url_; }

 protected:
  explicit Database(std::string url) : url_(std::move(url)) {}

 private:
  std::string url_;
};

bool is_postgres_url(std::string_view url);
// A SQLite path or a postgresql:// / postgres:// URL. A missing SQLite file
// is created when `create`, else an error (queries need a store).
std::unique_ptr<Database> open_database(const std::string& url, bool create = true);
std::unique_ptr<Database> open_sqlite(const std::string& path, bool create = true);
std::unique_ptr<Database> open_postgres(const std::string& url);

// A statement run once: prepare, run, done.
void run(Database& db, const std::string& sql);

}  // namespace calltrail::store
