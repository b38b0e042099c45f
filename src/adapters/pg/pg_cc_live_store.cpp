// PgContactCenterStore, live half: agent states, contacts and the event log.
#include "adapters/pg/pg_cc_sql.hpp"
#include "adapters/pg/pg_contact_center_store.hpp"
#include "adapters/pg/pg_db.hpp"
#include "adapters/pg/pg_rows.hpp"

namespace ccteams::store {
namespace sql = pg_cc_sql;
namespace {

// Only what a restart needs is stored: presence bookkeeping is rebuilt by the next bulk read,
// except our Teams session's mark, which a restart must clear (core/agent_state.hpp).
AgentState read_agent_state(const PgRows& rows, int r) {
  AgentState s = logged_out_agent(UserId{rows.int64(r, 0)}, from_unix_millis(rows.int64(r, 5)));
  s.status = parse_agent_status(rows.text(r, 1)).value_or(AgentStatus::logged_out);
  if (s.status == AgentStatus::idle) {
    s.idle_code = IdleCodeId{rows.int64(r, 2)};
    s.origin = parse_idle_origin(rows.text(r, 3)).value_or(IdleOrigin::system);
  }
  if (auto c = rows.optional_int64(r, 4)) s.contact = ContactId{*c};
  if (auto m = rows.optional_int64(r, 6)) s.own_session.may_show_since = from_unix_millis(*m);
  return s;
}

EndReason parse_end_reason(std::string_view name) {
  for (EndReason r : {EndReason::completed, EndReason::abandoned, EndReason::transferred_out,
                      EndReason::forced}) {
    if (end_reason_name(r) == name) return r;
  }
  return EndReason::none;
}

Contact read_contact(const PgRows& rows, int r) {
  Contact c;
  c.id = ContactId{rows.int64(r, 0)};
  c.org = OrgId{rows.int64(r, 1)};
  c.queue = QueueId{rows.int64(r, 2)};
  c.status = parse_contact_status(rows.text(r, 3)).value_or(ContactStatus::ended);
  c.caller = rows.text(r, 4);
  c.enqueued_at = from_unix_millis(rows.int64(r, 5));
  c.since = from_unix_millis(rows.int64(r, 6));
  if (auto a = rows.optional_int64(r, 7)) c.agent = UserId{*a};
  if (auto pa = rows.optional_int64(r, 8)) {
    c.party = AgentParty{UserId{*pa}};
  } else if (!rows.is_null(r, 9)) {
    c.party = PhoneParty{rows.text(r, 9), rows.text(r, 10)};
  }
  c.offers = static_cast<int>(rows.int64(r, 11));
  c.ronas = static_cast<int>(rows.int64(r, 12));
  c.end_reason = parse_end_reason(rows.text(r, 13));
  c.answers = static_cast<int>(rows.int64(r, 14));
  c.party_joined = rows.boolean(r, 15);
  if (auto code = rows.optional_text(r, 16)) c.wrap_up_code = std::move(*code);
  return c;
}

// The contact's nullable columns, as SQLite's store binds them.
struct ContactColumns {
  std::optional<std::int64_t> agent;
  std::optional<std::int64_t> party_agent;
  std::optional<std::string> party_number;
  std::optional<std::string> party_teams_user_id;
  std::optional<std::string> wrap_up_code;
};

ContactColumns nullable_columns(const Contact& c) {
  ContactColumns k;
  if (c.agent) k.agent = c.agent->value;
  if (c.party) {
    if (const auto* a = std::get_if<AgentParty>(&*c.party)) {
      k.party_agent = a->agent.value;
    } else {
      const auto& p = std::get<PhoneParty>(*c.party);
      k.party_number = p.number;
      k.party_teams_user_id = p.teams_user_id;
    }
  }
  if (!c.wrap_up_code.empty()) k.wrap_up_code = c.wrap_up_code;
  return k;
}

Result<PgRows> insert_contact(PgConnection& conn, const Contact& c) {
  const ContactColumns k = nullable_columns(c);
  return conn.query(sql::kInsertContact,
                    {c.org.value, c.queue.value, contact_status_name(c.status), c.caller,
                     to_unix_millis(c.enqueued_at), to_unix_millis(c.since), k.agent, k.party_agent,
                     k.party_number, k.party_teams_user_id, c.offers, c.ronas,
                     end_reason_name(c.end_reason), c.answers, c.party_joined, k.wrap_up_code});
}

Error no_contact() { return make_error(Errc::not_found, "no such contact"); }

Result<void> update_contact(PgConnection& conn, const Contact& c) {
  const ContactColumns k = nullable_columns(c);
  auto updated = pg_affected(
      conn.query(sql::kUpdateContact,
                 {c.id.value, c.org.value, c.queue.value, contact_status_name(c.status), c.caller,
                  to_unix_millis(c.enqueued_at), to_unix_millis(c.since), k.agent, k.party_agent,
                  k.party_number, k.party_teams_user_id, c.offers, c.ronas,
                  end_reason_name(c.end_reason), c.answers, c.party_joined, k.wrap_up_code}));
  if (!updated) return std::move(updated).error();
  if (*updated == 0) return no_contact();
  return ok();
}

CcEventRecord read_event(const PgRows& rows, int r) {
  CcEventRecord e;
  e.seq = rows.int64(r, 0);
  e.org = OrgId{rows.int64(r, 1)};
  if (auto a = rows.optional_int64(r, 2)) e.agent = UserId{*a};
  e.type = rows.text(r, 3);
  e.at = from_unix_millis(rows.int64(r, 4));
  e.body = rows.text(r, 5);
  return e;
}

Result<void> upsert_agent_state(PgConnection& conn, OrgId org, const AgentState& s) {
  std::optional<std::int64_t> idle_code;
  if (s.idle_code) idle_code = s.idle_code->value;
  std::optional<std::string> origin;
  if (s.origin) origin = std::string(idle_origin_name(*s.origin));
  std::optional<std::int64_t> contact;
  if (s.contact) contact = s.contact->value;
  std::optional<std::int64_t> own_session_since;
  if (const auto& mark = s.own_session.may_show_since) own_session_since = to_unix_millis(*mark);
  // A state is stored only after a change, which always sets since; never-seen agents have no
  // row (their since stays null).
  auto stored = pg_affected(
      conn.query(sql::kUpsertAgentState,
                 {org.value, s.agent.value, agent_status_name(s.status), idle_code, origin, contact,
                  to_unix_millis(s.since.value_or(Timestamp{})), own_session_since}));
  if (!stored) return std::move(stored).error();
  if (*stored == 0) return make_error(Errc::not_found, "no such agent");
  return ok();
}

// Inserts one event inside the caller's transaction.
Result<CcEventRecord> insert_event(PgConnection& conn, OrgId org, std::optional<UserId> agent,
                                   const std::string& type, Timestamp at,
                                   const std::string& body_without_seq) {
  // The body names its own seq so that a replayed event reads exactly like the live one.
  if (body_without_seq.size() < 2 || body_without_seq.front() != '{') {
    return make_error(Errc::internal, "event body must be a JSON object");
  }
  std::optional<std::int64_t> agent_id;
  if (agent) agent_id = agent->value;
  CcEventRecord rec{0, org, agent, type, at, {}};
  auto seq = pg_one_row(
      conn.query(sql::kInsertEvent, {org.value, agent_id, type, to_unix_millis(at)}),
      [](const PgRows& rows, int r) { return rows.int64(r, 0); },
      make_error(Errc::internal, "insert returned no row"));
  if (!seq) return std::move(seq).error();
  rec.seq = *seq;
  const bool empty_object =
      body_without_seq.find_first_not_of(" \t\r\n", 1) == body_without_seq.rfind('}');
  rec.body = "{\"seq\":" + std::to_string(rec.seq) + (empty_object ? "" : ",") +
             body_without_seq.substr(1);
  if (auto r = conn.query(sql::kSetEventBody, {rec.seq, rec.body}); !r) {
    return std::move(r).error();
  }
  return rec;
}

}  // namespace

Result<std::vector<AgentState>> PgContactCenterStore::list_agent_states(OrgId org) {
  auto conn = db_.lock();
  return pg_all_rows(conn.query(sql::kSelectAgentStates, {org.value}), read_agent_state);
}

Result<Contact> PgContactCenterStore::put_contact(const Contact& contact) {
  auto conn = db_.lock();
  Contact out = contact;
  if (contact.id.value == 0) {
    auto id = pg_one_row(
        insert_contact(conn, contact), [](const PgRows& rows, int r) { return rows.int64(r, 0); },
        make_error(Errc::internal, "insert returned no row"));
    if (!id) return std::move(id).error();
    out.id = ContactId{*id};
    return out;
  }
  if (auto r = update_contact(conn, contact); !r) return std::move(r).error();
  return out;
}

Result<Contact> PgContactCenterStore::get_contact(OrgId org, ContactId id) {
  auto conn = db_.lock();
  return pg_one_row(conn.query(sql::kSelectContact, {org.value, id.value}), read_contact,
                    no_contact());
}

Result<std::vector<Contact>> PgContactCenterStore::list_open_contacts(OrgId org) {
  auto conn = db_.lock();
  return pg_all_rows(conn.query(sql::kSelectOpenContacts, {org.value}), read_contact);
}

Result<std::vector<QueueCounts>> PgContactCenterStore::list_queue_counts(OrgId org) {
  auto conn = db_.lock();
  return pg_all_rows(conn.query(sql::kSelectQueueCounters, {org.value}),
                     [](const PgRows& rows, int r) {
                       return QueueCounts{QueueId{rows.int64(r, 0)}, rows.int64(r, 1),
                                          rows.int64(r, 2), rows.int64(r, 3)};
                     });
}

Result<std::vector<OrgId>> PgContactCenterStore::orgs_with_live_state() {
  auto conn = db_.lock();
  return pg_all_rows(conn.query(sql::kOrgsWithLiveState),
                     [](const PgRows& rows, int r) { return OrgId{rows.int64(r, 0)}; });
}

Result<std::vector<CcEventRecord>> PgContactCenterStore::commit(OrgId org, const CcCommit& change) {
  std::vector<CcEventRecord> out;
  if (change.empty()) return out;
  out.reserve(change.events.size());
  auto conn = db_.lock();
  auto tx = conn.begin();
  if (!tx) return std::move(tx).error();
  for (const auto& c : change.contacts) {
    if (c.org != org || c.id.value == 0) return no_contact();
    if (auto r = update_contact(conn, c); !r) return std::move(r).error();
  }
  for (const auto& s : change.states) {
    if (auto r = upsert_agent_state(conn, org, s); !r) return std::move(r).error();
  }
  for (const auto& e : change.events) {
    auto rec = insert_event(conn, org, e.agent, e.type, e.at, e.body_without_seq);
    if (!rec) return std::move(rec).error();
    out.push_back(std::move(*rec));
  }
  if (auto r = tx->commit(); !r) return std::move(r).error();
  return out;
}

Result<std::vector<CcEventRecord>> PgContactCenterStore::events_after(OrgId org, std::int64_t after,
                                                                      std::size_t limit) {
  auto conn = db_.lock();
  return pg_all_rows(
      conn.query(sql::kSelectEventsAfter, {org.value, after, static_cast<std::int64_t>(limit)}),
      read_event);
}

Result<int> PgContactCenterStore::prune_events(Timestamp before) {
  auto conn = db_.lock();
  return pg_affected(conn.query(sql::kPruneEvents, {to_unix_millis(before)}));
}

}  // namespace ccteams::store
