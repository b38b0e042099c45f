#include "adapters/pg/pg_migrations.hpp"

#include <gtest/gtest.h>

#include <array>

#include "adapters/pg/pg_db.hpp"
#include "adapters/pg/pg_test_support.hpp"

namespace ccteams::store {
namespace {

using testing::pg_query_int;
using testing::PgTestDatabase;

struct PgMigrationsTest : ::testing::Test {
  PgTestDatabase database;
  std::unique_ptr<PgDb> db;

  void SetUp() override {
    ASSERT_EQ(database.error(), "");
    auto opened = PgDb::open(database.conninfo());
    ASSERT_TRUE(opened) << opened.error().message;
    db = std::move(*opened);
  }

  std::int64_t table_exists(const std::string& name) {
    auto conn = db->lock();
    auto rows = conn.query("SELECT count(*) FROM pg_tables WHERE tablename = $1", {name});
    return rows ? rows->int64(0, 0) : -1;
  }
};

TEST(PgMigrationsList, BuiltinListIsNumberedOneToN) {
  const auto list = pg_migrations();
  ASSERT_FALSE(list.empty());
  for (std::size_t i = 0; i < list.size(); ++i) EXPECT_EQ(list[i].version, static_cast<int>(i) + 1);
}

TEST_F(PgMigrationsTest, EmptyDatabaseReachesLatestWithAllTablesAndAgainIsANoOp) {
  EXPECT_EQ(read_pg_schema_version(*db).value_or(-1), 0);
  auto v = apply_pg_migrations(*db, pg_migrations());
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ(*v, latest_version(pg_migrations()));
  for (const char* t : {"organisations", "users", "auth_sessions", "login_failures"}) {
    EXPECT_EQ(table_exists(t), 1) << t;
  }
  auto again = apply_pg_migrations(*db, pg_migrations());
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(*again, *v);
  EXPECT_EQ(pg_query_int(*db, "SELECT count(*) FROM schema_version"), 1);
}

constexpr std::array kTwo{
    Migration{1, "one", "CREATE TABLE one (x integer)"},
    Migration{2, "two", "CREATE TABLE two (x integer)"},
};

TEST_F(PgMigrationsTest, NewerDatabaseIsRefusedAndUntouched) {
  ASSERT_TRUE(apply_pg_migrations(*db, kTwo));
  auto refused = apply_pg_migrations(*db, std::span(kTwo).first(1));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::conflict);
  EXPECT_NE(refused.error().message.find("newer than this ccteams"), std::string::npos);
  EXPECT_EQ(read_pg_schema_version(*db).value_or(-1), 2);
}

TEST_F(PgMigrationsTest, FailingMigrationRollsBackAndKeepsTheVersion) {
  constexpr std::array kBroken{
      Migration{1, "one", "CREATE TABLE one (x integer)"},
      Migration{2, "broken", "CREATE TABLE half (x integer); CREATE TABLE nonsense ("},
  };
  auto r = apply_pg_migrations(*db, kBroken);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::internal);
  EXPECT_NE(r.error().message.find("migration 2 (broken) failed"), std::string::npos)
      << r.error().message;
  EXPECT_EQ(read_pg_schema_version(*db).value_or(-1), 1);
  EXPECT_EQ(table_exists("one"), 1);
  EXPECT_EQ(table_exists("half"), 0) << "DDL is transactional: the half-done migration is undone";
}

TEST_F(PgMigrationsTest, MalformedListIsRefused) {
  constexpr std::array kGap{Migration{1, "one", "SELECT 1"}, Migration{3, "three", "SELECT 1"}};
  auto r = apply_pg_migrations(*db, kGap);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::internal);
  EXPECT_EQ(read_pg_schema_version(*db).value_or(-1), 0);
}

TEST_F(PgMigrationsTest, NewMigrationAppliesOnTopOfAnExistingDatabase) {
  ASSERT_TRUE(apply_pg_migrations(*db, std::span(kTwo).first(1)));
  auto r = apply_pg_migrations(*db, kTwo);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, 2);
  EXPECT_EQ(table_exists("two"), 1);
}

}  // namespace
}  // namespace ccteams::store
