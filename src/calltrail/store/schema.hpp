// The store's tables, created and upgraded by numbered migrations
// (docs/storage.md lists them). The version lives in meta.schema_version.
#pragma once

#include "calltrail/store/database.hpp"

namespace calltrail::store {

inline constexpr int kSchemaVersion = 5;

// Applies the missing migrations in one transaction (serialised between
// processes). Throws DbError when the store is newer than this program.
void migrate(Database& db);

}  // namespace calltrail::store
