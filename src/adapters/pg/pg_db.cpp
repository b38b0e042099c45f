#include "adapters/pg/pg_db.hpp"

#include <libpq-fe.h>
#include <spdlog/spdlog.h>

#include <charconv>
#include <cstring>
#include <vector>

namespace ccteams::store {
namespace {

// SQLSTATEs we tell apart (PostgreSQL 15 errcodes appendix).
constexpr std::string_view kSerializationFailure = "40001";
constexpr std::string_view kDeadlockDetected = "40P01";
constexpr std::string_view kUniqueViolation = "23505";
constexpr std::string_view kForeignKeyViolation = "23503";
constexpr std::string_view kExclusionViolation = "23P01";
constexpr std::string_view kRestrictViolation = "23001";
// The server ended a session left idle inside a transaction (idle_in_transaction_session_timeout).
constexpr std::string_view kIdleInTransactionTimeout = "25P03";
// lock_timeout expired (the lease store's take-over meets a write holding the lease row).
constexpr std::string_view kLockNotAvailable = "55P03";

constexpr std::string_view kStatementSavepoint = "SAVEPOINT ccteams_statement";
constexpr std::string_view kReleaseStatement = "RELEASE SAVEPOINT ccteams_statement";
constexpr std::string_view kUndoStatement =
    "ROLLBACK TO SAVEPOINT ccteams_statement; RELEASE SAVEPOINT ccteams_statement";
constexpr std::string_view kCommit = "COMMIT";
constexpr std::string_view kRollback = "ROLLBACK";

using ResultHandle = std::unique_ptr<pg_result, PgRows::Clear>;

Error unreachable(std::string_view why) {
  // The detail (host, reason) goes to the log; clients see a 503 and try again.
  spdlog::warn("store: PostgreSQL: {}", why);
  return make_error(Errc::unavailable, "the database is unreachable; try again shortly", 1);
}

std::string trimmed(const char* message) {
  std::string s = message != nullptr ? message : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

void PgRows::Clear::operator()(pg_result* r) const noexcept { PQclear(r); }

int PgRows::size() const { return PQntuples(result_.get()); }
bool PgRows::is_null(int row, int column) const {
  return PQgetisnull(result_.get(), row, column) != 0;
}
std::string PgRows::text(int row, int column) const {
  return std::string(PQgetvalue(result_.get(), row, column),
                     static_cast<std::size_t>(PQgetlength(result_.get(), row, column)));
}
std::int64_t PgRows::int64(int row, int column) const {
  const char* v = PQgetvalue(result_.get(), row, column);
  std::int64_t out = 0;
  std::from_chars(v, v + std::strlen(v), out);
  return out;
}
bool PgRows::boolean(int row, int column) const {
  return PQgetvalue(result_.get(), row, column)[0] == 't';
}
std::optional<std::int64_t> PgRows::optional_int64(int row, int column) const {
  if (is_null(row, column)) return std::nullopt;
  return int64(row, column);
}
std::optional<std::string> PgRows::optional_text(int row, int column) const {
  if (is_null(row, column)) return std::nullopt;
  return text(row, column);
}
int PgRows::affected() const {
  const char* n = PQcmdTuples(result_.get());
  int out = 0;
  std::from_chars(n, n + std::strlen(n), out);
  return out;
}

// ---- PgDb ----

void PgDb::Finish::operator()(pg_conn* c) const noexcept { PQfinish(c); }

Result<std::unique_ptr<PgDb>> PgDb::open(const std::string& conninfo, const std::string& password) {
  std::unique_ptr<PgDb> db(new PgDb(conninfo, password));
  if (auto r = db->connect(); !r) return std::move(r).error();
  return db;
}

std::unique_ptr<PgDb> PgDb::deferred(const std::string& conninfo, const std::string& password) {
  return std::unique_ptr<PgDb>(new PgDb(conninfo, password));
}

PgDb::~PgDb() = default;

Result<void> PgDb::connect() {
  prepared_.clear();  // prepared statements belong to the session that is gone
  tx_depth_ = 0;
  // expand_dbname: "dbname" carries the whole connection string; a password given apart
  // overrides one in it.
  const char* keys[] = {"dbname", password_.empty() ? nullptr : "password", nullptr};
  const char* values[] = {conninfo_.c_str(), password_.c_str(), nullptr};
  conn_.reset(PQconnectdbParams(keys, values, 1));
  if (!conn_) return unreachable("out of memory while connecting");
  if (PQstatus(conn_.get()) != CONNECTION_OK) {
    // libpq's message names the host and the reason, never the password.
    auto why = trimmed(PQerrorMessage(conn_.get()));
    conn_.reset();
    return unreachable("cannot connect: " + why);
  }
  // The server's notices (NOTICE: relation exists, skipping) go to the debug log, not stderr.
  PQsetNoticeProcessor(
      conn_.get(), [](void*, const char* message) { spdlog::debug("store: {}", trimmed(message)); },
      nullptr);
  if (!session_setup_.empty()) {
    ResultHandle result(PQexec(conn_.get(), session_setup_.c_str()));
    if (!result || PQresultStatus(result.get()) != PGRES_COMMAND_OK) {
      auto why = trimmed(result ? PQresultErrorMessage(result.get()) : "no result");
      conn_.reset();
      return unreachable("session setup failed: " + why);
    }
  }
  return ok();
}

Result<void> PgDb::set_session_setup(std::string script) {
  std::lock_guard lock(mu_);
  session_setup_ = std::move(script);
  if (!conn_ || PQstatus(conn_.get()) != CONNECTION_OK || session_setup_.empty()) return ok();
  auto conn = this->lock();
  return conn.exec(session_setup_);
}

Error PgDb::error_of(pg_result* result, std::string_view what) {
  const char* state = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const std::string_view sqlstate = state != nullptr ? state : "";
  std::string message(what);
  message += ": ";
  message +=
      trimmed(result != nullptr ? PQresultErrorMessage(result) : PQerrorMessage(conn_.get()));
  if (!conn_ || PQstatus(conn_.get()) != CONNECTION_OK || sqlstate.starts_with("08") ||
      sqlstate.starts_with("57P") || sqlstate == kIdleInTransactionTimeout) {
    lost_ = true;
    return unreachable(message);
  }
  if (sqlstate == kSerializationFailure || sqlstate == kDeadlockDetected) {
    must_retry_ = true;
    spdlog::debug("store: {}", message);
    return make_error(Errc::unavailable, "the database is busy; try again shortly", 1);
  }
  if (sqlstate == kLockNotAvailable) {
    spdlog::debug("store: {}", message);
    return make_error(Errc::unavailable, "the database is busy; try again shortly", 1);
  }
  if (sqlstate == kUniqueViolation || sqlstate == kForeignKeyViolation ||
      sqlstate == kExclusionViolation || sqlstate == kRestrictViolation) {
    // The server's text names tables and columns: the log gets it, the client a sentence.
    spdlog::debug("store: {}", message);
    return make_error(Errc::conflict,
                      "the change conflicts with existing data (a duplicate, or a record "
                      "still in use)");
  }
  return make_error(Errc::internal, std::move(message));
}

// ---- PgConnection ----

PgConnection::PgConnection(PgDb& db) : db_(db), lock_(db.mu_) {
  if (db_.lock_depth_++ == 0 && (!db_.conn_ || PQstatus(db_.conn_.get()) != CONNECTION_OK)) {
    (void)db_.connect();  // a failure shows in the first query (unavailable)
  }
}

PgConnection::~PgConnection() { --db_.lock_depth_; }

bool PgConnection::connected() const {
  return db_.conn_ && PQstatus(db_.conn_.get()) == CONNECTION_OK;
}

bool PgConnection::in_transaction() const {
  return connected() && PQtransactionStatus(db_.conn_.get()) != PQTRANS_IDLE;
}

Result<PgRows> PgConnection::run(std::string_view sql, std::initializer_list<PgParam> params) {
  if (!connected()) {
    db_.lost_ = true;
    return unreachable("no connection");
  }
  pg_conn* c = db_.conn_.get();
  const std::string key(sql);
  auto found = db_.prepared_.find(key);
  if (found == db_.prepared_.end()) {
    std::string name = "s" + std::to_string(db_.prepared_.size() + 1);
    ResultHandle prepared(PQprepare(c, name.c_str(), key.c_str(), 0, nullptr));
    if (!prepared || PQresultStatus(prepared.get()) != PGRES_COMMAND_OK) {
      return db_.error_of(prepared.get(), "prepare");
    }
    found = db_.prepared_.emplace(key, std::move(name)).first;
  }
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const PgParam& p : params) values.push_back(p.text ? p.text->c_str() : nullptr);
  ResultHandle result(PQexecPrepared(c, found->second.c_str(), static_cast<int>(values.size()),
                                     values.data(), nullptr, nullptr, 0));
  const auto status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    return db_.error_of(result.get(), "query");
  }
  return PgRows(std::move(result));
}

Result<PgRows> PgConnection::query(std::string_view sql, std::initializer_list<PgParam> params) {
  if (!in_transaction() || sql.starts_with("SELECT")) return run(sql, params);
  if (auto r = exec(kStatementSavepoint); !r) return std::move(r).error();
  auto rows = run(sql, params);
  if (rows) {
    if (auto r = exec(kReleaseStatement); !r) return std::move(r).error();
    return rows;
  }
  // A lost connection or a doomed transaction (to be retried) has nothing left to undo.
  if (!db_.lost_ && !db_.must_retry_) (void)exec(kUndoStatement);
  return rows;
}

Result<void> PgConnection::exec(std::string_view script) {
  if (!connected()) {
    db_.lost_ = true;
    return unreachable("no connection");
  }
  const std::string text(script);
  ResultHandle result(PQexec(db_.conn_.get(), text.c_str()));
  const auto status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    return db_.error_of(result.get(), "statement");
  }
  return ok();
}

Result<PgTransaction> PgConnection::begin(std::string_view begin_sql) {
  const int depth = db_.tx_depth_;
  if (depth == 0) {
    if (auto r = exec(begin_sql); !r) return std::move(r).error();
  } else {
    if (auto r = exec("SAVEPOINT ccteams_tx" + std::to_string(depth)); !r) {
      return std::move(r).error();
    }
  }
  ++db_.tx_depth_;
  return PgTransaction(*this, depth);
}

// ---- PgTransaction ----

PgTransaction::PgTransaction(PgTransaction&& other) noexcept
    : conn_(other.conn_), depth_(other.depth_) {
  other.conn_ = nullptr;
}

PgTransaction::~PgTransaction() {
  if (conn_ == nullptr) return;
  --conn_->db_.tx_depth_;
  if (!conn_->connected()) return;
  if (depth_ == 0) {
    (void)conn_->exec(kRollback);
  } else {
    const std::string sp = "ccteams_tx" + std::to_string(depth_);
    (void)conn_->exec("ROLLBACK TO SAVEPOINT " + sp + "; RELEASE SAVEPOINT " + sp);
  }
}

Result<void> PgTransaction::commit() {
  PgConnection* conn = conn_;
  conn_ = nullptr;
  --conn->db_.tx_depth_;
  if (depth_ > 0) return conn->exec("RELEASE SAVEPOINT ccteams_tx" + std::to_string(depth_));
  if (!conn->connected()) {
    conn->db_.lost_ = true;
    return unreachable("connection lost before COMMIT");
  }
  ResultHandle result(PQexec(conn->db_.conn_.get(), std::string(kCommit).c_str()));
  if (!result || PQresultStatus(result.get()) != PGRES_COMMAND_OK) {
    return conn->db_.error_of(result.get(), "commit");
  }
  // COMMIT of a transaction an earlier error aborted succeeds as "ROLLBACK": nothing lasted.
  if (std::string_view(PQcmdStatus(result.get())) == kRollback) {
    return make_error(Errc::unavailable, "the database rolled this back; try again shortly", 1);
  }
  return ok();
}

}  // namespace ccteams::store
