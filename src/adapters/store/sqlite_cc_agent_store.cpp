// SqliteContactCenterStore, agents: the settings of accounts with the agent role.
#include "adapters/store/sqlite_cc_sql.hpp"
#include "adapters/store/sqlite_contact_center_store.hpp"
#include "adapters/store/sqlite_db.hpp"
#include "adapters/store/sqlite_rows.hpp"

namespace ccteams::store {
namespace sql = cc_sql;
namespace {

AgentConfig read_agent(const Statement& st) {
  AgentConfig a;
  a.user = UserId{st.column_int64(0)};
  a.org = OrgId{st.column_int64(1)};
  if (auto p = column_optional_int64(st, 2)) a.desktop_profile = DesktopProfileId{*p};
  if (!st.column_is_null(3)) a.teams_user_id = st.column_text(3);
  return a;
}

Error no_agent() { return make_error(Errc::not_found, "no such agent"); }

Result<void> read_agent_queues(SqliteConnection& conn, AgentConfig& a) {
  auto st = conn.prepare(sql::kSelectAgentQueues);
  if (!st) return std::move(st).error();
  st->bind_int64(1, a.user.value);
  auto ids = read_all_rows(*st, [](const Statement& s) { return QueueId{s.column_int64(0)}; });
  if (!ids) return std::move(ids).error();
  a.queues = std::move(*ids);
  return ok();
}

}  // namespace

// ---- agents ----

Result<AgentConfig> SqliteContactCenterStore::put_agent(const AgentConfig& agent) {
  auto conn = db_.lock();
  auto tx = conn.begin();
  if (!tx) return std::move(tx).error();
  auto user = row_exists(conn, sql::kUserExists, agent.org.value, agent.user.value);
  if (!user) return std::move(user).error();
  if (!*user) return make_error(Errc::not_found, "no such user");
  if (agent.desktop_profile) {
    auto p = row_exists(conn, sql::kProfileExists, agent.org.value, agent.desktop_profile->value);
    if (!p) return std::move(p).error();
    if (!*p) return make_error(Errc::not_found, "desktopProfileId: no such desktop profile");
  }
  {
    auto st = conn.prepare(sql::kUpsertAgent);
    if (!st) return std::move(st).error();
    st->bind_int64(1, agent.user.value).bind_int64(2, agent.org.value);
    if (agent.desktop_profile) {
      st->bind_int64(3, agent.desktop_profile->value);
    } else {
      st->bind_null(3);
    }
    st->bind_optional_text(4, agent.teams_user_id);
    if (auto r = st->run(); !r) return std::move(r).error();
  }
  {
    auto del = conn.prepare(sql::kDeleteAgentQueues);
    if (!del) return std::move(del).error();
    del->bind_int64(1, agent.user.value);
    if (auto r = del->run(); !r) return std::move(r).error();
  }
  std::int64_t position = 0;
  for (QueueId q : agent.queues) {
    auto found = row_exists(conn, sql::kQueueExists, agent.org.value, q.value);
    if (!found) return std::move(found).error();
    if (!*found) {
      return make_error(Errc::not_found,
                        "queueIds: no queue " + std::to_string(q.value) + " in this organisation");
    }
    auto ins = conn.prepare(sql::kInsertAgentQueue);
    if (!ins) return std::move(ins).error();
    ins->bind_int64(1, agent.user.value).bind_int64(2, agent.org.value).bind_int64(3, q.value);
    ins->bind_int64(4, position++);
    if (auto r = ins->run(); !r) return std::move(r).error();
  }
  if (auto r = tx->commit(); !r) return std::move(r).error();
  return agent;
}

Result<AgentConfig> SqliteContactCenterStore::get_agent(OrgId org, UserId user) {
  auto conn = db_.lock();
  Result<AgentConfig> a = no_agent();
  {
    auto st = conn.prepare(sql::kSelectAgent);
    if (!st) return std::move(st).error();
    st->bind_int64(1, org.value).bind_int64(2, user.value);
    a = read_one_row(*st, read_agent, no_agent());
  }
  if (!a) return a;
  if (auto r = read_agent_queues(conn, *a); !r) return std::move(r).error();
  return a;
}

Result<std::vector<AgentConfig>> SqliteContactCenterStore::list_agents(OrgId org) {
  auto conn = db_.lock();
  Result<std::vector<AgentConfig>> all = std::vector<AgentConfig>{};
  {
    auto st = conn.prepare(sql::kSelectAgents);
    if (!st) return std::move(st).error();
    st->bind_int64(1, org.value);
    all = read_all_rows(*st, read_agent);
  }
  if (!all) return all;
  for (auto& a : *all) {
    if (auto r = read_agent_queues(conn, a); !r) return std::move(r).error();
  }
  return all;
}

Result<void> SqliteContactCenterStore::delete_agent(OrgId org, UserId user) {
  auto conn = db_.lock();
  auto st = conn.prepare(sql::kDeleteAgent);
  if (!st) return std::move(st).error();
  st->bind_int64(1, org.value).bind_int64(2, user.value);
  if (auto r = st->run(); !r) return r;
  if (conn.changes() == 0) return no_agent();
  return ok();
}

}  // namespace ccteams::store
