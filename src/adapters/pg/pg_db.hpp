#pragma once
// One PostgreSQL connection (libpq, blocking calls), the PostgreSQL counterpart of
// adapters/store/sqlite_db.hpp: the same lock()/begin()/RAII shape, so that a PostgreSQL domain
// store reads like its SQLite twin. Internal to adapters/pg; libpq-fe.h stays out of this header.
//
// Blocking is deliberate: a PgDb is used only on a PgStore worker thread (one connection each)
// or by code that runs before the service serves (docs/postgresql.md, "Threads"). Never call it
// on an I/O thread.
//
// Thread-safety: one connection guarded by one recursive mutex, like SqliteDb. lock() blocks
// until the connection is free; the thread that holds it may lock it again (a Store job holds
// it across its transaction while each store call locks it again). Everything obtained from a
// PgConnection (PgRows excepted, which own their result) must be destroyed before it.

#include <concepts>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/result.hpp"

struct pg_conn;
struct pg_result;

namespace ccteams::store {

// One query parameter, sent as text ($1, $2, ... in the SQL; cast there when the type cannot
// be inferred). nullopt sends NULL.
struct PgParam {
  PgParam(std::nullopt_t) {}  // NOLINT(google-explicit-constructor): call sites read as values
  template <std::integral I>
  requires(!std::same_as<I, bool>) PgParam(I v)
      : text(std::to_string(v)) {}                           // NOLINT(google-explicit-constructor)
  PgParam(bool b) : text(b ? "true" : "false") {}            // NOLINT
  PgParam(std::string_view s) : text(std::string(s)) {}      // NOLINT
  PgParam(const std::string& s) : text(s) {}                 // NOLINT
  PgParam(const char* s) : text(std::string(s)) {}           // NOLINT
  PgParam(const std::optional<std::string>& s) : text(s) {}  // NOLINT
  PgParam(const std::optional<std::int64_t>& v) {            // NOLINT
    if (v) text = std::to_string(*v);
  }
  std::optional<std::string> text;
};

// The rows of one statement (text format). Owns its result; columns in the SELECT's order.
class PgRows {
 public:
  struct Clear {
    void operator()(pg_result* r) const noexcept;
  };
  explicit PgRows(std::unique_ptr<pg_result, Clear> result) : result_(std::move(result)) {}

  int size() const;
  bool empty() const { return size() == 0; }
  bool is_null(int row, int column) const;
  std::string text(int row, int column) const;
  std::int64_t int64(int row, int column) const;
  bool boolean(int row, int column) const;
  std::optional<std::int64_t> optional_int64(int row, int column) const;
  std::optional<std::string> optional_text(int row, int column) const;
  // Rows an INSERT, UPDATE or DELETE changed (0 for other statements).
  int affected() const;

 private:
  std::unique_ptr<pg_result, Clear> result_;
};

class PgDb;
class PgTransaction;

// The locked connection: holds PgDb's mutex for its whole lifetime; obtain it with
// `auto conn = db.lock();`. The outermost lock of a broken connection reconnects first.
class PgConnection {
 public:
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;
  ~PgConnection();

  // Runs one statement (one of the named SQL constants: STYLE §13) with params; prepared once
  // per connection and cached by its text. Inside a transaction, a statement that is not a
  // SELECT runs under a savepoint, so that its failure (a duplicate, a foreign key) undoes only
  // itself, as in SQLite, instead of aborting the whole transaction.
  // Errors: conflict (unique, foreign key, exclusion violation), unavailable (connection lost,
  // serialization failure or deadlock: the job is retried), internal otherwise.
  Result<PgRows> query(std::string_view sql, std::initializer_list<PgParam> params = {});

  // query() without its savepoint, for the many statements of one bulk write (a directory
  // sync): three round trips per row would be the cost. A failure aborts the transaction (or
  // the savepoint of the store call's own begin()), so the caller must then run nothing more
  // in it but return the error, which rolls it back.
  Result<PgRows> query_unguarded(std::string_view sql, std::initializer_list<PgParam> params) {
    return run(sql, params);
  }

  // Runs a script of one or more statements without parameters (migrations, DDL). Never pass
  // anything built from input.
  Result<void> exec(std::string_view script);

  // BEGIN (with `begin_sql`, e.g. an isolation level) when no transaction is open; a savepoint
  // inside one (its commit releases it, its rollback undoes only its own writes).
  Result<PgTransaction> begin(std::string_view begin_sql = "BEGIN");

  bool in_transaction() const;
  bool connected() const;

 private:
  friend class PgDb;
  friend class PgTransaction;
  explicit PgConnection(PgDb& db);
  Result<PgRows> run(std::string_view sql, std::initializer_list<PgParam> params);

  PgDb& db_;
  std::unique_lock<std::recursive_mutex> lock_;
};

// Rolls back on destruction unless commit() succeeded. Must not outlive its PgConnection.
class PgTransaction {
 public:
  PgTransaction(PgTransaction&& other) noexcept;
  PgTransaction& operator=(PgTransaction&&) = delete;
  PgTransaction(const PgTransaction&) = delete;
  PgTransaction& operator=(const PgTransaction&) = delete;
  ~PgTransaction();

  // Errors: those of query(); a COMMIT of a transaction PostgreSQL had already aborted is an
  // error too (unavailable), never a silent rollback.
  Result<void> commit();

 private:
  friend class PgConnection;
  PgTransaction(PgConnection& conn, int depth) : conn_(&conn), depth_(depth) {}

  PgConnection* conn_;  // null once committed or moved from
  int depth_;           // 0: the transaction itself; n > 0: savepoint n
};

class PgDb {
 public:
  // Connects to conninfo (a libpq connection string or URI), with password when not empty (kept
  // apart from conninfo, so that no string holding it is ever built or logged). Errors:
  // unavailable when the server cannot be reached or refuses us (the message names the reason,
  // never the password).
  static Result<std::unique_ptr<PgDb>> open(const std::string& conninfo,
                                            const std::string& password = "");
  // A connection made on first use (a PgStore worker): never fails here.
  static std::unique_ptr<PgDb> deferred(const std::string& conninfo,
                                        const std::string& password = "");

  PgDb(const PgDb&) = delete;
  PgDb& operator=(const PgDb&) = delete;
  ~PgDb();

  PgConnection lock() { return PgConnection(*this); }

  // Statements run on every new session of this connection, right after it is made (and now,
  // when it is connected): `SET` of session settings such as idle_in_transaction_session_timeout
  // or lock_timeout, which a reconnect would otherwise lose. Never pass anything built from
  // input. Errors: those of exec() when it runs now.
  Result<void> set_session_setup(std::string script);

  // Set when a statement failed with a serialization failure or a deadlock (SQLSTATE 40001,
  // 40P01) since the last clear: the transaction must be run again. Read on the locking thread.
  bool must_retry() const { return must_retry_; }
  // Set when the connection was lost since the last clear.
  bool lost() const { return lost_; }
  void clear_flags() { must_retry_ = lost_ = false; }

 private:
  friend class PgConnection;
  friend class PgTransaction;
  struct Finish {
    void operator()(pg_conn* c) const noexcept;
  };
  PgDb(std::string conninfo, std::string password)
      : conninfo_(std::move(conninfo)), password_(std::move(password)) {}
  Result<void> connect();
  Error error_of(pg_result* result, std::string_view what);

  std::string conninfo_;
  std::string password_;
  std::string session_setup_;
  std::recursive_mutex mu_;
  int lock_depth_ = 0;
  int tx_depth_ = 0;  // 0: none; 1: BEGIN; n > 1: savepoints
  bool must_retry_ = false;
  bool lost_ = false;
  std::unique_ptr<pg_conn, Finish> conn_;
  std::unordered_map<std::string, std::string> prepared_;  // SQL text -> statement name
};

}  // namespace ccteams::store
