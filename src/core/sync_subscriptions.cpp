#include "core/sync_subscriptions.hpp"

#include <algorithm>
#include <cassert>
#include <chrono>
#include <deque>
#include <set>
#include <string_view>
#include <unordered_set>

namespace ccteams::sync {

Result<void> validate(const SubscriptionPlanConfig& c) {
  if (c.max_ids < 1 || c.max_ids > 650) {
    return make_error(Errc::invalid_input, "subscriptions: max_ids must be 1-650");
  }
  if (c.lifetime <= Millis::zero() || c.lifetime > std::chrono::minutes{60}) {
    return make_error(Errc::invalid_input, "subscriptions: lifetime must be at most 60 minutes");
  }
  if (c.renew_margin <= Millis::zero() || c.renew_margin >= c.lifetime) {
    return make_error(Errc::invalid_input,
                      "subscriptions: renew_margin must be positive and below the lifetime");
  }
  return ok();
}

std::string_view delete_reason_name(DeleteReason r) {
  switch (r) {
    case DeleteReason::replaced:
      return "replaced";
    case DeleteReason::no_users:
      return "no_users";
    case DeleteReason::account_unhealthy:
      return "account_unhealthy";
    case DeleteReason::duplicate_account:
      return "duplicate_account";
  }
  return "replaced";
}

std::string_view forget_reason_name(ForgetReason r) {
  return r == ForgetReason::expired ? "expired" : "removed";
}

namespace {

struct Group {
  const CurrentSubscription* existing = nullptr;  // nullptr: a new subscription
  std::vector<std::string_view> members;          // watched users it covers after the plan
  bool recreate = false;
};

class Placer {
 public:
  Placer(std::vector<std::string_view> orphans, std::size_t max_ids)
      : orphans_(std::move(orphans)), max_ids_(max_ids) {}

  std::size_t remaining() const { return orphans_.size() - next_; }
  std::size_t room(const Group& g) const { return max_ids_ - g.members.size(); }

  // Moves as many orphans as fit into g; true when any moved.
  bool fill(Group& g) {
    const std::size_t n = std::min(room(g), remaining());
    for (std::size_t i = 0; i < n; ++i) g.members.push_back(orphans_[next_++]);
    return n > 0;
  }
  std::vector<std::string> rest() const {
    return {orphans_.begin() + static_cast<std::ptrdiff_t>(next_), orphans_.end()};
  }

 private:
  std::vector<std::string_view> orphans_;
  std::size_t next_ = 0;
  std::size_t max_ids_;
};

std::vector<std::string> to_strings(const std::vector<std::string_view>& ids) {
  return {ids.begin(), ids.end()};
}

// "1 account", "3 accounts": the message is shown to admins as is.
std::string count_of(std::size_t n, const char* noun) {
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

std::string status_message(const CoverageStatus& s) {
  if (s.uncovered > 0) {
    return "not enough sync accounts: " + count_of(s.users, "user") +
           (s.users == 1 ? " needs " : " need ") + count_of(s.accounts_needed, "account") + ", " +
           std::to_string(s.accounts_healthy) + (s.accounts_healthy == 1 ? " is" : " are") +
           " healthy; " + count_of(s.uncovered, "user") + (s.uncovered == 1 ? " relies" : " rely") +
           " on bulk reads only";
  }
  if (s.users > 0 && s.spare_accounts == 0) {
    return "no spare sync account: " + count_of(s.users, "user") +
           (s.users == 1 ? " uses all " : " use all ") +
           count_of(s.accounts_healthy, "healthy account") +
           ", so a change of subscriptions leaves their users without notifications for a few "
           "seconds (bulk reads cover them); add a sync account to avoid it";
  }
  return {};
}

}  // namespace

SubscriptionPlan plan_subscriptions(const std::vector<std::string>& users,
                                    const std::vector<SyncAccountId>& healthy_accounts,
                                    const std::vector<CurrentSubscription>& current, Timestamp now,
                                    const SubscriptionPlanConfig& config) {
  assert(validate(config));
  const std::size_t max_ids = config.max_ids;

  std::vector<std::string_view> wanted;
  std::unordered_set<std::string_view> wanted_set;
  wanted.reserve(users.size());
  wanted_set.reserve(users.size());
  for (const auto& u : users) {
    if (wanted_set.insert(u).second) wanted.push_back(u);
  }
  std::vector<SyncAccountId> healthy;
  std::set<SyncAccountId> healthy_set;
  for (const auto& a : healthy_accounts) {
    if (healthy_set.insert(a).second) healthy.push_back(a);
  }

  std::vector<SubscriptionStep> forgets, early_deletes, late_deletes;
  std::vector<Group> groups;
  std::set<SyncAccountId> holding;  // healthy accounts whose subscription stays or is replaced
  std::unordered_set<std::string_view> claimed;
  claimed.reserve(wanted.size());

  for (const auto& sub : current) {
    if (sub.health == SubscriptionHealth::removed || sub.expiration <= now) {
      // Graph has nothing to delete; its users are placed again below.
      forgets.emplace_back(ForgetSubscription{sub.id, sub.account,
                                              sub.health == SubscriptionHealth::removed
                                                  ? ForgetReason::removed
                                                  : ForgetReason::expired});
      continue;
    }
    if (!healthy_set.contains(sub.account)) {
      late_deletes.emplace_back(
          DeleteSubscription{sub.id, sub.account, DeleteReason::account_unhealthy});
      continue;
    }
    if (holding.contains(sub.account)) {
      // Graph allows one per account, so one of them is stale; deleting it early keeps the
      // account free of doubt before the rotation may reuse it (404 counts as done).
      early_deletes.emplace_back(
          DeleteSubscription{sub.id, sub.account, DeleteReason::duplicate_account});
      continue;
    }
    Group g{&sub, {}, sub.health == SubscriptionHealth::reauthorization_failed};
    std::size_t departed = 0;
    for (const auto& id : sub.user_ids) {
      // Over max_ids only through bad local data: the excess is placed again like a newcomer.
      if (g.members.size() < max_ids && wanted_set.contains(id) && claimed.insert(id).second) {
        g.members.push_back(id);
      } else {
        ++departed;
      }
    }
    if (g.members.empty()) {
      // Deleted before any creation so that its account is spare for the rotation.
      early_deletes.emplace_back(DeleteSubscription{sub.id, sub.account, DeleteReason::no_users});
      continue;
    }
    if (departed > config.max_departed) g.recreate = true;
    holding.insert(sub.account);
    groups.push_back(std::move(g));
  }

  std::vector<std::string_view> orphans;
  for (const auto id : wanted) {
    if (!claimed.contains(id)) orphans.push_back(id);
  }
  Placer placer(std::move(orphans), max_ids);
  std::size_t free_accounts = healthy.size() - holding.size();
  const std::size_t existing_groups = groups.size();

  // 1. Subscriptions that are replaced anyway take newcomers for free (most room first).
  std::vector<std::size_t> order(existing_groups);
  for (std::size_t i = 0; i < existing_groups; ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return placer.room(groups[a]) > placer.room(groups[b]);
  });
  for (const auto i : order) {
    if (groups[i].recreate) placer.fill(groups[i]);
  }
  // 2. Whole new subscriptions on spare accounts.
  while (placer.remaining() >= max_ids && free_accounts > 0) {
    groups.push_back(Group{});
    placer.fill(groups.back());
    --free_accounts;
  }
  // 3. The remainder: one replacement that takes it all (least room that fits), else a new
  //    subscription, else spread over the existing ones (most room first).
  if (placer.remaining() > 0) {
    std::optional<std::size_t> best;
    for (std::size_t i = 0; i < existing_groups; ++i) {
      const Group& g = groups[i];
      if (g.recreate || placer.room(g) < placer.remaining()) continue;
      if (!best || placer.room(g) < placer.room(groups[*best])) best = i;
    }
    if (best) {
      groups[*best].recreate = placer.fill(groups[*best]);
    } else if (free_accounts > 0) {
      groups.push_back(Group{});
      placer.fill(groups.back());
      --free_accounts;
    } else {
      for (const auto i : order) {
        if (placer.remaining() == 0) break;
        if (placer.fill(groups[i])) groups[i].recreate = true;
      }
    }
  }

  SubscriptionPlan plan;
  plan.uncovered = placer.rest();
  auto& steps = plan.steps;
  steps.insert(steps.end(), forgets.begin(), forgets.end());
  for (std::size_t i = 0; i < existing_groups; ++i) {
    const CurrentSubscription& sub = *groups[i].existing;
    if (!groups[i].recreate && sub.expiration - now <= config.renew_margin) {
      steps.emplace_back(RenewSubscription{sub.id, sub.account, now + config.lifetime});
    }
  }
  steps.insert(steps.end(), early_deletes.begin(), early_deletes.end());

  // Spare accounts, in the caller's order of preference; replaced accounts rejoin at the back.
  std::deque<SyncAccountId> pool;
  for (const auto& a : healthy) {
    if (!holding.contains(a)) pool.push_back(a);
  }
  const Timestamp expiration = now + config.lifetime;
  for (std::size_t i = 0; i < existing_groups; ++i) {
    const Group& g = groups[i];
    if (!g.recreate) continue;
    const CurrentSubscription& sub = *g.existing;
    if (!pool.empty()) {
      const SyncAccountId spare = pool.front();
      pool.pop_front();
      steps.emplace_back(CreateSubscription{spare, to_strings(g.members), expiration, sub.id});
      steps.emplace_back(DeleteSubscription{sub.id, sub.account, DeleteReason::replaced});
      pool.push_back(sub.account);
    } else {
      steps.emplace_back(DeleteSubscription{sub.id, sub.account, DeleteReason::replaced});
      steps.emplace_back(
          CreateSubscription{sub.account, to_strings(g.members), expiration, sub.id, true});
    }
  }
  for (std::size_t i = existing_groups; i < groups.size(); ++i) {
    assert(!pool.empty());  // placement created no more new groups than spare accounts
    steps.emplace_back(
        CreateSubscription{pool.front(), to_strings(groups[i].members), expiration, {}});
    pool.pop_front();
  }
  steps.insert(steps.end(), late_deletes.begin(), late_deletes.end());

  CoverageStatus& s = plan.status;
  s.users = wanted.size();
  s.accounts_needed = (wanted.size() + max_ids - 1) / max_ids;
  s.accounts_healthy = healthy.size();
  s.subscriptions = groups.size();
  s.spare_accounts = pool.size();
  s.uncovered = plan.uncovered.size();
  s.message = status_message(s);
  return plan;
}

}  // namespace ccteams::sync
