#include "app/directory_service.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/this_coro.hpp>
#include <unordered_set>

#include "app/log_escaped.hpp"

namespace ccteams {

namespace asio = boost::asio;

namespace {

bool iequals_ascii(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; };
           return lower(x) == lower(y);
         });
}

// Graph's user over the mirror's previous copy: fields a delta page omits keep their value.
TeamsUser merge(TeamsUser base, const GraphUser& g) {
  base.id = g.id;
  auto take = [](std::string& field, const std::optional<std::string>& v) {
    if (v) field = *v;
  };
  take(base.display_name, g.display_name);
  take(base.given_name, g.given_name);
  take(base.surname, g.surname);
  take(base.mail, g.mail);
  take(base.user_principal_name, g.user_principal_name);
  take(base.job_title, g.job_title);
  take(base.department, g.department);
  base.business_phones = g.business_phones;
  if (g.account_enabled) base.account_enabled = *g.account_enabled;
  return base;
}

Error not_active() {
  return make_error(Errc::conflict, "the Microsoft Teams connector is not active");
}

// A cache of the users shown recently; dropped wholesale past this size (cheap and bounded).
constexpr std::size_t kPresenceCacheMax = 50'000;

Error graph_error(const GraphError& e) { return e.to_error(); }

}  // namespace

bool presence_is_busy(const GraphPresence& p) {
  return iequals_ascii(p.availability, "Busy") || iequals_ascii(p.availability, "BusyIdle") ||
         iequals_ascii(p.availability, "DoNotDisturb");
}

DirectoryService::DirectoryService(DirectoryStore& store, GraphClient& graph, const Clock& clock,
                                   ConnectorLookup connector, ActiveOrgs active_orgs,
                                   DirectoryServiceOptions options)
    : store_(store),
      graph_(graph),
      clock_(clock),
      connector_(std::move(connector)),
      active_orgs_(std::move(active_orgs)),
      options_(std::move(options)) {}

DirectoryService::~DirectoryService() = default;

DirectoryOptions DirectoryService::index_options(bool show_user_details) const {
  return DirectoryOptions{show_user_details, options_.default_country_code};
}

std::shared_ptr<DirectoryService::OrgState> DirectoryService::state(OrgId org) {
  std::lock_guard lock(orgs_mu_);
  auto& slot = orgs_[org];
  if (!slot) slot = std::make_shared<OrgState>(index_options(true));
  return slot;
}

std::size_t DirectoryService::mirrored_users(OrgId org) {
  auto st = state(org);
  std::shared_lock lock(st->index_mu);
  return st->index.size();
}

Result<void> DirectoryService::load(OrgId org, OrgState& st) {
  {
    std::lock_guard lock(st.mu);
    if (st.loaded) return ok();
  }
  auto saved = store_.sync_state(org);
  if (!saved) return std::move(saved).error();
  if (!saved->has_value()) return ok();  // never mirrored: the first sync is a full one
  auto users = store_.load_users(org);
  if (!users) return std::move(users).error();
  std::lock_guard lock(st.mu);
  if (st.loaded) return ok();
  DirectoryIndex index(index_options(st.index.show_user_details()));
  for (auto& u : *users) {
    if (auto r = index.upsert(std::move(u.user)); !r) {
      spdlog::warn("directory: org {}: stored user skipped: {}", org.value, r.error().message);
    }
  }
  {
    std::unique_lock ilock(st.index_mu);
    st.index = std::move(index);
  }
  st.tenant = (*saved)->tenant;
  st.delta_link = (*saved)->delta_link;
  st.loaded = true;
  return ok();
}

// ---- ConnectorParticipant --------------------------------------------------------------------

asio::awaitable<void> DirectoryService::connector_active(OrgId org, std::string /*tenant*/) {
  // The tenant is read again from the connector when the sync starts (it is the truth then).
  auto executor = co_await asio::this_coro::executor;
  asio::co_spawn(
      executor,
      [this, org]() -> asio::awaitable<void> {
        auto r = co_await sync(org);
        if (!r) {
          spdlog::warn("directory: org {}: sync after activation: {}", org.value,
                       r.error().message);
        }
      },
      LogEscaped{"directory: sync after activation"});
  co_return;
}

asio::awaitable<void> DirectoryService::connector_inactive(OrgId /*org*/) {
  // Every sync checks the connector first; the mirror is kept for a reactivation.
  co_return;
}

void DirectoryService::connector_changed(OrgId /*org*/) {
  // showUserDetails is read per search (ConnectorService::active), nothing is cached here.
}

asio::awaitable<Result<std::string>> DirectoryService::remove_connector_artefacts(
    OrgId org, std::string /*tenant*/) {
  auto st = state(org);
  int removed = 0;
  {
    std::lock_guard lock(st->mu);
    auto r = store_.delete_org(org);
    if (!r) co_return std::move(r).error();
    removed = *r;
    ++st->epoch;  // a sync in flight drops its result
    st->tenant.clear();
    st->delta_link.clear();
    st->loaded = false;
    std::unique_lock ilock(st->index_mu);
    st->index.clear();
  }
  {
    std::lock_guard lock(st->presence_mu);
    st->presence.clear();
  }
  co_return std::to_string(removed) + " mirrored Teams directory users removed";
}

// ---- Syncs -----------------------------------------------------------------------------------

asio::awaitable<void> DirectoryService::resume_all() {
  auto orgs = active_orgs_();
  if (!orgs) {
    spdlog::error("directory: cannot list active connectors: {}", orgs.error().message);
    co_return;
  }
  for (OrgId org : *orgs) {
    auto st = state(org);
    if (auto r = load(org, *st); !r) {
      spdlog::error("directory: org {}: loading the mirror failed: {}", org.value,
                    r.error().message);
    }
  }
  co_await sync_all();
}

asio::awaitable<void> DirectoryService::sync_all() {
  auto orgs = active_orgs_();
  if (!orgs) {
    spdlog::error("directory: cannot list active connectors: {}", orgs.error().message);
    co_return;
  }
  for (OrgId org : *orgs) {
    auto st = state(org);
    if (st->syncing.load()) continue;
    auto r = co_await sync(org);
    if (!r && r.error().code != Errc::conflict) {
      spdlog::warn("directory: org {}: scheduled sync: {}", org.value, r.error().message);
    }
  }
}

asio::awaitable<Result<DirectorySyncReport>> DirectoryService::sync_for(const Caller& caller) {
  if (auto r = require_role(caller, {Role::admin}); !r) co_return std::move(r).error();
  co_return co_await sync(caller.org_id);
}

asio::awaitable<Result<DirectorySyncReport>> DirectoryService::sync(OrgId org) {
  auto st = state(org);
  if (st->syncing.exchange(true)) {
    co_return make_error(Errc::conflict, "a directory sync is already running; try again later");
  }
  struct Release {
    OrgState& s;
    ~Release() { s.syncing = false; }
  } release{*st};
  co_return co_await run_sync(org, st);
}

asio::awaitable<Result<DirectorySyncReport>> DirectoryService::run_sync(
    OrgId org, std::shared_ptr<OrgState> st) {
  auto active = connector_(org);
  if (!active) co_return not_active();
  if (auto r = load(org, *st); !r) co_return std::move(r).error();
  std::string link;
  {
    std::lock_guard lock(st->mu);
    if (st->loaded && st->tenant == active->tenant) link = st->delta_link;
  }
  if (!link.empty()) {
    bool resync = false;
    auto r = co_await delta_sync(org, *st, active->tenant, link, resync);
    if (!resync) co_return r;
    spdlog::info("directory: org {}: delta token refused, running a full sync", org.value);
  }
  co_return co_await full_sync(org, *st, active->tenant, active->show_user_details);
}

asio::awaitable<Result<DirectorySyncReport>> DirectoryService::full_sync(OrgId org, OrgState& st,
                                                                         std::string tenant,
                                                                         bool show_user_details) {
  std::uint64_t epoch = 0;
  {
    std::lock_guard lock(st.mu);
    epoch = st.epoch;
  }
  // Every user by id, in the order Graph gave them.
  std::unordered_map<std::string, TeamsUser> users;
  auto page = co_await graph_.list_users(tenant, options_.page_size);
  for (;;) {
    if (!page) co_return graph_error(page.error());
    for (const auto& g : page->users) {
      auto it = users.find(g.id);
      users[g.id] = merge(it == users.end() ? TeamsUser{} : it->second, g);
    }
    if (!page->next_link) break;
    page = co_await graph_.users_page(tenant, *page->next_link);
  }
  std::unordered_set<std::string> removed;
  auto delta = co_await graph_.users_delta_start(tenant);
  std::string delta_link;
  for (;;) {
    if (!delta) co_return graph_error(delta.error());
    for (const auto& g : delta->users) {
      auto it = users.find(g.id);
      users[g.id] = merge(it == users.end() ? TeamsUser{} : it->second, g);
      removed.erase(g.id);
    }
    for (const auto& r : delta->removed) {
      users.erase(r.id);
      removed.insert(r.id);
    }
    if (delta->delta_link) {
      delta_link = *delta->delta_link;
      break;
    }
    if (!delta->next_link) {
      co_return make_error(Errc::unavailable,
                           "Microsoft Graph ended the users delta round without a deltaLink");
    }
    delta = co_await graph_.users_page(tenant, *delta->next_link);
  }
  DirectoryIndex index(index_options(show_user_details));
  std::vector<DirectoryUser> rows;
  rows.reserve(users.size());
  for (auto& [id, u] : users) {
    if (!u.account_enabled) continue;
    if (auto r = index.upsert(u); !r) {
      spdlog::warn("directory: org {}: user skipped: {}", org.value, r.error().message);
      continue;
    }
    rows.push_back(*index.find(id));
  }
  DirectorySyncReport report;
  report.full = true;
  report.upserted = rows.size();
  report.users = rows.size();
  std::lock_guard lock(st.mu);
  if (st.epoch != epoch) {
    co_return make_error(Errc::conflict, "the connector was deleted during the directory sync");
  }
  if (auto r = store_.replace_all(org, rows, {tenant, delta_link, clock_.now(), rows.size()}); !r) {
    co_return std::move(r).error();
  }
  {
    std::unique_lock ilock(st.index_mu);
    st.index = std::move(index);
  }
  st.tenant = tenant;
  st.delta_link = delta_link;
  st.loaded = true;
  spdlog::info("directory: org {}: full sync, {} users", org.value, report.users);
  co_return report;
}

asio::awaitable<Result<DirectorySyncReport>> DirectoryService::delta_sync(OrgId org, OrgState& st,
                                                                          std::string tenant,
                                                                          std::string link,
                                                                          bool& resync) {
  std::uint64_t epoch = 0;
  {
    std::lock_guard lock(st.mu);
    epoch = st.epoch;
  }
  // The whole round first: its pages are applied together with the final deltaLink.
  std::vector<GraphUser> changed;
  std::vector<std::string> removed;
  std::string next_delta;
  auto page = co_await graph_.users_page(tenant, link);
  for (;;) {
    if (!page) {
      resync = page.error().kind == GraphErrorKind::resync_required;
      co_return graph_error(page.error());
    }
    for (auto& g : page->users) changed.push_back(std::move(g));
    for (auto& r : page->removed) removed.push_back(std::move(r.id));
    if (page->delta_link) {
      next_delta = *page->delta_link;
      break;
    }
    if (!page->next_link) {
      co_return make_error(Errc::unavailable,
                           "Microsoft Graph ended the users delta round without a deltaLink");
    }
    page = co_await graph_.users_page(tenant, *page->next_link);
  }
  std::lock_guard lock(st.mu);
  if (st.epoch != epoch) {
    co_return make_error(Errc::conflict, "the connector was deleted during the directory sync");
  }
  // Merge over the current copies (under the index's shared side: only this sync writes it).
  std::vector<DirectoryUser> upserts;
  std::vector<std::string> gone;
  {
    std::shared_lock ilock(st.index_mu);
    std::unordered_map<std::string, TeamsUser> latest;
    for (const auto& g : changed) {
      auto it = latest.find(g.id);
      TeamsUser base;
      if (it != latest.end()) {
        base = it->second;
      } else if (const auto* cur = st.index.find(g.id)) {
        base = cur->user;
      }
      latest[g.id] = merge(std::move(base), g);
    }
    std::unordered_set<std::string> removed_set(removed.begin(), removed.end());
    for (auto& [id, u] : latest) {
      if (removed_set.contains(id)) continue;
      if (!u.account_enabled) {
        gone.push_back(id);
        continue;
      }
      upserts.push_back(make_directory_user(u, options_.default_country_code));
    }
    for (auto& id : removed_set) gone.push_back(id);
  }
  if (auto r = store_.apply_delta(org, upserts, gone, {tenant, next_delta, clock_.now(), 0}); !r) {
    co_return std::move(r).error();
  }
  DirectorySyncReport report;
  {
    std::unique_lock ilock(st.index_mu);
    for (const auto& u : upserts) {
      if (auto r = st.index.upsert(u.user); !r) {
        spdlog::warn("directory: org {}: user skipped: {}", org.value, r.error().message);
        continue;
      }
      ++report.upserted;
    }
    for (const auto& id : gone) {
      if (st.index.remove(id)) ++report.removed;
    }
    report.users = st.index.size();
  }
  st.delta_link = next_delta;
  if (report.upserted + report.removed > 0) {
    spdlog::info("directory: org {}: delta sync, {} changed, {} removed, {} users", org.value,
                 report.upserted, report.removed, report.users);
  }
  co_return report;
}

// ---- Search and parties ----------------------------------------------------------------------

asio::awaitable<std::optional<std::unordered_map<std::string, GraphPresence>>>
DirectoryService::presences(OrgState& st, const std::string& tenant,
                            const std::vector<std::string>& ids, bool fresh) {
  std::unordered_map<std::string, GraphPresence> out;
  std::vector<std::string> missing;
  const Timestamp now = clock_.now();
  {
    std::lock_guard lock(st.presence_mu);
    for (const auto& id : ids) {
      auto it = st.presence.find(id);
      if (!fresh && it != st.presence.end() && now - it->second.read_at < options_.presence_ttl) {
        out.emplace(id, it->second.presence);
      } else {
        missing.push_back(id);
      }
    }
  }
  for (std::size_t start = 0; start < missing.size(); start += kMaxPresenceIdsPerCall) {
    const auto end = std::min(missing.size(), start + kMaxPresenceIdsPerCall);
    std::vector<std::string> batch(missing.begin() + start, missing.begin() + end);
    auto read = co_await graph_.get_presences(tenant, std::move(batch));
    if (!read) {
      spdlog::warn("directory: presence read failed: {}", read.error().to_error().message);
      co_return std::nullopt;
    }
    std::lock_guard lock(st.presence_mu);
    // Bounded: a cache of users shown recently; dropped wholesale when it outgrows the mirror.
    if (st.presence.size() > kPresenceCacheMax) {
      st.presence.clear();
    }
    for (auto& p : *read) {
      st.presence[p.user_id] = CachedPresence{p, now};
      out.emplace(p.user_id, std::move(p));
    }
  }
  co_return out;
}

asio::awaitable<Result<DirectorySearchResult>> DirectoryService::search(const Caller& caller,
                                                                        DirectoryQuery query) {
  if (auto r = require_role(caller, {Role::agent, Role::supervisor, Role::admin}); !r) {
    co_return std::move(r).error();
  }
  const OrgId org = caller.org_id;
  auto active = connector_(org);
  if (!active) co_return not_active();
  auto st = state(org);
  if (auto r = load(org, *st); !r) co_return std::move(r).error();
  {
    std::lock_guard lock(st->mu);
    if (!st->loaded) {
      co_return make_error(Errc::unavailable,
                           "the Teams directory is being mirrored; try again in a moment", 2);
    }
  }
  DirectorySearchResult result;
  result.show_user_details = active->show_user_details;
  {
    bool gate_differs = false;
    {
      std::shared_lock ilock(st->index_mu);
      gate_differs = st->index.show_user_details() != active->show_user_details;
    }
    if (gate_differs) {
      std::unique_lock ilock(st->index_mu);
      st->index.set_show_user_details(active->show_user_details);
    }
    std::shared_lock ilock(st->index_mu);
    auto page = st->index.search(query);
    if (!page) co_return std::move(page).error();
    result.next_cursor = std::move(page->next_cursor);
    result.total = page->total;
    result.items.reserve(page->items.size());
    for (auto& h : page->items) result.items.push_back(DirectorySearchItem{std::move(h), {}});
  }
  if (active->show_user_details && !result.items.empty()) {
    std::vector<std::string> ids;
    for (const auto& i : result.items) ids.push_back(i.hit.user.user.id);
    auto read = co_await presences(*st, active->tenant, ids, false);
    if (!read) {
      result.presence_unavailable = true;
    } else {
      for (auto& i : result.items) {
        auto it = read->find(i.hit.user.user.id);
        if (it != read->end()) i.presence = it->second;
      }
    }
  }
  co_return result;
}

asio::awaitable<Result<TeamsPartyResolution>> DirectoryService::resolve_party(
    OrgId org, std::string teams_user_id) {
  auto active = connector_(org);
  if (!active) co_return not_active();
  auto st = state(org);
  if (auto r = load(org, *st); !r) co_return std::move(r).error();
  TeamsPartyResolution out;
  {
    std::shared_lock ilock(st->index_mu);
    const DirectoryUser* u = st->index.find(teams_user_id);
    if (u == nullptr) {
      co_return make_error(Errc::invalid_input,
                           "field 'teamsUserId': no such Teams user in the directory");
    }
    out.user = *u;
  }
  if (out.user.dialability != Dialability::dialable) co_return out;
  out.party = PhoneParty{out.user.phone, out.user.user.id};
  if (!active->show_user_details) co_return out;
  std::vector<std::string> one;
  one.push_back(out.user.user.id);
  auto read = co_await presences(*st, active->tenant, one, true);
  if (!read) {
    DirectoryWarning w;
    w.code = "presence_unavailable";
    w.message = "Teams presence of " + out.user.user.display_name +
                " could not be read; calling anyway";
    out.warnings.push_back(std::move(w));
    co_return out;
  }
  if (auto it = read->find(out.user.user.id); it != read->end()) {
    out.presence = it->second;
    if (presence_is_busy(it->second)) {
      DirectoryWarning w;
      w.code = "teams_user_busy";
      w.message = out.user.user.display_name + " is " + it->second.availability;
      if (!it->second.activity.empty()) w.message += " (" + it->second.activity + ")";
      w.message += " in Teams right now";
      out.warnings.push_back(std::move(w));
    }
  }
  co_return out;
}

}  // namespace ccteams
