// SqliteContactCenterStore, live half: agent states, contacts and the event log.
#include "adapters/store/sqlite_cc_sql.hpp"
#include "adapters/store/sqlite_contact_center_store.hpp"
#include "adapters/store/sqlite_db.hpp"
#include "adapters/store/sqlite_rows.hpp"

namespace ccteams::store {
namespace sql = cc_sql;
namespace {

// Only what a restart needs is stored: presence bookkeeping is rebuilt by the next bulk read,
// except our Teams session's mark, which a restart must clear (core/agent_state.hpp).
AgentState read_agent_state(const Statement& st) {
  AgentState s = logged_out_agent(UserId{st.column_int64(0)}, from_unix_millis(st.column_int64(5)));
  s.status = parse_agent_status(st.column_text(1)).value_or(AgentStatus::logged_out);
  if (s.status == AgentStatus::idle) {
    s.idle_code = IdleCodeId{st.column_int64(2)};
    s.origin = parse_idle_origin(st.column_text(3)).value_or(IdleOrigin::system);
  }
  if (auto c = column_optional_int64(st, 4)) s.contact = ContactId{*c};
  if (auto m = column_optional_int64(st, 6)) s.own_session.may_show_since = from_unix_millis(*m);
  return s;
}

EndReason parse_end_reason(std::string_view name) {
  for (EndReason r : {EndReason::completed, EndReason::abandoned, EndReason::transferred_out,
                      EndReason::forced}) {
    if (end_reason_name(r) == name) return r;
  }
  return EndReason::none;
}

Contact read_contact(const Statement& st) {
  Contact c;
  c.id = ContactId{st.column_int64(0)};
  c.org = OrgId{st.column_int64(1)};
  c.queue = QueueId{st.column_int64(2)};
  c.status = parse_contact_status(st.column_text(3)).value_or(ContactStatus::ended);
  c.caller = st.column_text(4);
  c.enqueued_at = from_unix_millis(st.column_int64(5));
  c.since = from_unix_millis(st.column_int64(6));
  if (auto a = column_optional_int64(st, 7)) c.agent = UserId{*a};
  if (auto pa = column_optional_int64(st, 8)) {
    c.party = AgentParty{UserId{*pa}};
  } else if (!st.column_is_null(9)) {
    c.party = PhoneParty{st.column_text(9), st.column_text(10)};
  }
  c.offers = static_cast<int>(st.column_int64(11));
  c.ronas = static_cast<int>(st.column_int64(12));
  c.end_reason = parse_end_reason(st.column_text(13));
  c.answers = static_cast<int>(st.column_int64(14));
  c.party_joined = st.column_int64(15) != 0;
  if (!st.column_is_null(16)) c.wrap_up_code = st.column_text(16);
  return c;
}

void bind_contact(Statement& st, const Contact& c) {
  st.bind_int64(1, c.id.value).bind_int64(2, c.org.value).bind_int64(3, c.queue.value);
  st.bind_text(4, contact_status_name(c.status)).bind_text(5, c.caller);
  st.bind_int64(6, to_unix_millis(c.enqueued_at)).bind_int64(7, to_unix_millis(c.since));
  if (c.agent) {
    st.bind_int64(8, c.agent->value);
  } else {
    st.bind_null(8);
  }
  st.bind_null(9).bind_null(10).bind_null(11);
  if (c.party) {
    if (const auto* a = std::get_if<AgentParty>(&*c.party)) {
      st.bind_int64(9, a->agent.value);
    } else {
      const auto& p = std::get<PhoneParty>(*c.party);
      st.bind_text(10, p.number).bind_text(11, p.teams_user_id);
    }
  }
  st.bind_int64(12, c.offers).bind_int64(13, c.ronas).bind_text(14, end_reason_name(c.end_reason));
  st.bind_int64(15, c.answers).bind_int64(16, c.party_joined ? 1 : 0);
  if (c.wrap_up_code.empty()) {
    st.bind_null(17);
  } else {
    st.bind_text(17, c.wrap_up_code);
  }
}

CcEventRecord read_event(const Statement& st) {
  CcEventRecord e;
  e.seq = st.column_int64(0);
  e.org = OrgId{st.column_int64(1)};
  if (auto a = column_optional_int64(st, 2)) e.agent = UserId{*a};
  e.type = st.column_text(3);
  e.at = from_unix_millis(st.column_int64(4));
  e.body = st.column_text(5);
  return e;
}

Error no_contact() { return make_error(Errc::not_found, "no such contact"); }

}  // namespace

namespace {

Result<void> upsert_agent_state(SqliteConnection& conn, OrgId org, const AgentState& s) {
  auto st = conn.prepare(sql::kUpsertAgentState);
  if (!st) return std::move(st).error();
  st->bind_int64(1, org.value).bind_int64(2, s.agent.value);
  st->bind_text(3, agent_status_name(s.status));
  if (s.idle_code) {
    st->bind_int64(4, s.idle_code->value);
  } else {
    st->bind_null(4);
  }
  if (s.origin) {
    st->bind_text(5, idle_origin_name(*s.origin));
  } else {
    st->bind_null(5);
  }
  if (s.contact) {
    st->bind_int64(6, s.contact->value);
  } else {
    st->bind_null(6);
  }
  // A state is stored only after a change, which always sets since; never-seen agents have no
  // row (their since stays null).
  st->bind_int64(7, to_unix_millis(s.since.value_or(Timestamp{})));
  if (s.own_session.may_show_since) {
    st->bind_int64(8, to_unix_millis(*s.own_session.may_show_since));
  } else {
    st->bind_null(8);
  }
  if (auto r = st->run(); !r) return r;
  if (conn.changes() == 0) return make_error(Errc::not_found, "no such agent");
  return ok();
}

}  // namespace

Result<std::vector<AgentState>> SqliteContactCenterStore::list_agent_states(OrgId org) {
  auto conn = db_.lock();
  auto st = conn.prepare(sql::kSelectAgentStates);
  if (!st) return std::move(st).error();
  st->bind_int64(1, org.value);
  return read_all_rows(*st, read_agent_state);
}

namespace {

Result<void> update_contact(SqliteConnection& conn, const Contact& contact) {
  auto st = conn.prepare(sql::kUpdateContact);
  if (!st) return std::move(st).error();
  bind_contact(*st, contact);
  if (auto r = st->run(); !r) return r;
  if (conn.changes() == 0) return no_contact();
  return ok();
}

}  // namespace

Result<Contact> SqliteContactCenterStore::put_contact(const Contact& contact) {
  auto conn = db_.lock();
  Contact out = contact;
  if (contact.id.value == 0) {
    auto st = conn.prepare(sql::kInsertContact);
    if (!st) return std::move(st).error();
    bind_contact(*st, contact);
    auto id = read_one_row(*st, [](const Statement& s) { return s.column_int64(0); },
                           make_error(Errc::internal, "insert returned no row"));
    if (!id) return std::move(id).error();
    out.id = ContactId{*id};
    return out;
  }
  if (auto r = update_contact(conn, contact); !r) return std::move(r).error();
  return out;
}

Result<Contact> SqliteContactCenterStore::get_contact(OrgId org, ContactId id) {
  auto conn = db_.lock();
  auto st = conn.prepare(sql::kSelectContact);
  if (!st) return std::move(st).error();
  st->bind_int64(1, org.value).bind_int64(2, id.value);
  return read_one_row(*st, read_contact, no_contact());
}

Result<std::vector<Contact>> SqliteContactCenterStore::list_open_contacts(OrgId org) {
  auto conn = db_.lock();
  auto st = conn.prepare(sql::kSelectOpenContacts);
  if (!st) return std::move(st).error();
  st->bind_int64(1, org.value);
  return read_all_rows(*st, read_contact);
}

Result<std::vector<QueueCounts>> SqliteContactCenterStore::list_queue_counts(OrgId org) {
  auto conn = db_.lock();
  auto st = conn.prepare(sql::kSelectQueueCounters);
  if (!st) return std::move(st).error();
  st->bind_int64(1, org.value);
  return read_all_rows(*st, [](const Statement& r) {
    return QueueCounts{QueueId{r.column_int64(0)}, r.column_int64(1), r.column_int64(2),
                       r.column_int64(3)};
  });
}

Result<std::vector<OrgId>> SqliteContactCenterStore::orgs_with_live_state() {
  auto conn = db_.lock();
  auto st = conn.prepare(sql::kOrgsWithLiveState);
  if (!st) return std::move(st).error();
  return read_all_rows(*st, [](const Statement& s) { return OrgId{s.column_int64(0)}; });
}

namespace {

// Inserts one event inside the caller's transaction.
Result<CcEventRecord> insert_event(SqliteConnection& conn, OrgId org, std::optional<UserId> agent,
                                   const std::string& type, Timestamp at,
                                   const std::string& body_without_seq) {
  // The body names its own seq so that a replayed event reads exactly like the live one.
  if (body_without_seq.size() < 2 || body_without_seq.front() != '{') {
    return make_error(Errc::internal, "event body must be a JSON object");
  }
  CcEventRecord rec{0, org, agent, type, at, {}};
  {
    auto st = conn.prepare(sql::kInsertEvent);
    if (!st) return std::move(st).error();
    st->bind_int64(1, org.value);
    if (agent) {
      st->bind_int64(2, agent->value);
    } else {
      st->bind_null(2);
    }
    st->bind_text(3, type).bind_int64(4, to_unix_millis(at));
    auto seq = read_one_row(*st, [](const Statement& s) { return s.column_int64(0); },
                            make_error(Errc::internal, "insert returned no row"));
    if (!seq) return std::move(seq).error();
    rec.seq = *seq;
  }
  const bool empty_object = body_without_seq.find_first_not_of(" \t\r\n", 1) ==
                            body_without_seq.rfind('}');
  rec.body = "{\"seq\":" + std::to_string(rec.seq) + (empty_object ? "" : ",") +
             body_without_seq.substr(1);
  {
    auto st = conn.prepare(sql::kSetEventBody);
    if (!st) return std::move(st).error();
    st->bind_int64(1, rec.seq).bind_text(2, rec.body);
    if (auto r = st->run(); !r) return std::move(r).error();
  }
  return rec;
}

}  // namespace

Result<std::vector<CcEventRecord>> SqliteContactCenterStore::commit(OrgId org,
                                                                   const CcCommit& change) {
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

Result<std::vector<CcEventRecord>> SqliteContactCenterStore::events_after(OrgId org,
                                                                         std::int64_t after,
                                                                         std::size_t limit) {
  auto conn = db_.lock();
  auto st = conn.prepare(sql::kSelectEventsAfter);
  if (!st) return std::move(st).error();
  st->bind_int64(1, org.value).bind_int64(2, after).bind_int64(3, static_cast<std::int64_t>(limit));
  return read_all_rows(*st, read_event);
}

Result<int> SqliteContactCenterStore::prune_events(Timestamp before) {
  auto conn = db_.lock();
  auto st = conn.prepare(sql::kPruneEvents);
  if (!st) return std::move(st).error();
  st->bind_int64(1, to_unix_millis(before));
  if (auto r = st->run(); !r) return std::move(r).error();
  return conn.changes();
}

}  // namespace ccteams::store
