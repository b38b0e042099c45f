#include "adapters/store/sqlite_db.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>

#include "adapters/store/sqlite_test_support.hpp"

namespace ccteams::store {
namespace {

using testing::object_exists;
using testing::query_int;
using testing::TempDir;

constexpr std::string_view kCreateT = "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT UNIQUE)";
constexpr std::string_view kInsertT = "INSERT INTO t (v) VALUES (?1)";
constexpr std::string_view kCountT = "SELECT COUNT(*) FROM t";

std::unique_ptr<SqliteDb> open_or_die(const std::string& path, SqliteOptions options = {}) {
  auto db = SqliteDb::open(path, options);
  EXPECT_TRUE(db) << (db ? "" : db.error().message);
  return db ? std::move(*db) : nullptr;
}

Result<void> insert(SqliteConnection& conn, std::string_view v) {
  auto st = conn.prepare(kInsertT);
  if (!st) return std::move(st).error();
  st->bind_text(1, v);
  return st->run();
}

std::string journal_mode(SqliteDb& db) {
  auto conn = db.lock();
  auto st = conn.prepare("PRAGMA journal_mode");
  if (!st || !st->step().value_or(false)) return "?";
  return st->column_text(0);
}

TEST(SqliteDb, FileDatabaseUsesWalFullSyncForeignKeysAndBusyTimeout) {
  TempDir dir;
  auto db = open_or_die(dir.file("a.db"));
  ASSERT_TRUE(db);
  EXPECT_EQ(journal_mode(*db), "wal");
  EXPECT_EQ(query_int(*db, "PRAGMA synchronous"), 2);  // FULL
  EXPECT_EQ(query_int(*db, "PRAGMA foreign_keys"), 1);
  EXPECT_EQ(query_int(*db, "PRAGMA busy_timeout"), 5000);
}

// Password hashes, session tokens and sealed secrets live in this file.
TEST(SqliteDb, CreatedDatabaseAndItsWalAndShmArePrivateWhateverTheUmask) {
  TempDir dir;
  const mode_t old_umask = ::umask(022);  // the usual default: files would be 0644
  auto db = open_or_die(dir.file("a.db"));
  ::umask(old_umask);
  ASSERT_TRUE(db);
  {
    auto conn = db->lock();
    ASSERT_TRUE(conn.exec(kCreateT));
    ASSERT_TRUE(insert(conn, "x"));
  }
  for (const char* name : {"a.db", "a.db-wal", "a.db-shm"}) {
    struct stat st {};
    ASSERT_EQ(::stat(dir.file(name).c_str(), &st), 0) << name;
    EXPECT_EQ(st.st_mode & 0777, 0600u) << name;
  }
}

TEST(SqliteDb, SynchronousNormalIsAnOption) {
  TempDir dir;
  auto db = open_or_die(dir.file("a.db"), SqliteOptions{SqliteSync::normal, 100});
  ASSERT_TRUE(db);
  EXPECT_EQ(query_int(*db, "PRAGMA synchronous"), 1);  // NORMAL
  EXPECT_EQ(query_int(*db, "PRAGMA busy_timeout"), 100);
}

TEST(SqliteDb, InMemoryDatabaseOpens) {
  auto db = open_or_die(":memory:");
  ASSERT_TRUE(db);
  EXPECT_EQ(journal_mode(*db), "memory");
  EXPECT_EQ(query_int(*db, "SELECT 41 + 1"), 42);
}

TEST(SqliteDb, MissingDirectoryIsAnErrorNamingThePath) {
  TempDir dir;
  const std::string path = dir.file("no/such/dir/a.db");
  auto db = SqliteDb::open(path);
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().code, Errc::internal);
  EXPECT_NE(db.error().message.find(path), std::string::npos) << db.error().message;
}

TEST(SqliteStatement, BindsAndReadsEveryType) {
  auto db = open_or_die(":memory:");
  auto conn = db->lock();
  ASSERT_TRUE(conn.exec("CREATE TABLE v (i INTEGER, t TEXT, n TEXT, b BLOB, e BLOB)"));
  const std::string text("caf\xc3\xa9 \0 nul", 11);
  const std::vector<std::uint8_t> blob{0, 1, 2, 255};
  {
    auto st = conn.prepare("INSERT INTO v VALUES (?1, ?2, ?3, ?4, ?5)");
    ASSERT_TRUE(st);
    st->bind_int64(1, -(std::int64_t{1} << 62))
        .bind_text(2, text)
        .bind_optional_text(3, std::nullopt)
        .bind_blob(4, blob)
        .bind_blob(5, {});
    ASSERT_TRUE(st->run());
  }
  auto st = conn.prepare("SELECT i, t, n, b, e, e IS NULL FROM v");
  ASSERT_TRUE(st);
  ASSERT_TRUE(st->step().value_or(false));
  EXPECT_EQ(st->column_int64(0), -(std::int64_t{1} << 62));
  EXPECT_EQ(st->column_text(1), text);
  EXPECT_TRUE(st->column_is_null(2));
  EXPECT_EQ(st->column_text(2), "");
  EXPECT_EQ(st->column_blob(3), blob);
  EXPECT_TRUE(st->column_blob(4).empty());
  EXPECT_EQ(st->column_int64(5), 0) << "an empty blob is not NULL";
  EXPECT_FALSE(st->step().value_or(true));
}

TEST(SqliteStatement, BadBindIsReportedByStep) {
  auto db = open_or_die(":memory:");
  auto conn = db->lock();
  auto st = conn.prepare("SELECT ?1");
  ASSERT_TRUE(st);
  st->bind_int64(7, 1);
  auto row = st->step();
  ASSERT_FALSE(row);
  EXPECT_EQ(row.error().code, Errc::internal);
}

TEST(SqliteStatement, UniqueViolationIsConflictWithoutValuesInTheMessage) {
  auto db = open_or_die(":memory:");
  auto conn = db->lock();
  ASSERT_TRUE(conn.exec(kCreateT));
  ASSERT_TRUE(insert(conn, "secret-value"));
  auto again = insert(conn, "secret-value");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Errc::conflict);
  EXPECT_EQ(again.error().message.find("secret-value"), std::string::npos);
  // A 409 reaches the client as it is: no table or column names either.
  EXPECT_EQ(again.error().message.find("UNIQUE"), std::string::npos) << again.error().message;
  EXPECT_EQ(again.error().message.find("t.v"), std::string::npos) << again.error().message;
}

TEST(SqliteStatement, CachedStatementIsReusedAndNestedUseGetsItsOwn) {
  auto db = open_or_die(":memory:");
  auto conn = db->lock();
  ASSERT_TRUE(conn.exec(kCreateT));
  for (const char* v : {"a", "b", "c"}) ASSERT_TRUE(insert(conn, v));  // one cached statement
  constexpr std::string_view kSelect = "SELECT v FROM t ORDER BY id";
  auto outer = conn.prepare(kSelect);
  ASSERT_TRUE(outer);
  std::string pairs;
  while (outer->step().value_or(false)) {
    auto inner = conn.prepare(kSelect);  // same text while the cached one is mid-iteration
    ASSERT_TRUE(inner);
    ASSERT_TRUE(inner->step().value_or(false));
    pairs += outer->column_text(0) + inner->column_text(0) + " ";
  }
  EXPECT_EQ(pairs, "aa ba ca ");
}

TEST(SqliteStatement, ScriptWithSeveralStatementsRunsThemAll) {
  auto db = open_or_die(":memory:");
  auto conn = db->lock();
  ASSERT_TRUE(conn.exec("CREATE TABLE a (x); -- comment\nINSERT INTO a VALUES (1);\n"
                        "INSERT INTO a VALUES (2);  "));
  auto st = conn.prepare("SELECT SUM(x) FROM a");
  ASSERT_TRUE(st && st->step().value_or(false));
  EXPECT_EQ(st->column_int64(0), 3);
}

TEST(SqliteTransaction, CommitPersistsAcrossReopen) {
  TempDir dir;
  {
    auto db = open_or_die(dir.file("a.db"));
    auto conn = db->lock();
    ASSERT_TRUE(conn.exec(kCreateT));
    auto tx = conn.begin();
    ASSERT_TRUE(tx);
    ASSERT_TRUE(insert(conn, "kept"));
    ASSERT_TRUE(tx->commit());
    EXPECT_FALSE(conn.in_transaction());
  }
  auto db = open_or_die(dir.file("a.db"));
  EXPECT_EQ(query_int(*db, kCountT), 1);
}

TEST(SqliteTransaction, DestroyedWithoutCommitPersistsNothing) {
  TempDir dir;
  {
    auto db = open_or_die(dir.file("a.db"));
    {
      auto conn = db->lock();
      ASSERT_TRUE(conn.exec(kCreateT));
      {
        auto tx = conn.begin();
        ASSERT_TRUE(tx);
        ASSERT_TRUE(insert(conn, "lost"));
        ASSERT_TRUE(conn.exec("CREATE TABLE also_lost (x)"));
      }
      EXPECT_FALSE(conn.in_transaction());
    }
    EXPECT_EQ(query_int(*db, kCountT), 0);
  }
  auto db = open_or_die(dir.file("a.db"));
  EXPECT_EQ(query_int(*db, kCountT), 0);
  EXPECT_EQ(object_exists(*db, "also_lost"), 0);
}

// Inside a transaction (a group commit), begin() is a savepoint: a rolled-back inner one undoes
// only its own writes, a committed one lasts only if the outer transaction commits.
TEST(SqliteTransaction, NestedBeginIsASavepointInsideTheOuterTransaction) {
  auto db = open_or_die(":memory:");
  auto conn = db->lock();
  ASSERT_TRUE(conn.exec(kCreateT));
  auto outer = conn.begin();
  ASSERT_TRUE(outer);
  ASSERT_TRUE(insert(conn, "outer"));
  {
    auto again = db->lock();  // the holding thread locks again: the writer's group commit
    auto kept = again.begin();
    ASSERT_TRUE(kept);
    ASSERT_TRUE(insert(again, "kept"));
    ASSERT_TRUE(kept->commit());
    auto undone = again.begin();
    ASSERT_TRUE(undone);
    ASSERT_TRUE(insert(again, "undone"));
  }  // `undone` rolls back to its savepoint
  EXPECT_TRUE(conn.in_transaction()) << "the outer transaction is still open";
  EXPECT_EQ(query_int(*db, kCountT), 2);
  ASSERT_TRUE(outer->commit());
  EXPECT_EQ(query_int(*db, kCountT), 2);
}

TEST(SqliteTransaction, AReleasedSavepointGoesWithItsOuterRollback) {
  auto db = open_or_die(":memory:");
  auto conn = db->lock();
  ASSERT_TRUE(conn.exec(kCreateT));
  {
    auto outer = conn.begin();
    ASSERT_TRUE(outer);
    auto inner = conn.begin();
    ASSERT_TRUE(inner);
    ASSERT_TRUE(insert(conn, "released"));
    ASSERT_TRUE(inner->commit());
  }
  EXPECT_FALSE(conn.in_transaction());
  EXPECT_EQ(query_int(*db, kCountT), 0);
}

TEST(SqliteDb, AReaderConnectionRefusesWrites) {
  TempDir dir;
  auto writer = open_or_die(dir.file("a.db"));
  {
    auto conn = writer->lock();
    ASSERT_TRUE(conn.exec(kCreateT));
    ASSERT_TRUE(insert(conn, "one"));
  }
  SqliteOptions options;
  options.read_only = true;
  auto reader = open_or_die(dir.file("a.db"), options);
  EXPECT_EQ(query_int(*reader, kCountT), 1);
  auto conn = reader->lock();
  EXPECT_FALSE(insert(conn, "two"));
}

TEST(SqliteTransaction, WriterLockHeldElsewhereIsUnavailable) {
  TempDir dir;
  auto first = open_or_die(dir.file("a.db"));
  auto second = open_or_die(dir.file("a.db"), SqliteOptions{SqliteSync::full, 20});
  auto conn1 = first->lock();
  auto tx1 = conn1.begin();
  ASSERT_TRUE(tx1);
  auto conn2 = second->lock();
  auto tx2 = conn2.begin();
  ASSERT_FALSE(tx2);
  EXPECT_EQ(tx2.error().code, Errc::unavailable);
  // A 503 reaches the client as it is: no file path, no SQLite text.
  EXPECT_EQ(tx2.error().message, "the database is busy; try again shortly");
  EXPECT_GT(tx2.error().retry_after_seconds, 0);
}

// A process that dies mid-transaction (no destructor, no close) leaves nothing behind; one that
// dies right after COMMIT keeps its write. The child opens its own connection after fork().
int run_child_and_die(const std::string& path, bool commit) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    auto db = SqliteDb::open(path);
    if (!db) ::_exit(10);
    auto conn = (*db)->lock();
    auto tx = conn.begin();
    if (!tx || !insert(conn, commit ? "committed" : "uncommitted")) ::_exit(11);
    if (commit && !tx->commit()) ::_exit(12);
    ::_exit(0);  // a crash: no destructors, no sqlite3_close
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(SqliteTransaction, ProcessDyingMidTransactionPersistsNothing) {
  TempDir dir;
  const std::string path = dir.file("a.db");
  {
    auto db = open_or_die(path);
    auto conn = db->lock();
    ASSERT_TRUE(conn.exec(kCreateT));
  }
  ASSERT_EQ(run_child_and_die(path, false), 0);
  ASSERT_EQ(run_child_and_die(path, true), 0);
  auto db = open_or_die(path);
  auto conn = db->lock();
  auto st = conn.prepare("SELECT group_concat(v) FROM t");
  ASSERT_TRUE(st && st->step().value_or(false));
  EXPECT_EQ(st->column_text(0), "committed");
  auto check = conn.prepare("PRAGMA integrity_check");
  ASSERT_TRUE(check && check->step().value_or(false));
  EXPECT_EQ(check->column_text(0), "ok");
}

}  // namespace
}  // namespace ccteams::store
