#include "app/directory_service.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cassert>

#include "app/log_escaped.hpp"
#include "app/periodic.hpp"
#include "core/presence.hpp"

namespace ccteams {

namespace asio = boost::asio;

namespace {

Error not_active() {
  return make_error(Errc::conflict, "the Microsoft Teams connector is not active");
}

// A cache of the users shown recently; dropped wholesale past this size (cheap and bounded).
constexpr std::size_t kPresenceCacheMax = 50'000;

}  // namespace

DirectoryService::DirectoryService(OrgActors& actors, Store& store, DirectoryGraph graph,
                                   const Clock& clock, Scheduler& scheduler,
                                   ConnectorLookup connector, ActiveOrgs active_orgs,
                                   DirectoryServiceOptions options)
    : actors_(actors),
      store_(store),
      presence_graph_(graph.presence),
      clock_(clock),
      scheduler_(scheduler),
      connector_(std::move(connector)),
      active_orgs_(std::move(active_orgs)),
      options_(std::move(options)),
      syncer_(store, graph.users, clock, options_.page_size, options_.default_country_code) {}

DirectoryService::~DirectoryService() { stop(); }

void DirectoryService::start() {
  if (schedule_) return;
  schedule_ = std::make_unique<Periodic>(
      actors_.executor(), scheduler_, clock_, options_.sync_interval, [this] { return sync_all(); },
      "directory sync schedule");
  schedule_->start(Periodic::First::after_interval, [this] { return resume_all(); });
}

void DirectoryService::stop() {
  if (schedule_) schedule_->stop();
}

std::shared_ptr<OrgDirectory> DirectoryService::org_directory(OrgId org) {
  assert(actors_.on_strand(org) && "organisation state outside its strand");
  std::lock_guard lock(orgs_mu_);  // the map only: the OrgDirectory is its strand's
  auto& slot = orgs_[org];
  if (!slot) slot = std::make_shared<OrgDirectory>(syncer_.index_options(true));
  return slot;
}

template <class R, class Fn>
asio::awaitable<R> DirectoryService::in_org(OrgId org, Fn fn) {
  // co_spawn moves the work onto the strand (a dispatch would not); the caller resumes on its
  // own executor. The lambda and co_spawn's operation are locals, not temporaries of the
  // co_await expression: GCC 12 may destroy a capturing temporary there twice.
  std::optional<R> out;
  auto work = [this, org, &fn, &out]() -> asio::awaitable<void> {
    // Held by this frame: a call still suspended when the io_context goes is destroyed before
    // the state it refers to.
    const std::shared_ptr<OrgDirectory> dir = org_directory(org);
    R result = co_await fn(*dir);
    out.emplace(std::move(result));
  };
  auto on_strand = asio::co_spawn(actors_.strand(org), work, asio::use_awaitable);
  co_await std::move(on_strand);
  co_return std::move(*out);
}

asio::awaitable<std::size_t> DirectoryService::mirrored_users(OrgId org) {
  auto size = [](OrgDirectory& dir) -> asio::awaitable<std::size_t> { co_return dir.index.size(); };
  co_return co_await in_org<std::size_t>(org, size);
}

// ---- ConnectorParticipant --------------------------------------------------------------------

asio::awaitable<void> DirectoryService::connector_active(OrgId org, std::string /*tenant*/) {
  // The owner syncs when it gains the organisation; until then, nothing to do here.
  if (!serves(org)) co_return;
  // The tenant is read again from the connector when the sync starts (it is the truth then).
  auto after_activation = [this, org]() -> asio::awaitable<void> {
    auto r = co_await sync(org);
    if (!r) {
      spdlog::warn("directory: org {}: sync after activation: {}", org.value, r.error().message);
    }
  };
  asio::co_spawn(actors_.strand(org), after_activation,
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
  auto remove = [this, org](OrgDirectory& dir) -> asio::awaitable<Result<std::string>> {
    // Before the delete is queued: a sync in flight drops its result, and one whose write is
    // queued already has it deleted after it (directory_sync.cpp, full_sync). Should the
    // delete fail, the next search loads the mirror from the store again.
    ++dir.epoch;
    dir.tenant.clear();
    dir.delta_link.clear();
    dir.loaded = false;
    dir.index.clear();
    dir.presence.clear();
    auto del = [&](Stores& s) { return s.directory().delete_org(org); };
    auto r = co_await store_.run(del);
    if (!r) co_return std::move(r).error();
    co_return std::to_string(*r) + " mirrored Teams directory users removed";
  };
  co_return co_await in_org<Result<std::string>>(org, remove);
}

// ---- Syncs -----------------------------------------------------------------------------------

bool DirectoryService::serves(OrgId org) const { return options_.ownership->serves(org); }

asio::awaitable<void> DirectoryService::load_mirror(OrgId org) {
  auto load = [this, org](OrgDirectory& dir) { return syncer_.load(org, dir); };
  if (auto r = co_await in_org<Result<void>>(org, load); !r) {
    spdlog::error("directory: org {}: loading the mirror failed: {}", org.value,
                  r.error().message);
  }
}

void DirectoryService::org_gained(OrgId org) {
  auto resume = [this, org]() -> asio::awaitable<void> {
    co_await load_mirror(org);
    auto r = co_await sync(org);
    // conflict: no Active connector, or a sync already running; org_elsewhere: lost again.
    if (!r && r.error().code != Errc::conflict && !is_org_elsewhere(r.error())) {
      spdlog::warn("directory: org {}: sync after taking the organisation: {}", org.value,
                   r.error().message);
    }
  };
  asio::co_spawn(actors_.strand(org), resume, LogEscaped{"directory: organisation gained"});
}

void DirectoryService::org_lost(OrgId org) {
  asio::post(actors_.strand(org), [this, org] {
    std::shared_ptr<OrgDirectory> dir;
    {
      std::lock_guard lock(orgs_mu_);
      auto it = orgs_.find(org);
      if (it == orgs_.end()) return;
      dir = std::move(it->second);
      orgs_.erase(it);
    }
    // A sync or a presence read under way holds dir: the epoch makes it drop what it finds.
    ++dir->epoch;
    dir->loaded = false;
    dir->index.clear();
    dir->presence.clear();
  });
}

asio::awaitable<void> DirectoryService::resume_all() {
  auto orgs = co_await active_orgs_();
  if (!orgs) {
    spdlog::error("directory: cannot list active connectors: {}", orgs.error().message);
    co_return;
  }
  for (OrgId org : *orgs) {
    if (serves(org)) co_await load_mirror(org);
  }
  co_await sync_all();
}

asio::awaitable<void> DirectoryService::sync_all() {
  auto orgs = co_await active_orgs_();
  if (!orgs) {
    spdlog::error("directory: cannot list active connectors: {}", orgs.error().message);
    co_return;
  }
  for (OrgId org : *orgs) {
    if (!serves(org)) continue;  // its owner syncs it
    auto r = co_await sync(org);
    // conflict: already syncing (skipped), or no longer Active.
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
  if (!serves(org)) co_return org_elsewhere(org);
  auto work = [this, org](OrgDirectory& dir) { return sync_on_strand(org, dir); };
  co_return co_await in_org<Result<DirectorySyncReport>>(org, work);
}

asio::awaitable<Result<DirectorySyncReport>> DirectoryService::sync_on_strand(OrgId org,
                                                                              OrgDirectory& dir) {
  auto active = co_await connector_(org);
  // After the await: another sync may have started meanwhile.
  if (dir.syncing) {
    co_return make_error(Errc::conflict, "a directory sync is already running; try again later");
  }
  if (!active) co_return not_active();
  dir.syncing = true;
  struct Release {
    OrgDirectory& d;
    ~Release() { d.syncing = false; }
  } release{dir};
  co_return co_await syncer_.run(org, dir, std::move(*active));
}

// ---- Search and parties ----------------------------------------------------------------------

asio::awaitable<std::optional<std::unordered_map<std::string, GraphPresence>>>
DirectoryService::presences(OrgDirectory& dir, const std::string& tenant,
                            const std::vector<std::string>& ids, bool fresh) {
  std::unordered_map<std::string, GraphPresence> out;
  std::vector<std::string> missing;
  const Timestamp now = clock_.now();
  for (const auto& id : ids) {
    auto it = dir.presence.find(id);
    if (!fresh && it != dir.presence.end() && now - it->second.read_at < options_.presence_ttl) {
      out.emplace(id, it->second.presence);
    } else {
      missing.push_back(id);
    }
  }
  const std::uint64_t epoch = dir.epoch;
  for (std::size_t start = 0; start < missing.size(); start += kMaxPresenceIdsPerCall) {
    const auto end = std::min(missing.size(), start + kMaxPresenceIdsPerCall);
    std::vector<std::string> batch(missing.begin() + start, missing.begin() + end);
    auto read = co_await presence_graph_.get_presences(tenant, std::move(batch));
    if (!read) {
      spdlog::warn("directory: presence read failed: {}", read.error().to_error().message);
      co_return std::nullopt;
    }
    // Bounded: a cache of users shown recently; dropped wholesale when it outgrows the mirror.
    if (dir.presence.size() > kPresenceCacheMax) dir.presence.clear();
    for (auto& p : *read) {
      // Not cached when the mirror was removed while Graph answered.
      if (dir.epoch == epoch) dir.presence[p.user_id] = OrgDirectory::CachedPresence{p, now};
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
  if (!serves(caller.org_id)) co_return org_elsewhere(caller.org_id);
  auto work = [this, &caller, &query](OrgDirectory& dir) {
    return search_on_strand(caller, std::move(query), dir);
  };
  co_return co_await in_org<Result<DirectorySearchResult>>(caller.org_id, work);
}

asio::awaitable<Result<DirectorySearchResult>> DirectoryService::search_on_strand(
    const Caller& caller, DirectoryQuery query, OrgDirectory& dir) {
  const OrgId org = caller.org_id;
  auto active = co_await connector_(org);
  if (!active) co_return not_active();
  if (auto r = co_await syncer_.load(org, dir); !r) co_return std::move(r).error();
  if (!dir.loaded) {
    co_return make_error(Errc::unavailable,
                         "the Teams directory is being mirrored; try again in a moment", 2);
  }
  DirectorySearchResult result;
  result.show_user_details = active->show_user_details;
  if (dir.index.show_user_details() != active->show_user_details) {
    dir.index.set_show_user_details(active->show_user_details);
  }
  auto page = dir.index.search(query);
  if (!page) co_return std::move(page).error();
  result.next_cursor = std::move(page->next_cursor);
  result.total = page->total;
  result.items.reserve(page->items.size());
  for (auto& h : page->items) result.items.push_back(DirectorySearchItem{std::move(h), {}});
  if (active->show_user_details && !result.items.empty()) {
    std::vector<std::string> ids;
    for (const auto& i : result.items) ids.push_back(i.hit.user.user.id);
    auto read = co_await presences(dir, active->tenant, ids, false);
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
  if (!serves(org)) co_return org_elsewhere(org);
  auto work = [this, org, &teams_user_id](OrgDirectory& dir) {
    return resolve_on_strand(org, std::move(teams_user_id), dir);
  };
  co_return co_await in_org<Result<TeamsPartyResolution>>(org, work);
}

asio::awaitable<Result<TeamsPartyResolution>> DirectoryService::resolve_on_strand(
    OrgId org, std::string teams_user_id, OrgDirectory& dir) {
  auto active = co_await connector_(org);
  if (!active) co_return not_active();
  if (auto r = co_await syncer_.load(org, dir); !r) co_return std::move(r).error();
  TeamsPartyResolution out;
  const DirectoryUser* u = dir.index.find(teams_user_id);
  if (u == nullptr) {
    co_return make_error(Errc::invalid_input,
                         "field 'teamsUserId': no such Teams user in the directory");
  }
  out.user = *u;
  if (out.user.dialability != Dialability::dialable) co_return out;
  out.party = PhoneParty{out.user.phone, out.user.user.id};
  if (!active->show_user_details) co_return out;
  std::vector<std::string> one;
  one.push_back(out.user.user.id);
  auto read = co_await presences(dir, active->tenant, one, true);
  if (!read) {
    DirectoryWarning w;
    w.code = "presence_unavailable";
    w.message =
        "Teams presence of " + out.user.user.display_name + " could not be read; calling anyway";
    out.warnings.push_back(std::move(w));
    co_return out;
  }
  if (auto it = read->find(out.user.user.id); it != read->end()) {
    out.presence = it->second;
    if (is_busy(parse_availability(it->second.availability))) {
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
