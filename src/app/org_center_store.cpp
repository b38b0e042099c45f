// OrgCenter and the store: prepare() (the organisation, its configuration and a decision's
// needs, read before the decision), finish() (the decision's one write), and the loads and
// reloads between them. The decisions themselves never wait: they are in org_center.cpp,
// org_center_contacts.cpp and org_center_recovery.cpp.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cassert>

#include "app/org_center.hpp"

namespace ccteams {

namespace asio = boost::asio;

asio::awaitable<Result<void>> OrgCenter::finish() {
  assert(deps_.actors.on_strand(org_) && "organisation state outside its strand");
  Decision d = take_decision();
  auto written = co_await write(d);
  if (!written) {
    // Memory ran ahead of the store: the store is the truth, as after a restart.
    spdlog::error(
        "contact center: a decision of org {} was not stored: {}; reloading the "
        "organisation from the store",
        org_.value, written.error().message);
    co_await reload(std::move(d.before));
  }
  co_return written;
}

asio::awaitable<Result<void>> OrgCenter::write(Decision& d) {
  CcCommit change;
  change.contacts.reserve(d.contacts.size());
  for (auto& [id, c] : d.contacts) change.contacts.push_back(std::move(c));
  change.states.reserve(d.states.size());
  for (auto& [agent, s] : d.states) change.states.push_back(std::move(s));
  change.events = std::move(d.events);
  if (!change.empty()) {
    auto stored = co_await deps_.store.run(
        [&](Stores& s) { return s.contact_center().commit(org_, change); });
    if (!stored) co_return std::move(stored).error();
    for (const auto& rec : *stored) deps_.hub.publish(rec);
    deps_.events_since_prune += stored->size();
  }
  for (auto& hook : d.after_commit) hook();
  if (deps_.events_since_prune >= deps_.options.prune_every_events) {
    deps_.events_since_prune = 0;
    // Upkeep: nobody waits for it.
    deps_.store.post([before = deps_.clock.now() - deps_.options.event_retention](Stores& s) {
      if (auto r = s.contact_center().prune_events(before); !r) {
        spdlog::warn("contact center: pruning the event log failed: {}", r.error().message);
      }
    });
  }
  co_return ok();
}

asio::awaitable<Result<void>> OrgCenter::prepare(DecisionNeeds needs) {
  assert(deps_.actors.on_strand(org_) && "organisation state outside its strand");
  accounts_.clear();
  looked_up_.clear();
  inserted_.reset();
  if (!loaded_) {
    if (auto r = co_await load_and_repair(&carried_, Millis{0}); !r) {
      spdlog::error("contact center: loading org {} failed: {}", org_.value, r.error().message);
      co_return r;
    }
    carried_.clear();
  } else if (config_stale_ ||
             std::any_of(needs.idle_codes.begin(), needs.idle_codes.end(), [this](IdleCodeId id) {
               return !config_.has_idle_code(id) && !absent_codes_.contains(id);
             })) {
    config_stale_ = false;
    auto config = co_await deps_.store.run(
        [&](Stores& s) { return OrgConfig::load(s.contact_center(), org_); });
    if (!config) {
      config_stale_ = true;
      co_return std::move(config).error();
    }
    config_ = std::move(*config);
    // A code still missing (a mapping naming a deleted code) does not reload again each batch.
    absent_codes_.clear();
    for (IdleCodeId id : needs.idle_codes) {
      if (!config_.has_idle_code(id)) absent_codes_.insert(id);
    }
  }
  co_return co_await read_needs(needs);
}

asio::awaitable<Result<void>> OrgCenter::load_and_repair(const AgentMap* memory,
                                                         Millis overdue_delay) {
  auto rows = co_await deps_.store.run([&](Stores& s) { return read_rows(s, org_); });
  Result<void> loaded = rows ? Result<void>(ok()) : Result<void>(std::move(rows).error());
  if (loaded) loaded = load(std::move(*rows), memory, overdue_delay);
  if (loaded) {
    Decision repairs = take_decision();
    loaded = co_await write(repairs);
  }
  if (!loaded) {
    forget();
    co_return loaded;
  }
  loaded_ = true;
  co_return ok();
}

asio::awaitable<Result<void>> OrgCenter::read_needs(const DecisionNeeds& needs) {
  if (!needs.account && !needs.contact && !needs.insert) co_return ok();
  if (needs.insert) {
    // Checked here, before anything is stored: the queue must be one of the organisation's.
    auto q = config_.get_queue(needs.insert->queue);
    if (!q) co_return make_error(Errc::invalid_input, "field 'queueId': no such queue");
  }
  struct Read {
    Result<UserAccount> account = make_error(Errc::not_found, "no such user");
    std::optional<AgentConfig> created;  // the settings row made for a new agent
    Result<Contact> contact = make_error(Errc::not_found, "no such contact");
    Result<Contact> inserted = make_error(Errc::not_found, "nothing inserted");
    Result<void> failed = ok();
  };
  const bool know_settings = needs.account && config_.get_agent(*needs.account).has_value();
  Read read = co_await deps_.store.run([&](Stores& s) {
    Read r;
    if (needs.account) {
      r.account = s.accounts().get_user(org_, *needs.account);
      if (needs.desktop && !know_settings && r.account && r.account->roles.has(Role::agent)) {
        // An agent an admin has not configured yet works with the defaults (no queues).
        auto existing = s.contact_center().get_agent(org_, *needs.account);
        if (existing) {
          r.created = std::move(*existing);
        } else if (existing.error().code != Errc::not_found) {
          r.failed = std::move(existing).error();
        } else {
          auto made = s.contact_center().put_agent(
              AgentConfig{*needs.account, org_, std::nullopt, {}, std::nullopt});
          if (made) {
            r.created = std::move(*made);
          } else {
            r.failed = std::move(made).error();
          }
        }
      }
    }
    if (needs.contact && !contacts_.contains(*needs.contact)) {
      r.contact = s.contact_center().get_contact(org_, *needs.contact);
    }
    if (needs.insert) r.inserted = s.contact_center().put_contact(*needs.insert);
    return r;
  });
  if (!read.failed) co_return read.failed;
  if (needs.account) accounts_.insert_or_assign(*needs.account, std::move(read.account));
  if (read.created) config_.add_agent(*read.created);
  if (needs.contact && !contacts_.contains(*needs.contact)) {
    looked_up_.insert_or_assign(*needs.contact, std::move(read.contact));
  }
  if (needs.insert) {
    if (!read.inserted) co_return std::move(read.inserted).error();
    inserted_ = std::move(*read.inserted);
  }
  co_return ok();
}

void OrgCenter::forget() {
  decision_ = Decision{};
  rona_timers_.clear();  // the handles cancel on destruction
  wrap_timers_.clear();
  agents_.clear();
  contacts_.clear();
  counters_.clear();
  table_ = RoutingTable{};
  loaded_ = false;
}

void OrgCenter::drop() {
  forget();
  config_ = OrgConfig{};
  config_stale_ = false;
  absent_codes_.clear();
  carried_.clear();
}

asio::awaitable<void> OrgCenter::reload(std::map<UserId, AgentState> before) {
  // A second after a failed write: long enough not to spin on a store that keeps failing.
  constexpr Millis kOverdueAfterFailure{1000};
  if (!deps_.ownership.serves(org_)) {
    // The write failed because the organisation went elsewhere (fenced): its owner loads it.
    drop();
    co_return;
  }
  AgentMap memory = std::move(agents_);
  for (const auto& [agent, s] : before) memory[agent] = s;
  forget();
  auto loaded = co_await load_and_repair(&memory, kOverdueAfterFailure);
  if (!loaded) {
    spdlog::error(
        "contact center: reloading org {} failed: {}; it is loaded again on its next "
        "request",
        org_.value, loaded.error().message);
    carried_ = std::move(memory);
  }
}

}  // namespace ccteams
