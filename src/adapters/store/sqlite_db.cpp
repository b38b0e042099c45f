#include "adapters/store/sqlite_db.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "adapters/store/sqlite_error.hpp"

namespace ccteams::store {
namespace {

// The connection's own statements (STYLE §13: every statement a named constant).
constexpr std::string_view kBeginImmediate = "BEGIN IMMEDIATE";
constexpr std::string_view kCommit = "COMMIT";
constexpr std::string_view kRollback = "ROLLBACK";
// One name for every nesting level: RELEASE and ROLLBACK TO act on the innermost of that name.
constexpr std::string_view kSavepoint = "SAVEPOINT ccteams_nested";
constexpr std::string_view kRelease = "RELEASE ccteams_nested";
constexpr std::string_view kRollbackTo = "ROLLBACK TO ccteams_nested";
constexpr std::string_view kQueryOnly = "PRAGMA query_only = ON";
constexpr std::string_view kJournalModeWal = "PRAGMA journal_mode = WAL";
constexpr std::string_view kSynchronousFull = "PRAGMA synchronous = FULL";
constexpr std::string_view kSynchronousNormal = "PRAGMA synchronous = NORMAL";
constexpr std::string_view kForeignKeysOn = "PRAGMA foreign_keys = ON";
constexpr std::string_view kForeignKeysQuery = "PRAGMA foreign_keys";

// RETURNING (3.35) lets an UPDATE hand back the row it changed in one atomic statement.
constexpr int kMinSqliteVersion = 3035000;
// Statements are named constants, so the cache stays small; this bound only protects memory
// if someone prepares generated SQL anyway (those statements are then prepared uncached).
constexpr std::size_t kMaxCachedStatements = 256;

bool in_memory(const std::string& path) { return path == ":memory:" || path.empty(); }

// The database holds password hashes, session tokens and sealed secrets: nobody but the
// service's user may read it, whatever the umask. The file is made 0600 before SQLite sees it;
// SQLite gives the -wal and -shm files the database file's mode, so they follow. The process
// umask is not touched: it is shared by every thread. An existing file is left as it is.
Result<void> create_private_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd >= 0) {
    ::close(fd);
    return ok();
  }
  if (errno == EEXIST) return ok();
  return make_error(Errc::internal, "cannot create database " + path + ": " + std::strerror(errno));
}

}  // namespace

void SqliteDb::Close::operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }

SqliteDb::SqliteDb(std::string path, const SqliteOptions& options, sqlite3* handle)
    : path_(std::move(path)), options_(options), handle_(handle) {}

SqliteDb::~SqliteDb() {
  // Finalize cached statements before the handle closes (members die in reverse order too;
  // doing it here keeps that true even if someone reorders the members).
  cache_.clear();
}

Result<std::unique_ptr<SqliteDb>> SqliteDb::open(const std::string& path,
                                                 const SqliteOptions& options) {
  if (sqlite3_libversion_number() < kMinSqliteVersion) {
    return make_error(Errc::internal, std::string("SQLite ") + sqlite3_libversion() +
                                          " is too old; ccteams needs 3.35 or newer");
  }
  if (!in_memory(path)) {
    if (auto r = create_private_file(path); !r) return std::move(r).error();
  }
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                                 nullptr);
  // sqlite3_open_v2 allocates a handle even when it fails; the unique_ptr closes it either way.
  std::unique_ptr<SqliteDb> db(new SqliteDb(path, options, raw));
  if (rc != SQLITE_OK) {
    return sqlite_error(raw, rc, "cannot open database " + path);
  }
  if (auto r = db->configure(); !r) return std::move(r).error();
  return db;
}

Result<void> SqliteDb::configure() {
  sqlite3* db = handle_.get();
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, options_.busy_timeout_ms);
  auto conn = lock();
  {
    // journal_mode answers with the mode in force: a file that cannot do WAL (e.g. on a
    // network file system) says so here instead of failing silently later.
    auto st = conn.prepare(kJournalModeWal);
    if (!st) return std::move(st).error();
    auto row = st->step();
    if (!row) return std::move(row).error();
    const std::string mode = *row ? st->column_text(0) : std::string();
    if (!in_memory(path_) && mode != "wal") {
      return make_error(Errc::internal, "cannot enable WAL journal mode on database " + path_ +
                                            " (journal mode is '" + mode + "')");
    }
  }
  if (auto r = conn.exec(options_.synchronous == SqliteSync::full ? kSynchronousFull
                                                                  : kSynchronousNormal);
      !r) {
    return r;
  }
  if (auto r = conn.exec(kForeignKeysOn); !r) return r;
  if (options_.read_only) {
    if (auto r = conn.exec(kQueryOnly); !r) return r;
  }
  // A library built without foreign keys ignores the pragma; the schema's cascades (a deleted
  // user's sessions) depend on it, so refuse rather than run without.
  auto st = conn.prepare(kForeignKeysQuery);
  if (!st) return std::move(st).error();
  auto row = st->step();
  if (!row) return std::move(row).error();
  if (!*row || st->column_int64(0) != 1) {
    return make_error(Errc::internal, "this SQLite library does not enforce foreign keys");
  }
  return ok();
}

SqliteConnection::SqliteConnection(SqliteDb& db) : db_(db), lock_(db.mu_) {}

Result<Statement> SqliteConnection::prepare(std::string_view sql) {
  sqlite3* db = db_.handle_.get();
  auto it = db_.cache_.find(sql);
  if (it != db_.cache_.end() && !it->second.in_use) {
    it->second.in_use = true;
    return Statement(it->second.stmt.get(), &it->second.in_use);
  }
  const bool cache = it == db_.cache_.end() && db_.cache_.size() < kMaxCachedStatements;
  sqlite3_stmt* raw = nullptr;
  const char* tail = nullptr;
  const int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                                    cache ? SQLITE_PREPARE_PERSISTENT : 0, &raw, &tail);
  SqliteStmtHandle stmt(raw);
  if (rc != SQLITE_OK) return sqlite_error(db, rc, "cannot prepare a database statement");
  if (stmt == nullptr) return make_error(Errc::internal, "empty SQL statement");
  // Only the first statement of a script would run; that is a bug at the call site.
  assert(std::string_view(tail, sql.data() + sql.size() - tail)
             .find_first_not_of(" \t\r\n;") == std::string_view::npos);
  if (!cache) return Statement(std::move(stmt));
  auto [pos, inserted] = db_.cache_.emplace(std::string(sql), SqliteDb::CachedStatement{});
  assert(inserted);
  (void)inserted;
  pos->second.stmt = std::move(stmt);
  pos->second.in_use = true;
  return Statement(pos->second.stmt.get(), &pos->second.in_use);
}

Result<void> SqliteConnection::exec(std::string_view script) {
  sqlite3* db = db_.handle_.get();
  const char* next = script.data();
  const char* const end = script.data() + script.size();
  while (next < end) {
    sqlite3_stmt* raw = nullptr;
    const char* tail = nullptr;
    const int rc = sqlite3_prepare_v2(db, next, static_cast<int>(end - next), &raw, &tail);
    SqliteStmtHandle stmt(raw);
    if (rc != SQLITE_OK) return sqlite_error(db, rc, "cannot prepare a database statement");
    next = tail;
    if (stmt == nullptr) continue;  // whitespace or a comment
    Statement owned(std::move(stmt));
    if (auto r = owned.run(); !r) return r;
  }
  return ok();
}

Result<SqliteTransaction> SqliteConnection::begin() {
  const bool nested = in_transaction();
  auto st = prepare(nested ? kSavepoint : kBeginImmediate);
  if (!st) return std::move(st).error();
  if (auto r = st->run(); !r) return std::move(r).error();
  return SqliteTransaction(*this, nested);
}

std::int64_t SqliteConnection::last_insert_rowid() const {
  return sqlite3_last_insert_rowid(db_.handle_.get());
}

int SqliteConnection::changes() const { return sqlite3_changes(db_.handle_.get()); }

bool SqliteConnection::in_transaction() const {
  return sqlite3_get_autocommit(db_.handle_.get()) == 0;
}

SqliteTransaction::SqliteTransaction(SqliteTransaction&& other) noexcept
    : conn_(std::exchange(other.conn_, nullptr)), savepoint_(other.savepoint_) {}

Result<void> SqliteTransaction::commit() {
  assert(conn_ != nullptr);
  auto st = conn_->prepare(savepoint_ ? kRelease : kCommit);
  if (!st) return std::move(st).error();
  if (auto r = st->run(); !r) return r;
  conn_ = nullptr;
  return ok();
}

SqliteTransaction::~SqliteTransaction() {
  if (conn_ == nullptr) return;
  // Some errors (SQLITE_FULL, SQLITE_IOERR, ...) already rolled the transaction back; a second
  // ROLLBACK would only fail. Nothing can be reported from a destructor: if the rollback
  // itself fails, SQLite rolls back when the connection closes, and the next BEGIN fails
  // loudly instead of nesting.
  if (!conn_->in_transaction()) return;
  if (savepoint_) {
    // Undoes this savepoint's writes, then ends it; the outer transaction goes on.
    for (std::string_view sql : {kRollbackTo, kRelease}) {
      auto st = conn_->prepare(sql);
      auto r = st ? st->run() : Result<void>(st.error());
      if (!r) spdlog::warn("sqlite: {} failed: {}", sql, r.error().message);
    }
    return;
  }
  auto st = conn_->prepare(kRollback);
  auto rolled_back = st ? st->run() : Result<void>(st.error());
  if (!rolled_back) spdlog::warn("sqlite: ROLLBACK failed: {}", rolled_back.error().message);
}

}  // namespace ccteams::store
