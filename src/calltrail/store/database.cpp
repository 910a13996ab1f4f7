#include "calltrail/store/database.hpp"

namespace calltrail::store {

bool is_postgres_url(std::string_view url) {
  return url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0;
}

std::unique_ptr<Database> open_database(const std::string& url, bool create) {
  if (is_postgres_url(url)) return open_postgres(url);
  std::string path = url;
  if (path.rfind("sqlite://", 0) == 0) path = path.substr(9);
  return open_sqlite(path, create);
}

void run(Database& db, const std::string& sql) {
  auto s = db.prepare(sql);
  while (s->step()) {
  }
}

}  // namespace calltrail::store
