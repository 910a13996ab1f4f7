// PostgreSQL through libpq: statements prepared on the server, parameters as
// text (blobs as binary), results in binary form.
#include <arpa/inet.h>
#include <fmt/format.h>
#include <libpq-fe.h>

#include <cstring>
#include <unordered_map>
#include <vector>

#include "calltrail/store/database.hpp"

namespace calltrail::store {

namespace {

constexpr Oid kBool = 16, kInt8 = 20, kInt2 = 21, kInt4 = 23;

std::string first_line(const char* message) {
  std::string m = message != nullptr ? message : "unknown error";
  while (!m.empty() && (m.back() == '\n' || m.back() == ' '))
    m.pop_back();
  return m;
}

// "$1, $2, ..." for "?".
std::string number_placeholders(const std::string& sql, int& count) {
  std::string out;
  count = 0;
  bool quoted = false;
  for (char c : sql) {
    if (c == '\'') quoted = !quoted;
    if (c == '?' && !quoted) {
      out += '$';
      out += std::to_string(++count);
    } else {
      out += c;
    }
  }
  return out;
}

class PgStatement final : public Statement {
 public:
  PgStatement(PGconn* conn, std::string name, int params, const std::string& url)
      : conn_(conn), name_(std::move(name)), url_(url) {
    values_.resize(static_cast<std::size_t>(params));
    set_.assign(values_.size(), false);
    null_.assign(values_.size(), false);
    binary_.assign(values_.size(), 0);
  }
  ~PgStatement() override { clear(); }
  void bind_int(int i, std::int64_t v) override { set(i, std::to_string(v), 0); }
  void bind_null(int i) override {
    set(i, {}, 0);
    null_[static_cast<std::size_t>(i - 1)] = true;
  }
  void bind_text(int i, std::string_view v) override { set(i, std::string(v), 0); }
  void bind_blob(int i, std::string_view v) override { set(i, std::string(v), 1); }
  bool step() override {
    if (result_ == nullptr) {
      std::vector<const char*> values(values_.size());
      std::vector<int> lengths(values_.size());
      for (std::size_t k = 0; k < values_.size(); ++k) {
        values[k] = null_[k] ? nullptr : values_[k].data();
        lengths[k] = static_cast<int>(values_[k].size());
      }
      result_ = PQexecPrepared(conn_, name_.c_str(), static_cast<int>(values.size()), values.data(),
                               lengths.data(), binary_.data(), 1);
      const auto status = PQresultStatus(result_);
      if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
        std::string message = first_line(PQresultErrorMessage(result_));
        clear();
        const bool lost = PQstatus(conn_) == CONNECTION_BAD;
        if (lost) message = fmt::format("lost the connection to {}: {}", url_, message);
        throw DbError(message, lost);
      }
      rows_ = PQntuples(result_);
      row_ = -1;
    }
    return ++row_ < rows_;
  }
  void reset() override {
    clear();
    set_.assign(values_.size(), false);
    null_.assign(values_.size(), false);
  }
  bool is_null(int col) override { return PQgetisnull(result_, row_, col) != 0; }
  std::int64_t integer(int col) override {
    if (is_null(col)) return 0;
    const char* p = PQgetvalue(result_, row_, col);
    const int n = PQgetlength(result_, row_, col);
    const Oid type = PQftype(result_, col);
    if (type == kInt8 && n == 8) {
      std::uint32_t hi, lo;
      std::memcpy(&hi, p, 4);
      std::memcpy(&lo, p + 4, 4);
      return static_cast<std::int64_t>((static_cast<std::uint64_t>(ntohl(hi)) << 32) | ntohl(lo));
    }
    if (type == kInt4 && n == 4) {
      std::uint32_t v;
      std::memcpy(&v, p, 4);
      return static_cast<std::int32_t>(ntohl(v));
    }
    if (type == kInt2 && n == 2) {
      std::uint16_t v;
      std::memcpy(&v, p, 2);
      return static_cast<std::int16_t>(ntohs(v));
    }
    if (type == kBool && n == 1) return p[0] != 0 ? 1 : 0;
    throw DbError(fmt::format("column {} is not an integer (type {})", col, type), false);
  }
  std::string_view text(int col) override {
    return {PQgetvalue(result_, row_, col),
            static_cast<std::size_t>(PQgetlength(result_, row_, col))};
  }
  std::string_view blob(int col) override { return text(col); }
  std::int64_t changes() override {
    if (result_ == nullptr) return 0;
    const char* n = PQcmdTuples(result_);
    return n == nullptr || *n == '\0' ? 0 : std::stoll(n);
  }

 private:
  void set(int i, std::string v, int binary) {
    if (result_ != nullptr) clear();
    const auto k = static_cast<std::size_t>(i - 1);
    if (k >= values_.size()) throw DbError("parameter index out of range", false);
    values_[k] = std::move(v);
    set_[k] = true;
    null_[k] = false;
    binary_[k] = binary;
  }
  void clear() {
    if (result_ != nullptr) PQclear(result_);
    result_ = nullptr;
    rows_ = 0;
    row_ = -1;
  }
  PGconn* conn_;
  std::string name_;
  const std::string& url_;
  std::vector<std::string> values_;
  std::vector<bool> set_, null_;
  std::vector<int> binary_;
  PGresult* result_ = nullptr;
  int rows_ = 0;
  int row_ = -1;
};

class PgDatabase final : public Database {
 public:
  explicit PgDatabase(const std::string& url) : Database(url) {
    conn_ = PQconnectdb(url.c_str());
    if (PQstatus(conn_) != CONNECTION_OK) {
      std::string message = first_line(PQerrorMessage(conn_));
      PQfinish(conn_);
      conn_ = nullptr;
      throw DbError(fmt::format("cannot connect to {}: {}", url, message), true);
    }
    exec("SET client_min_messages = warning");
  }
  ~PgDatabase() override { PQfinish(conn_); }
  Kind kind() const override { return Kind::Postgres; }
  void exec(const std::string& sql) override {
    PGresult* r = PQexec(conn_, sql.c_str());
    const auto status = PQresultStatus(r);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      std::string message = first_line(PQresultErrorMessage(r));
      PQclear(r);
      const bool lost = PQstatus(conn_) == CONNECTION_BAD;
      if (lost) message = fmt::format("lost the connection to {}: {}", url(), message);
      throw DbError(message, lost);
    }
    PQclear(r);
  }
  std::unique_ptr<Statement> prepare(const std::string& sql) override {
    int params = 0;
    const std::string text = number_placeholders(sql, params);
    // Prepared once per connection: a long-lived connection (serve --db
    // commits every batch) must not pile up statements on the server.
    if (auto it = prepared_.find(sql); it != prepared_.end())
      return std::make_unique<PgStatement>(conn_, it->second, params, url());
    std::string name = "s" + std::to_string(++statements_);
    PGresult* r = PQprepare(conn_, name.c_str(), text.c_str(), params, nullptr);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
      std::string message = first_line(PQresultErrorMessage(r));
      PQclear(r);
      const bool lost = PQstatus(conn_) == CONNECTION_BAD;
      throw DbError(fmt::format("{} (in: {})", message, sql.substr(0, 80)), lost);
    }
    PQclear(r);
    prepared_.emplace(sql, name);
    return std::make_unique<PgStatement>(conn_, std::move(name), params, url());
  }
  void begin() override { exec("BEGIN"); }
  void commit() override { exec("COMMIT"); }
  void rollback() noexcept override {
    if (PQstatus(conn_) != CONNECTION_OK) return;
    PQclear(PQexec(conn_, "ROLLBACK"));
  }
  void lock(std::int64_t key) override {
    exec(fmt::format("SELECT pg_advisory_xact_lock({})", key));
  }

 private:
  PGconn* conn_ = nullptr;
  int statements_ = 0;
  std::unordered_map<std::string, std::string> prepared_;  // SQL -> statement name
};

}  // namespace

std::unique_ptr<Database> open_postgres(const std::string& url) {
  return std::make_unique<PgDatabase>(url);
}

}  // namespace calltrail::store
