#pragma once
// One SQLite database connection, shared by every SQLite-backed store (STYLE §7: RAII for the
// handle, its statements and its transactions). Internal to adapters/store; app code sees only
// the ports. sqlite3.h stays out of this header.
//
// Thread-safety: SqliteDb is one connection guarded by one mutex. The app calls from several
// threads; each unit of work takes the connection with lock(), which blocks until it is free,
// and holds it until the returned SqliteConnection is destroyed. The thread that holds it may
// lock it again (the store's writer holds it across a group commit while the jobs in the group
// lock it for each store call). Everything obtained from a
// SqliteConnection (Statement, SqliteTransaction) must be destroyed before it. SQLite's own
// mutexes are off (SQLITE_OPEN_NOMUTEX): ours covers every use of the handle. Calls are short,
// so one connection is enough for the embedded deployment; WAL lets other processes (backup,
// the sqlite3 shell) read while we write.

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "adapters/store/sqlite_statement.hpp"
#include "core/result.hpp"

namespace ccteams::store {

// What a commit waits for. full: fsync of the WAL at every commit, so a committed transaction
// survives a power loss. normal: fsync only at checkpoints; a power loss may drop the last
// commits (never corrupts). We default to full: sign-in data and, later, acknowledged webhook
// notifications must not be lost; a table that can afford normal gets its own choice later.
enum class SqliteSync { normal, full };

struct SqliteOptions {
  SqliteSync synchronous = SqliteSync::full;
  int busy_timeout_ms = 5000;  // how long a statement waits for another process's lock
  // A reader connection beside the writer: every write on it fails (PRAGMA query_only).
  bool read_only = false;
};

class SqliteDb;
class SqliteTransaction;

// The locked connection: holds SqliteDb's mutex for its whole lifetime. Not movable, so that
// statements and transactions can refer to it; obtain it with `auto conn = db.lock();`.
class SqliteConnection {
 public:
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;
  ~SqliteConnection() = default;

  // A prepared statement for sql, which must be a single statement and should be one of the
  // named SQL constants (STYLE §13): statements are cached by their text and reused, so building
  // SQL with values in it would both defeat the cache and invite injection. If the cached
  // statement is already in use (a nested query with the same text), a fresh one is prepared.
  Result<Statement> prepare(std::string_view sql);

  // Runs a script of one or more statements without caching (migrations, pragmas). No values
  // can be bound: never pass anything built from input.
  Result<void> exec(std::string_view script);

  // BEGIN IMMEDIATE: takes the database's write lock now, so the transaction cannot fail later
  // with SQLITE_BUSY on its first write. Inside an open transaction (a group commit), a
  // savepoint instead: its commit releases it into the outer transaction, its rollback undoes
  // only its own writes. Errors: unavailable when another process holds the write lock past
  // the busy timeout.
  Result<SqliteTransaction> begin();

  // The rowid of the last row inserted on this connection.
  std::int64_t last_insert_rowid() const;
  // Rows changed by the last INSERT, UPDATE or DELETE on this connection.
  int changes() const;
  // True between BEGIN and COMMIT/ROLLBACK (including a rollback SQLite did on its own).
  bool in_transaction() const;

 private:
  friend class SqliteDb;
  explicit SqliteConnection(SqliteDb& db);

  SqliteDb& db_;
  std::unique_lock<std::recursive_mutex> lock_;
};

// Rolls back on destruction unless commit() succeeded. Must not outlive its SqliteConnection.
class SqliteTransaction {
 public:
  SqliteTransaction(SqliteTransaction&& other) noexcept;
  SqliteTransaction& operator=(SqliteTransaction&&) = delete;
  SqliteTransaction(const SqliteTransaction&) = delete;
  SqliteTransaction& operator=(const SqliteTransaction&) = delete;
  ~SqliteTransaction();

  // Errors: unavailable when the commit could not get its lock (the transaction stays open
  // and is rolled back on destruction unless commit() is retried); internal otherwise. A
  // savepoint's commit only releases it: the outer transaction's COMMIT makes it last.
  Result<void> commit();

 private:
  friend class SqliteConnection;
  SqliteTransaction(SqliteConnection& conn, bool savepoint) : conn_(&conn), savepoint_(savepoint) {}

  SqliteConnection* conn_;  // null once committed or moved from
  bool savepoint_;
};

class SqliteDb {
 public:
  // Opens (creating if needed) the database at path; ":memory:" gives a private in-memory
  // database (no WAL there). The parent directory must exist. Sets WAL journal mode,
  // synchronous per options, foreign_keys=ON, the busy timeout and extended result codes.
  // A database file it creates is mode 0600, and so are its -wal and -shm files (an existing
  // file keeps its mode).
  // Errors: internal when the file cannot be opened, WAL cannot be enabled, or the SQLite
  // library is older than 3.35 (we use RETURNING).
  static Result<std::unique_ptr<SqliteDb>> open(const std::string& path,
                                                const SqliteOptions& options = {});

  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;
  ~SqliteDb();

  // Blocks until no other thread holds the connection. Reentrant: the thread that holds it gets
  // it again (statements and transactions then nest; see begin()).
  SqliteConnection lock() { return SqliteConnection(*this); }

  const std::string& path() const { return path_; }
  const SqliteOptions& options() const { return options_; }

 private:
  friend class SqliteConnection;
  struct Close {
    void operator()(sqlite3* db) const noexcept;
  };
  struct CachedStatement {
    SqliteStmtHandle stmt;
    bool in_use = false;
  };
  struct TextHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };

  SqliteDb(std::string path, const SqliteOptions& options, sqlite3* handle);
  Result<void> configure();

  std::string path_;
  SqliteOptions options_;
  std::recursive_mutex mu_;
  // Declared before the cache: members die in reverse order, so every cached statement is
  // finalized before the connection closes (sqlite3_close refuses while statements live).
  std::unique_ptr<sqlite3, Close> handle_;
  std::unordered_map<std::string, CachedStatement, TextHash, std::equal_to<>> cache_;
};

}  // namespace ccteams::store
