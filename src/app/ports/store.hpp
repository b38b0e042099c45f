#pragma once
// The persistence port. Implemented by adapters/store (SQLite now, PostgreSQL later); app code
// sees only these interfaces, never a SQL dialect or a driver type.
//
// Calls are synchronous and short (an embedded database, or a pooled connection): they run on
// the calling thread. Each domain gets its own small interface, reached through Store.

#include "app/ports/account_store.hpp"
#include "core/result.hpp"

namespace ccteams {

class Store {
 public:
  virtual ~Store() = default;
  virtual AccountStore& accounts() = 0;
  // Cheap liveness probe for /readyz: ok when the database answers.
  virtual Result<void> ping() = 0;
  // The schema version the database is at after migrations.
  virtual int schema_version() const = 0;
};

}  // namespace ccteams
