#include "adapters/store/sqlite_migrations.hpp"

#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "adapters/store/sqlite_account_store.hpp"
#include "adapters/store/sqlite_connector_store.hpp"
#include "adapters/store/sqlite_contact_center_store.hpp"
#include "adapters/store/sqlite_db.hpp"
#include "adapters/store/sqlite_presence_sync_store.hpp"
#include "adapters/store/sqlite_store.hpp"
#include "adapters/store/sqlite_test_support.hpp"
#include "core/time.hpp"

namespace ccteams::store {
namespace {

using testing::object_exists;
using testing::query_int;
using testing::TempDir;

constexpr Timestamp kT0{Millis{1'800'000'000'000}};

std::unique_ptr<SqliteDb> open_db(const std::string& path) {
  auto db = SqliteDb::open(path);
  EXPECT_TRUE(db) << (db ? "" : db.error().message);
  return db ? std::move(*db) : nullptr;
}

// The built-in list plus one more migration.
std::vector<Migration> builtin_plus(Migration extra) {
  std::vector<Migration> list(sqlite_migrations().begin(), sqlite_migrations().end());
  extra.version = latest_version(list) + 1;
  list.push_back(extra);
  return list;
}

TEST(SqliteMigrations, BuiltinListIsNumberedOneToN) {
  const auto list = sqlite_migrations();
  ASSERT_GE(list.size(), 2u);
  for (std::size_t i = 0; i < list.size(); ++i) EXPECT_EQ(list[i].version, int(i) + 1);
  EXPECT_EQ(latest_version(list), int(list.size()));
}

TEST(SqliteMigrations, EmptyDatabaseReachesLatestWithAllTables) {
  auto db = open_db(":memory:");
  auto version = apply_migrations(*db, sqlite_migrations());
  ASSERT_TRUE(version) << version.error().message;
  EXPECT_EQ(*version, latest_version(sqlite_migrations()));
  EXPECT_EQ(read_schema_version(*db).value_or(-1), *version);
  for (const char* table : {"organisations", "users", "auth_sessions", "login_failures",
                            "auth_sessions_expires_at", "login_failures_key_at"}) {
    EXPECT_EQ(object_exists(*db, table), 1) << table;
  }
  // Running again is a no-op.
  auto again = apply_migrations(*db, sqlite_migrations());
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *version);
}

TEST(SqliteMigrations, OlderSchemaIsMigratedWithDataIntact) {
  TempDir dir;
  const std::string path = dir.file("old.db");
  const auto v1_only = sqlite_migrations().first(1);
  OrgId org;
  UserId user;
  {
    auto store = SqliteStore::open(path, SqliteStoreOptions{{}, v1_only});
    ASSERT_TRUE(store) << store.error().message;
    EXPECT_EQ((*store)->schema_version(), 1);
    EXPECT_EQ(object_exists((*store)->db(), "auth_sessions"), 0);
    // Version 1 has organisations and users, which the account store can already use.
    SqliteAccountStore accounts((*store)->db());
    auto o = accounts.create_org("Acme", kT0);
    ASSERT_TRUE(o) << o.error().message;
    org = o->id;
    UserAccount alice{{}, org, "alice", "Alice", RoleSet{Role::admin, Role::agent}, "h$1", false,
                      kT0};
    auto u = accounts.create_user(alice);
    ASSERT_TRUE(u) << u.error().message;
    user = u->id;
  }
  auto store = SqliteStore::open(path);
  ASSERT_TRUE(store) << store.error().message;
  EXPECT_EQ((*store)->schema_version(), latest_version(sqlite_migrations()));
  auto& accounts = (*store)->accounts();
  auto alice = accounts.get_user(org, user);
  ASSERT_TRUE(alice) << alice.error().message;
  EXPECT_EQ(alice->username, "alice");
  EXPECT_EQ(alice->roles, (RoleSet{Role::admin, Role::agent}));
  EXPECT_EQ(alice->created_at, kT0);
  // The version 2 tables work, including the cascade to the version 1 users table.
  ASSERT_TRUE(accounts.put_session({"th", user, org, "csrf", kT0, kT0 + Millis{1000}}));
  ASSERT_TRUE(accounts.find_session("th", kT0));
  ASSERT_TRUE(accounts.record_login_failure("user:alice", kT0));
  EXPECT_EQ(accounts.count_login_failures("user:alice", kT0).value_or(-1), 1);
  ASSERT_TRUE(accounts.delete_user(org, user));
  EXPECT_FALSE(accounts.find_session("th", kT0));
}

// v11: where two organisations held one tenant (possible before), the earliest consent keeps
// it; the other connector loses it, is AuthorizationError and its audit log says why.
TEST(SqliteMigrations, TenantHeldTwiceGoesToTheEarliestConsent) {
  TempDir dir;
  const std::string path = dir.file("v10.db");
  std::int64_t first = 0, second = 0;
  {
    auto store = SqliteStore::open(path, SqliteStoreOptions{{}, sqlite_migrations().first(10)});
    ASSERT_TRUE(store) << store.error().message;
    SqliteAccountStore accounts((*store)->db());
    first = accounts.create_org("First", kT0)->id.value;
    second = accounts.create_org("Second", kT0)->id.value;
    auto conn = (*store)->db().lock();
    for (auto [org, consented] : {std::pair{second, 2000}, std::pair{first, 1000}}) {
      ASSERT_TRUE(conn.exec(
          "INSERT INTO teams_connectors (org_id, status, tenant_id, consented_at, updated_at, "
          "version) VALUES (" + std::to_string(org) + ", 'Active', 'shared-tid', " +
          std::to_string(consented) + ", 0, 3)"));
    }
  }
  auto store = SqliteStore::open(path);
  ASSERT_TRUE(store) << store.error().message;
  SqliteConnectorStore connectors((*store)->db());
  auto kept = *connectors.find_connector(OrgId{first});
  auto lost = *connectors.find_connector(OrgId{second});
  ASSERT_TRUE(kept && lost);
  EXPECT_EQ(kept->tenant_id, "shared-tid");
  EXPECT_EQ(kept->status, ConnectorStatus::active);
  EXPECT_EQ(lost->tenant_id, "");
  EXPECT_EQ(lost->status, ConnectorStatus::authorization_error);
  EXPECT_EQ(lost->version, 4);
  EXPECT_NE(lost->last_error.find("another ccteams organisation"), std::string::npos);
  auto audit = connectors.list_audit(OrgId{second}, 10, std::nullopt);
  ASSERT_TRUE(audit && audit->size() == 1u);
  EXPECT_EQ(audit->front().action, "tenant released");
  EXPECT_TRUE(connectors.list_audit(OrgId{first}, 10, std::nullopt)->empty());
  EXPECT_EQ(*connectors.find_org_by_tenant("shared-tid"), std::optional<OrgId>{OrgId{first}});
}

// v12: consent requests pending from the one-step flow (whose tenant was never proven) are
// dropped; connectors keep everything and gain an empty "consented by" Entra account.
TEST(SqliteMigrations, PendingOneStepConsentRequestsAreDropped) {
  TempDir dir;
  const std::string path = dir.file("v11.db");
  std::int64_t org = 0;
  {
    auto store = SqliteStore::open(path, SqliteStoreOptions{{}, sqlite_migrations().first(11)});
    ASSERT_TRUE(store) << store.error().message;
    SqliteAccountStore accounts((*store)->db());
    org = accounts.create_org("Org", kT0)->id.value;
    auto conn = (*store)->db().lock();
    ASSERT_TRUE(
        conn.exec("INSERT INTO teams_consent_requests (state_digest, org_id, user_id, username, "
                  "session_digest, created_at, expires_at, used) VALUES ('old', " +
                  std::to_string(org) + ", 1, 'root', 's', 0, 99999999999999, 0)"));
    ASSERT_TRUE(conn.exec(
        "INSERT INTO teams_connectors (org_id, status, tenant_id, consented_at, updated_at, "
        "version) VALUES (" +
        std::to_string(org) + ", 'Active', 'tid-1', 1000, 0, 3)"));
  }
  auto store = SqliteStore::open(path);
  ASSERT_TRUE(store) << store.error().message;
  SqliteConnectorStore connectors((*store)->db());
  EXPECT_EQ(connectors.claim_consent_request("old").error().code, Errc::not_found);
  auto kept = *connectors.find_connector(OrgId{org});
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->tenant_id, "tid-1");
  EXPECT_EQ(kept->status, ConnectorStatus::active);
  EXPECT_EQ(kept->consented_by_entra_upn, "");
}

// v13: inbox entries accepted before the upgrade, kept as Graph's changeNotificationCollection,
// are rewritten into the store's own form and come back whole: nothing acknowledged is lost.
TEST(SqliteMigrations, PendingInboxEntriesInGraphFormSurviveTheUpgrade) {
  TempDir dir;
  const std::string path = dir.file("v12.db");
  std::int64_t org = 0;
  // As version 12 wrote them (graph::encode_notifications): a rich change with every field, a
  // bare one, and a lifecycle entry without validation tokens.
  const std::string change_body =
      R"({"value":[{"id":"n-1","subscriptionId":"s-1",)"
      R"("subscriptionExpirationDateTime":"2027-01-15T08:00:00.000Z","changeType":"updated",)"
      R"("resource":"communications/presences/u1","tenantId":"tid","organizationId":"tid",)"
      R"("clientState":"secret","resourceData":{"@odata.type":"#microsoft.graph.presence",)"
      R"("@odata.id":"users/u1/presence","id":"u1"},"encryptedContent":{"data":"ZGF0YQ==",)"
      R"("dataSignature":"c2ln","dataKey":"a2V5","encryptionCertificateId":"cert-1",)"
      R"("encryptionCertificateThumbprint":"0729"}},{"subscriptionId":"s-2",)"
      R"("changeType":"updated","resource":"communications/presences/u2"}],)"
      R"("validationTokens":["eyJ0eXAiOiJKV1QifQ.e30.c2ln"]})";
  const std::string lifecycle_body =
      R"({"value":[{"subscriptionId":"s-1","lifecycleEvent":"reauthorizationRequired"}]})";
  {
    auto store = SqliteStore::open(path, SqliteStoreOptions{{}, sqlite_migrations().first(12)});
    ASSERT_TRUE(store) << store.error().message;
    SqliteAccountStore accounts((*store)->db());
    org = accounts.create_org("Org", kT0)->id.value;
    auto conn = (*store)->db().lock();
    auto insert = conn.prepare(
        "INSERT INTO presence_inbox (org_id, kind, received_at, body) VALUES (?1, ?2, ?3, ?4)");
    ASSERT_TRUE(insert);
    for (const auto& [kind, body] : {std::pair{"change", change_body},
                                     std::pair{"lifecycle", lifecycle_body}}) {
      insert->reset();
      insert->bind_int64(1, org);
      insert->bind_text(2, kind);
      insert->bind_int64(3, 1000);
      insert->bind_text(4, body);
      ASSERT_TRUE(insert->run());
    }
  }
  auto store = SqliteStore::open(path);
  ASSERT_TRUE(store) << store.error().message;
  SqlitePresenceSyncStore inbox((*store)->db());
  auto pending = inbox.pending(OrgId{org}, 10);
  ASSERT_TRUE(pending) << pending.error().message;
  ASSERT_EQ(pending->size(), 2u);
  const NotificationBatch& change = (*pending)[0].batch;
  EXPECT_EQ(change.validation_tokens, std::vector<std::string>{"eyJ0eXAiOiJKV1QifQ.e30.c2ln"});
  ASSERT_EQ(change.notifications.size(), 2u);
  const ChangeNotification& rich = change.notifications[0];
  EXPECT_EQ(rich.id, "n-1");
  EXPECT_EQ(rich.subscription_id, "s-1");
  EXPECT_EQ(rich.subscription_expiration, parse_iso8601("2027-01-15T08:00:00Z"));
  EXPECT_EQ(rich.change_type, "updated");
  EXPECT_EQ(rich.resource, "communications/presences/u1");
  EXPECT_EQ(rich.tenant_id, "tid");
  EXPECT_EQ(rich.organization_id, "tid");
  EXPECT_EQ(rich.client_state, "secret");
  ASSERT_TRUE(rich.resource_data);
  EXPECT_EQ(rich.resource_data->odata_type, "#microsoft.graph.presence");
  EXPECT_EQ(rich.resource_data->odata_id, "users/u1/presence");
  EXPECT_EQ(rich.resource_data->id, "u1");
  ASSERT_TRUE(rich.encrypted_content);
  EXPECT_EQ(rich.encrypted_content->data, "ZGF0YQ==");
  EXPECT_EQ(rich.encrypted_content->data_signature, "c2ln");
  EXPECT_EQ(rich.encrypted_content->data_key, "a2V5");
  EXPECT_EQ(rich.encrypted_content->encryption_certificate_id, "cert-1");
  EXPECT_EQ(rich.encrypted_content->encryption_certificate_thumbprint, "0729");
  const ChangeNotification& bare = change.notifications[1];
  EXPECT_EQ(bare.subscription_id, "s-2");
  EXPECT_EQ(bare.resource, "communications/presences/u2");
  EXPECT_FALSE(bare.id || bare.subscription_expiration || bare.client_state || bare.tenant_id ||
               bare.lifecycle_event || bare.resource_data || bare.encrypted_content);
  const InboxEntry& lifecycle = (*pending)[1];
  EXPECT_EQ(lifecycle.kind, InboxKind::lifecycle);
  EXPECT_TRUE(lifecycle.batch.validation_tokens.empty());
  ASSERT_EQ(lifecycle.batch.notifications.size(), 1u);
  EXPECT_EQ(lifecycle.batch.notifications[0].lifecycle_event_text, "reauthorizationRequired");
  EXPECT_EQ(lifecycle.batch.notifications[0].lifecycle_event,
            LifecycleEvent::reauthorization_required);
  EXPECT_FALSE(lifecycle.batch.notifications[0].change_type);
}

TEST(SqliteMigrations, NewerDatabaseIsRefusedAndUntouched) {
  TempDir dir;
  const std::string path = dir.file("future.db");
  // Newer than both the list below and the production list.
  const int future = latest_version(sqlite_migrations()) + 1;
  {
    auto db = open_db(path);
    auto conn = db->lock();
    ASSERT_TRUE(conn.exec("CREATE TABLE from_the_future (x); PRAGMA user_version = " +
                          std::to_string(future) + ";"));
  }
  const std::array<Migration, 3> known{Migration{1, "one", "CREATE TABLE one (x)"},
                                       Migration{2, "two", "CREATE TABLE two (x)"},
                                       Migration{3, "three", "CREATE TABLE three (x)"}};
  auto store = SqliteStore::open(path, SqliteStoreOptions{{}, known});
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, Errc::conflict);
  EXPECT_EQ(store.error().message,
            "database schema version " + std::to_string(future) +
                " is newer than this ccteams (knows up to 3); upgrade ccteams");
  // The production entry point refuses it as well.
  EXPECT_FALSE(SqliteStore::open(path));
  auto db = open_db(path);
  EXPECT_EQ(read_schema_version(*db).value_or(-1), future);
  EXPECT_EQ(object_exists(*db, "from_the_future"), 1);
  for (const char* t : {"one", "two", "three", "organisations"}) {
    EXPECT_EQ(object_exists(*db, t), 0) << t;
  }
}

TEST(SqliteMigrations, FailingMigrationRollsBackAndKeepsTheVersion) {
  TempDir dir;
  const std::string path = dir.file("broken.db");
  // Creates a table, then fails: the table must not survive.
  const auto list = builtin_plus(
      Migration{0, "broken", "CREATE TABLE partial (x); INSERT INTO no_such_table VALUES (1);"});
  auto store = SqliteStore::open(path, SqliteStoreOptions{{}, list});
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, Errc::internal);
  const int builtin = static_cast<int>(sqlite_migrations().size());
  EXPECT_NE(store.error().message.find("migration " + std::to_string(builtin + 1) + " (broken) failed"),
            std::string::npos)
      << store.error().message;
  auto db = open_db(path);
  EXPECT_EQ(read_schema_version(*db).value_or(-1), builtin) << "the good migrations stay applied";
  EXPECT_EQ(object_exists(*db, "partial"), 0);
  EXPECT_EQ(object_exists(*db, "users"), 1);
  // The database is usable afterwards: the binary with the built-in list opens it.
  auto reopened = SqliteStore::open(path);
  ASSERT_TRUE(reopened) << reopened.error().message;
  EXPECT_EQ((*reopened)->schema_version(), builtin);
}

TEST(SqliteMigrations, MalformedListIsRefused) {
  auto db = open_db(":memory:");
  const std::array<Migration, 2> gap{Migration{1, "one", "CREATE TABLE one (x)"},
                                     Migration{3, "three", "CREATE TABLE three (x)"}};
  auto version = apply_migrations(*db, gap);
  ASSERT_FALSE(version);
  EXPECT_EQ(version.error().code, Errc::internal);
  EXPECT_EQ(object_exists(*db, "one"), 0) << "validated before anything is applied";
}

TEST(SqliteMigrations, NewMigrationAppliesOnTopOfAnExistingDatabase) {
  TempDir dir;
  const std::string path = dir.file("grow.db");
  ASSERT_TRUE(SqliteStore::open(path));
  const auto list = builtin_plus(Migration{0, "agents", "CREATE TABLE agents (id INTEGER);"});
  auto store = SqliteStore::open(path, SqliteStoreOptions{{}, list});
  ASSERT_TRUE(store) << store.error().message;
  const int builtin = static_cast<int>(sqlite_migrations().size());
  EXPECT_EQ((*store)->schema_version(), builtin + 1);
  EXPECT_EQ(object_exists((*store)->db(), "agents"), 1);
  EXPECT_EQ(query_int((*store)->db(), "PRAGMA user_version"), builtin + 1);
}

// v14: agent states stored before the upgrade come back unchanged, without a mark of our Teams
// session (an older process kept none); the column then takes one.
TEST(SqliteMigrations, AgentStatesSurviveTheUpgradeWithoutASessionMark) {
  TempDir dir;
  const std::string path = dir.file("v13.db");
  std::int64_t org = 0, user = 0;
  {
    auto store = SqliteStore::open(path, SqliteStoreOptions{{}, sqlite_migrations().first(13)});
    ASSERT_TRUE(store) << store.error().message;
    SqliteAccountStore accounts((*store)->db());
    org = accounts.create_org("Org", kT0)->id.value;
    UserAccount alice;
    alice.org_id = OrgId{org};
    alice.username = "alice";
    alice.display_name = "Alice";
    alice.roles = RoleSet{Role::agent};
    alice.password_hash = "x";
    alice.created_at = kT0;
    user = accounts.create_user(alice)->id.value;
    const std::string ids = std::to_string(user) + ", " + std::to_string(org);
    const std::string settings =
        "INSERT INTO agent_settings (user_id, org_id) VALUES (" + ids + ")";
    const std::string state = "INSERT INTO agent_states (user_id, org_id, status, since) VALUES (" +
                              ids + ", 'Available', 1800000000000)";
    ASSERT_TRUE((*store)->db().lock().exec(settings + ";" + state));
  }
  auto store = SqliteStore::open(path);
  ASSERT_TRUE(store) << store.error().message;
  SqliteContactCenterStore cc((*store)->db());
  auto states = cc.list_agent_states(OrgId{org});
  ASSERT_TRUE(states) << states.error().message;
  ASSERT_EQ(states->size(), 1u);
  AgentState s = (*states)[0];
  EXPECT_EQ(s.agent, UserId{user});
  EXPECT_EQ(s.status, AgentStatus::available);
  EXPECT_EQ(s.since, kT0);
  EXPECT_FALSE(s.own_session.may_show_since);
  s.own_session.may_show_since = kT0 + Millis{5};
  ASSERT_TRUE(cc.commit(OrgId{org}, CcCommit{{}, {s}, {}}));
  EXPECT_EQ((*cc.list_agent_states(OrgId{org}))[0].own_session.may_show_since, kT0 + Millis{5});
}

}  // namespace
}  // namespace ccteams::store
