// PgContactCenterStore, agents: the settings of accounts with the agent role.
#include "adapters/pg/pg_cc_sql.hpp"
#include "adapters/pg/pg_contact_center_store.hpp"
#include "adapters/pg/pg_db.hpp"
#include "adapters/pg/pg_rows.hpp"

namespace ccteams::store {
namespace sql = pg_cc_sql;
namespace {

AgentConfig read_agent(const PgRows& rows, int r) {
  AgentConfig a;
  a.user = UserId{rows.int64(r, 0)};
  a.org = OrgId{rows.int64(r, 1)};
  if (auto p = rows.optional_int64(r, 2)) a.desktop_profile = DesktopProfileId{*p};
  a.teams_user_id = rows.optional_text(r, 3);
  return a;
}

Error no_agent() { return make_error(Errc::not_found, "no such agent"); }

Result<void> read_agent_queues(PgConnection& conn, AgentConfig& a) {
  auto ids = pg_all_rows(conn.query(sql::kSelectAgentQueues, {a.user.value}),
                         [](const PgRows& rows, int r) { return QueueId{rows.int64(r, 0)}; });
  if (!ids) return std::move(ids).error();
  a.queues = std::move(*ids);
  return ok();
}

}  // namespace

// ---- agents ----

Result<AgentConfig> PgContactCenterStore::put_agent(const AgentConfig& agent) {
  auto conn = db_.lock();
  auto tx = conn.begin();
  if (!tx) return std::move(tx).error();
  auto user = pg_row_exists(conn, sql::kUserExists, agent.org.value, agent.user.value);
  if (!user) return std::move(user).error();
  if (!*user) return make_error(Errc::not_found, "no such user");
  std::optional<std::int64_t> profile;
  if (agent.desktop_profile) {
    profile = agent.desktop_profile->value;
    auto p = pg_row_exists(conn, sql::kProfileExists, agent.org.value, *profile);
    if (!p) return std::move(p).error();
    if (!*p) return make_error(Errc::not_found, "desktopProfileId: no such desktop profile");
  }
  if (auto r = conn.query(sql::kUpsertAgent,
                          {agent.user.value, agent.org.value, profile, agent.teams_user_id});
      !r) {
    return std::move(r).error();
  }
  if (auto r = conn.query(sql::kDeleteAgentQueues, {agent.user.value}); !r) {
    return std::move(r).error();
  }
  std::int64_t position = 0;
  for (QueueId q : agent.queues) {
    auto found = pg_row_exists(conn, sql::kQueueExists, agent.org.value, q.value);
    if (!found) return std::move(found).error();
    if (!*found) {
      return make_error(Errc::not_found,
                        "queueIds: no queue " + std::to_string(q.value) + " in this organisation");
    }
    auto ins =
        conn.query(sql::kInsertAgentQueue, {agent.user.value, agent.org.value, q.value, position});
    if (!ins) return std::move(ins).error();
    ++position;
  }
  if (auto r = tx->commit(); !r) return std::move(r).error();
  return agent;
}

Result<AgentConfig> PgContactCenterStore::get_agent(OrgId org, UserId user) {
  auto conn = db_.lock();
  auto tx = conn.begin();  // one snapshot for the settings and their queues
  if (!tx) return std::move(tx).error();
  auto a =
      pg_one_row(conn.query(sql::kSelectAgent, {org.value, user.value}), read_agent, no_agent());
  if (!a) return a;
  if (auto r = read_agent_queues(conn, *a); !r) return std::move(r).error();
  if (auto r = tx->commit(); !r) return std::move(r).error();
  return a;
}

Result<std::vector<AgentConfig>> PgContactCenterStore::list_agents(OrgId org) {
  auto conn = db_.lock();
  auto tx = conn.begin();  // one snapshot for the settings and their queues
  if (!tx) return std::move(tx).error();
  auto all = pg_all_rows(conn.query(sql::kSelectAgents, {org.value}), read_agent);
  if (!all) return all;
  for (auto& a : *all) {
    if (auto r = read_agent_queues(conn, a); !r) return std::move(r).error();
  }
  if (auto r = tx->commit(); !r) return std::move(r).error();
  return all;
}

Result<void> PgContactCenterStore::delete_agent(OrgId org, UserId user) {
  auto conn = db_.lock();
  auto deleted = pg_affected(conn.query(sql::kDeleteAgent, {org.value, user.value}));
  if (!deleted) return std::move(deleted).error();
  if (*deleted == 0) return no_agent();
  return ok();
}

}  // namespace ccteams::store
