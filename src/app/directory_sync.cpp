#include "app/directory_sync.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <unordered_set>

namespace ccteams {

namespace asio = boost::asio;

namespace {

// Building a large tenant's index is CPU work (about a second for 100,000 users) on the
// organisation's strand, which also runs its contacts and searches: the build lets them in
// every kYieldEvery users.
constexpr std::size_t kYieldEvery = 2000;

asio::awaitable<void> let_others_run() {
  auto strand = co_await asio::this_coro::executor;
  auto requeue = asio::post(strand, asio::use_awaitable);
  co_await std::move(requeue);
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

Error removed_meanwhile() {
  return make_error(Errc::conflict, "the connector was deleted during the directory sync");
}

Error no_delta_link() {
  return make_error(Errc::unavailable,
                    "Microsoft Graph ended the users delta round without a deltaLink");
}

}  // namespace

DirectorySync::DirectorySync(Store& store, GraphDirectory& graph, const Clock& clock, int page_size,
                             std::string default_country_code)
    : store_(store),
      graph_(graph),
      clock_(clock),
      page_size_(page_size),
      default_country_code_(std::move(default_country_code)) {}

DirectoryOptions DirectorySync::index_options(bool show_user_details) const {
  return DirectoryOptions{show_user_details, default_country_code_};
}

asio::awaitable<Result<void>> DirectorySync::load(OrgId org, OrgDirectory& dir) {
  if (dir.loaded) co_return ok();
  struct Saved {
    std::optional<DirectorySyncState> state;  // absent: never mirrored
    std::vector<DirectoryUser> users;
  };
  const std::uint64_t epoch = dir.epoch;
  auto read = [&](Stores& s) -> Result<Saved> {
    auto state = s.directory().sync_state(org);
    if (!state) return std::move(state).error();
    if (!state->has_value()) return Saved{};
    auto users = s.directory().load_users(org);
    if (!users) return std::move(users).error();
    return Saved{std::move(*state), std::move(*users)};
  };
  auto saved = co_await store_.run(read);
  if (!saved) co_return std::move(saved).error();
  // Other work of the strand ran meanwhile: a sync that loaded a newer mirror, or a removal.
  if (dir.loaded || dir.epoch != epoch) co_return ok();
  if (!saved->state) co_return ok();  // never mirrored: the first sync is a full one
  DirectoryIndex index(index_options(dir.index.show_user_details()));
  for (auto& u : saved->users) {
    if (auto r = index.upsert(std::move(u.user)); !r) {
      spdlog::warn("directory: org {}: stored user skipped: {}", org.value, r.error().message);
    }
  }
  dir.index = std::move(index);
  dir.tenant = saved->state->tenant;
  dir.delta_link = saved->state->delta_link;
  dir.loaded = true;
  co_return ok();
}

asio::awaitable<Result<DirectorySyncReport>> DirectorySync::run(OrgId org, OrgDirectory& dir,
                                                                ActiveConnector active) {
  if (auto r = co_await load(org, dir); !r) co_return std::move(r).error();
  if (dir.loaded && dir.tenant == active.tenant && !dir.delta_link.empty()) {
    bool resync = false;
    auto r = co_await delta_sync(org, dir, active.tenant, dir.delta_link, resync);
    if (!resync) co_return r;
    spdlog::info("directory: org {}: delta token refused, running a full sync", org.value);
  }
  co_return co_await full_sync(org, dir, active.tenant, active.show_user_details);
}

asio::awaitable<Result<DirectorySyncReport>> DirectorySync::full_sync(OrgId org, OrgDirectory& dir,
                                                                      std::string tenant,
                                                                      bool show_user_details) {
  const std::uint64_t epoch = dir.epoch;
  // Every user by id, in the order Graph gave them.
  std::unordered_map<std::string, TeamsUser> users;
  auto page = co_await graph_.list_users(tenant, page_size_);
  for (;;) {
    if (!page) co_return page.error().to_error();
    for (const auto& g : page->users) {
      auto it = users.find(g.id);
      users[g.id] = merge(it == users.end() ? TeamsUser{} : it->second, g);
    }
    if (!page->next_link) break;
    page = co_await graph_.users_page(tenant, *page->next_link);
  }
  auto delta = co_await graph_.users_delta_start(tenant);
  std::string delta_link;
  for (;;) {
    if (!delta) co_return delta.error().to_error();
    for (const auto& g : delta->users) {
      auto it = users.find(g.id);
      users[g.id] = merge(it == users.end() ? TeamsUser{} : it->second, g);
    }
    for (const auto& r : delta->removed) users.erase(r.id);
    if (delta->delta_link) {
      delta_link = *delta->delta_link;
      break;
    }
    if (!delta->next_link) co_return no_delta_link();
    delta = co_await graph_.users_page(tenant, *delta->next_link);
  }
  // The new index is this coroutine's own until it replaces the old one below.
  DirectoryIndex index(index_options(show_user_details));
  std::vector<DirectoryUser> rows;
  rows.reserve(users.size());
  std::size_t built = 0;
  for (const auto& entry : users) {
    if (++built % kYieldEvery == 0) co_await let_others_run();
    const TeamsUser& u = entry.second;
    if (!u.account_enabled) continue;
    if (auto r = index.upsert(u); !r) {
      spdlog::warn("directory: org {}: user skipped: {}", org.value, r.error().message);
      continue;
    }
    rows.push_back(*index.find(entry.first));
  }
  // A removal bumps the epoch before it queues its delete: a write queued after that check
  // runs before the delete, and the check after the write drops what the removal cleared.
  if (dir.epoch != epoch) co_return removed_meanwhile();
  DirectorySyncReport report;
  report.full = true;
  report.upserted = rows.size();
  report.users = rows.size();
  const DirectorySyncState state{tenant, delta_link, clock_.now(), rows.size()};
  auto replace = [&](Stores& s) { return s.directory().replace_all(org, rows, state); };
  if (auto r = co_await store_.run(replace); !r) co_return std::move(r).error();
  if (dir.epoch != epoch) co_return removed_meanwhile();
  dir.index = std::move(index);
  dir.tenant = tenant;
  dir.delta_link = delta_link;
  dir.loaded = true;
  spdlog::info("directory: org {}: full sync, {} users", org.value, report.users);
  co_return report;
}

asio::awaitable<Result<DirectorySyncReport>> DirectorySync::delta_sync(OrgId org, OrgDirectory& dir,
                                                                       std::string tenant,
                                                                       std::string link,
                                                                       bool& resync) {
  const std::uint64_t epoch = dir.epoch;
  // The whole round first: its pages are applied together with the final deltaLink.
  std::vector<GraphUser> changed;
  std::vector<std::string> removed;
  std::string next_delta;
  auto page = co_await graph_.users_page(tenant, link);
  for (;;) {
    if (!page) {
      resync = page.error().kind == GraphErrorKind::resync_required;
      co_return page.error().to_error();
    }
    for (auto& g : page->users) changed.push_back(std::move(g));
    for (auto& r : page->removed) removed.push_back(std::move(r.id));
    if (page->delta_link) {
      next_delta = *page->delta_link;
      break;
    }
    if (!page->next_link) co_return no_delta_link();
    page = co_await graph_.users_page(tenant, *page->next_link);
  }
  if (dir.epoch != epoch) co_return removed_meanwhile();
  // Merged over the current copies.
  std::unordered_map<std::string, TeamsUser> latest;
  for (const auto& g : changed) {
    auto it = latest.find(g.id);
    TeamsUser base;
    if (it != latest.end()) {
      base = it->second;
    } else if (const auto* cur = dir.index.find(g.id)) {
      base = cur->user;
    }
    latest[g.id] = merge(std::move(base), g);
  }
  const std::unordered_set<std::string> removed_set(removed.begin(), removed.end());
  std::vector<DirectoryUser> upserts;
  std::vector<std::string> gone;
  for (auto& [id, u] : latest) {
    if (removed_set.contains(id)) continue;
    if (!u.account_enabled) {
      gone.push_back(id);
      continue;
    }
    upserts.push_back(make_directory_user(u, default_country_code_));
  }
  for (const auto& id : removed_set) gone.push_back(id);
  const DirectorySyncState state{tenant, next_delta, clock_.now(), 0};
  auto apply = [&](Stores& s) { return s.directory().apply_delta(org, upserts, gone, state); };
  if (auto r = co_await store_.run(apply); !r) co_return std::move(r).error();
  if (dir.epoch != epoch) co_return removed_meanwhile();  // see full_sync
  DirectorySyncReport report;
  std::size_t applied = 0;  // in slices (kDirectoryDeltaSlice); a removal between two wins
  for (const auto& u : upserts) {
    if (++applied % kDirectoryDeltaSlice == 0) {
      co_await let_others_run();
      if (dir.epoch != epoch) co_return removed_meanwhile();
    }
    if (auto r = dir.index.upsert(u.user); !r) {
      spdlog::warn("directory: org {}: user skipped: {}", org.value, r.error().message);
      continue;
    }
    ++report.upserted;
  }
  for (const auto& id : gone) {
    if (++applied % kDirectoryDeltaSlice == 0) {
      co_await let_others_run();
      if (dir.epoch != epoch) co_return removed_meanwhile();
    }
    if (dir.index.remove(id)) ++report.removed;
  }
  report.users = dir.index.size();
  dir.delta_link = next_delta;
  if (report.upserted + report.removed > 0) {
    spdlog::info("directory: org {}: delta sync, {} changed, {} removed, {} users", org.value,
                 report.upserted, report.removed, report.users);
  }
  co_return report;
}

}  // namespace ccteams
