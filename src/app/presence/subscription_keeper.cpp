#include "app/presence/subscription_keeper.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <unordered_map>
#include <unordered_set>
#include <variant>

namespace ccteams::presence {

namespace asio = boost::asio;

void SubscriptionKeeper::step(Timestamp t, const std::function<void(Timestamp)>& sooner) {
  if (busy_) return;
  if (t >= due_) {
    d_.loop.spawn(maintain_subscriptions(), "presence sync: subscriptions");
  } else {
    sooner(due_);
  }
}

void SubscriptionKeeper::on_lifecycle(LifecycleEvent event, const std::string& subscription_id) {
  if (event == LifecycleEvent::reauthorization_required) {
    d_.loop.spawn(reauthorize(subscription_id), "presence sync: reauthorize");
    return;
  }
  if (event == LifecycleEvent::subscription_removed) {
    d_.loop.spawn(removed(subscription_id), "presence sync: subscription removed");
  }
}

asio::awaitable<void> SubscriptionKeeper::removed(std::string id) {
  // Marked before the pass: a pass reading it still healthy would renew it instead.
  co_await set_health(id, StoredSubscriptionHealth::removed);
  due_ = d_.loop.now();
  d_.loop.wake();
}

asio::awaitable<Result<std::vector<PresenceSubscriptionRecord>>> SubscriptionKeeper::list() {
  const OrgId org = d_.org;
  auto read = [&](Stores& s) { return s.subscriptions().list_subscriptions(org); };
  co_return co_await d_.store.run(read);
}

asio::awaitable<void> SubscriptionKeeper::forget(std::string id, const char* what) {
  auto del = [&](Stores& s) { return s.subscriptions().delete_subscription(id); };
  if (auto r = co_await d_.store.run(del); !r) {
    store_failed(std::string(what) + " subscription " + id, r.error());
  }
}

asio::awaitable<std::pair<std::size_t, std::size_t>> SubscriptionKeeper::delete_all() {
  std::size_t deleted = 0, failed = 0;
  if (auto subs = co_await list()) {
    for (const auto& rec : *subs) {
      if (co_await remove(rec.id, rec.account_id, true)) {
        ++deleted;
      } else {
        ++failed;
      }
    }
  }
  co_await refresh_summary();
  co_return std::pair{deleted, failed};
}

asio::awaitable<void> SubscriptionKeeper::refresh_summary() {
  auto subs = co_await list();
  if (!subs) co_return;
  count_ = subs->size();
  next_expiry_.reset();
  for (const auto& r : *subs) {
    if (!next_expiry_ || r.expiration < *next_expiry_) next_expiry_ = r.expiration;
  }
}

void SubscriptionKeeper::store_failed(const std::string& what, const Error& e) {
  d_.metrics.store_failures.inc();
  spdlog::warn("presence sync: org {}: {} failed: {}", d_.org.value, what, e.message);
}

namespace {

std::optional<PresenceSubscriptionRecord> find_record(PresenceSubscriptionStore& st, OrgId org,
                                                      const std::string& id) {
  auto subs = st.list_subscriptions(org);
  if (!subs) return std::nullopt;
  for (auto& r : *subs) {
    if (r.id == id) return std::move(r);
  }
  return std::nullopt;
}

}  // namespace

asio::awaitable<std::optional<PresenceSubscriptionRecord>> SubscriptionKeeper::record_of(
    std::string id) {
  const OrgId org = d_.org;
  auto read = [&](Stores& s) { return find_record(s.subscriptions(), org, id); };
  co_return co_await d_.store.run(read);
}

asio::awaitable<void> SubscriptionKeeper::set_health(std::string id, StoredSubscriptionHealth h) {
  const OrgId org = d_.org;
  auto mark = [&](Stores& s) -> Result<void> {
    auto rec = find_record(s.subscriptions(), org, id);
    if (!rec) return ok();
    rec->health = h;
    return s.subscriptions().put_subscription(*rec);
  };
  if (auto r = co_await d_.store.run(mark); !r) {
    spdlog::warn("presence sync: storing subscription {} failed: {}", id, r.error().message);
  }
  co_await refresh_summary();
}

asio::awaitable<void> SubscriptionKeeper::reauthorize(std::string id) {
  auto rec = co_await record_of(id);
  if (!rec) co_return;
  auto token = co_await d_.access_token(rec->account_id);
  if (token) {
    std::function<GraphAsync<void>(std::string)> call = [&](std::string t) {
      return d_.graph.reauthorize_subscription(tenant_, std::move(t), id);
    };
    auto r = co_await delegated(rec->account_id, *token, call);
    if (r) {
      d_.metrics.subscription_calls_ok.inc();
      co_return;
    }
    d_.metrics.subscription_calls_failed.inc();
    spdlog::warn("presence sync: reauthorizing subscription {} failed: {}", id,
                 r.error().to_error().message);
  }
  // Not honoured: it will stop delivering. The plan recreates it.
  co_await set_health(id, StoredSubscriptionHealth::reauthorization_failed);
  due_ = d_.loop.now();
  d_.loop.wake();
}

// A delegated token can be revoked long before its expiry (the account's sessions revoked, its
// password reset): Graph answers 401. The cached token is dropped and the call made once more
// with a fresh one; a refused refresh has marked the account failed (the plan then leaves it).
template <class T>
asio::awaitable<GraphResult<T>> SubscriptionKeeper::delegated(
    SyncAccountId account, std::string token,
    std::function<GraphAsync<T>(std::string token)> call) {
  auto r = co_await call(token);
  if (r || r.error().kind != GraphErrorKind::unauthorized || !d_.refreshed_token) co_return r;
  auto fresh = co_await d_.refreshed_token(account, std::move(token));
  if (!fresh) {
    spdlog::warn(
        "presence sync: org {}: Graph refused sync account {}'s token and no fresh one: {}",
        d_.org.value, account.value, fresh.error().message);
    co_return r;
  }
  co_return co_await call(std::move(*fresh));
}

asio::awaitable<void> SubscriptionKeeper::probe_subscriptions() {
  auto subs = co_await list();
  if (!subs) co_return;
  for (const auto& rec : *subs) {
    if (!d_.loop.running()) co_return;
    if (rec.health != StoredSubscriptionHealth::ok) continue;
    auto token = co_await d_.access_token(rec.account_id);
    if (!token) continue;
    std::function<GraphAsync<Subscription>(std::string)> call = [&](std::string t) {
      return d_.graph.get_subscription(tenant_, std::move(t), rec.id);
    };
    auto r = co_await delegated(rec.account_id, *token, call);
    if (r) {
      d_.metrics.subscription_calls_ok.inc();
      continue;
    }
    d_.metrics.subscription_calls_failed.inc();
    // Anything but 404 (throttled, unavailable, refused) says nothing about the subscription.
    if (r.error().kind != GraphErrorKind::not_found) continue;
    spdlog::warn("presence sync: org {}: subscription {} is gone from Graph; subscribing again",
                 d_.org.value, rec.id);
    co_await set_health(rec.id, StoredSubscriptionHealth::removed);
  }
}

// ---- subscriptions ----

asio::awaitable<void> SubscriptionKeeper::maintain_subscriptions() {
  if (busy_) co_return;
  busy_ = true;
  due_ = d_.loop.now() + d_.check;
  co_await maintain_once();
  const Timestamp next = co_await next_maintenance();
  due_ = std::min(due_, next);
  busy_ = false;
  co_await refresh_summary();
}

// The next renewal or key rotation that falls due, so it happens on time rather than up to a
// subscription_check late; never sooner than 5 s (a failing renewal is not retried hot).
asio::awaitable<Timestamp> SubscriptionKeeper::next_maintenance() {
  auto subs = co_await list();
  Timestamp next = d_.loop.now() + d_.check;
  if (subs) {
    for (const auto& r : *subs) {
      if (r.health != StoredSubscriptionHealth::ok) continue;
      next = std::min(next, r.expiration - d_.plan.renew_margin);
    }
  }
  if (d_.decryptor != nullptr) next = std::min(next, d_.decryptor->next_rotation());
  if (d_.probe > Millis{0}) next = std::min(next, probe_due_);
  co_return std::max(next, d_.loop.now() + std::chrono::seconds{5});
}

asio::awaitable<void> SubscriptionKeeper::maintain_once() {
  if (d_.decryptor != nullptr) {
    // Subscriptions created from now on carry the new certificate; existing ones are PATCHed
    // with it at the end of this pass (the old key still decrypts for a grace period).
    auto rotated = co_await d_.decryptor->rotate_if_due(d_.loop.now());
    if (!rotated) {
      spdlog::warn(
          "presence sync: rotating the notification key failed ({}); the current key "
          "stays in use",
          rotated.error().message);
    } else if (*rotated) {
      spdlog::info("presence sync: notification encryption key rotated to {}",
                   d_.decryptor->certificate_id());
    }
  }
  if (d_.urls.notification.empty()) {
    coverage_ = "no public notification URL (server.public_url): bulk reads only";
    co_return;
  }
  if (d_.probe > Millis{0} && d_.loop.now() >= probe_due_) {
    probe_due_ = d_.loop.now() + d_.probe;
    co_await probe_subscriptions();  // before the plan: it recreates what the probe found gone
  }
  struct Stored {
    Result<std::vector<SyncAccount>> accounts;
    Result<std::vector<PresenceSubscriptionRecord>> current;
  };
  const OrgId org = d_.org;
  auto read = [&](Stores& s) {
    return Stored{s.sync_accounts().list_accounts(org),
                  s.subscriptions().list_subscriptions(org)};
  };
  Stored stored = co_await d_.store.run(read);
  auto& accounts = stored.accounts;
  auto& current = stored.current;
  if (!accounts || !current || !d_.loop.running()) co_return;
  std::vector<SyncAccountId> healthy;
  for (const auto& a : *accounts) {
    if (a.token_state == SyncTokenState::healthy) healthy.push_back(a.id);
  }
  std::vector<sync::CurrentSubscription> held;
  std::unordered_map<std::string, PresenceSubscriptionRecord> records;
  for (auto& r : *current) {
    sync::SubscriptionHealth h = sync::SubscriptionHealth::ok;
    if (r.health == StoredSubscriptionHealth::removed) h = sync::SubscriptionHealth::removed;
    if (r.health == StoredSubscriptionHealth::reauthorization_failed) {
      h = sync::SubscriptionHealth::reauthorization_failed;
    }
    held.push_back(
        sync::CurrentSubscription{r.id, r.account_id, r.user_ids, r.expiration, h});
    records.emplace(r.id, std::move(r));
  }
  auto plan = sync::plan_subscriptions(d_.watched(), healthy, held, d_.loop.now(), d_.plan);
  std::unordered_set<std::string> handled;  // by this plan: deleted, renewed or forgotten
  coverage_ = plan.status.message;
  if (healthy.empty() && !d_.watched().empty()) {
    coverage_ = "no healthy sync account: add one under Sync accounts; bulk reads only";
  }
  for (auto& step : plan.steps) {
    if (!d_.loop.running()) co_return;
    if (auto* c = std::get_if<sync::CreateSubscription>(&step)) {
      co_await create(*c);
    } else if (auto* d = std::get_if<sync::DeleteSubscription>(&step)) {
      handled.insert(d->subscription_id);
      co_await remove(d->subscription_id, d->account,
                      d->reason == sync::DeleteReason::account_unhealthy);
    } else if (auto* rn = std::get_if<sync::RenewSubscription>(&step)) {
      handled.insert(rn->subscription_id);
      auto it = records.find(rn->subscription_id);
      if (it != records.end()) co_await renew(it->second, rn->expiration);
    } else if (auto* f = std::get_if<sync::ForgetSubscription>(&step)) {
      handled.insert(f->subscription_id);
      co_await forget(f->subscription_id, "forgetting");
      d_.gate.erase(f->subscription_id);
      d_.metrics.subscriptions_lost.inc();
      d_.metrics.subscriptions.add(-1);
    }
  }
  // After a key rotation (or a key lost with a restart): every rich subscription still on
  // another certificate is PATCHed with the current one (§4.2); renew() always sends it.
  if (d_.decryptor == nullptr) co_return;
  const std::string certificate_id = d_.decryptor->certificate_id();
  for (auto& [id, rec] : records) {
    if (!d_.loop.running()) co_return;
    if (handled.contains(id) || !rec.include_resource_data ||
        rec.health != StoredSubscriptionHealth::ok || rec.certificate_id == certificate_id) {
      continue;
    }
    co_await renew(rec, d_.loop.now() + d_.plan.lifetime);
  }
}

asio::awaitable<void> SubscriptionKeeper::create(const sync::CreateSubscription& c) {
  auto token = co_await d_.access_token(c.account);
  if (!token) {
    spdlog::warn("presence sync: org {}: no token for sync account {}: {}", d_.org.value,
                 c.account.value, token.error().message);
    co_return;
  }
  const std::string client_state = d_.tokens.new_token();
  const std::string digest = d_.tokens.digest(client_state);
  d_.gate.creating(digest, d_.org);
  SubscriptionRequest req;
  req.presence_user_ids = c.user_ids;
  req.change_type = "updated";
  req.notification_url = d_.urls.notification;
  if (!d_.urls.lifecycle.empty()) {
    req.lifecycle_notification_url = d_.urls.lifecycle;
  }
  req.expiration = c.expiration;
  req.client_state = client_state;
  if (d_.decryptor != nullptr) {
    req.include_resource_data = true;
    req.encryption_certificate = d_.decryptor->encryption_certificate();
    req.encryption_certificate_id = d_.decryptor->certificate_id();
  }
  std::function<GraphAsync<Subscription>(std::string)> call = [&](std::string t) {
    return d_.graph.create_subscription(tenant_, std::move(t), req);
  };
  auto r = co_await delegated(c.account, *token, call);
  if (!r) {
    d_.gate.create_failed(digest);
    d_.metrics.subscription_calls_failed.inc();
    spdlog::warn("presence sync: org {}: creating a subscription for {} users failed: {}",
                 d_.org.value, c.user_ids.size(), r.error().to_error().message);
    co_return;
  }
  PresenceSubscriptionRecord rec;
  rec.id = r->id;
  rec.org = d_.org;
  rec.account_id = c.account;
  rec.user_ids = c.user_ids;
  rec.expiration = r->expiration;
  rec.client_state_sha256 = digest;
  rec.include_resource_data = req.include_resource_data;
  rec.certificate_id = req.encryption_certificate_id.value_or("");
  rec.created_at = d_.loop.now();
  auto put = [&](Stores& s) { return s.subscriptions().put_subscription(rec); };
  if (auto s = co_await d_.store.run(put); !s) {
    spdlog::error("presence sync: storing subscription {} failed: {}", rec.id, s.error().message);
  }
  d_.gate.created(rec.id, d_.org, digest);
  d_.metrics.subscription_calls_ok.inc();
  d_.metrics.subscriptions_created.inc();
  d_.metrics.subscriptions.add(1);
  spdlog::info("presence sync: org {}: subscription {} for {} users (sync account {})",
               d_.org.value, rec.id, rec.user_ids.size(), rec.account_id.value);
}

// Deletes in Graph (not_found counts as done), then locally. best_effort: the local record
// goes even when Graph could not be asked (the subscription then lapses within the hour).
asio::awaitable<bool> SubscriptionKeeper::remove(const std::string& id, SyncAccountId account,
                                                 bool best_effort) {
  bool gone = false;
  auto token = co_await d_.access_token(account);
  if (token) {
    std::function<GraphAsync<void>(std::string)> call = [&](std::string t) {
      return d_.graph.delete_subscription(tenant_, std::move(t), id);
    };
    auto r = co_await delegated(account, *token, call);
    gone = r || r.error().kind == GraphErrorKind::not_found;
    if (gone) {
      d_.metrics.subscription_calls_ok.inc();
    } else {
      d_.metrics.subscription_calls_failed.inc();
      spdlog::warn("presence sync: deleting subscription {} failed: {}", id,
                   r.error().to_error().message);
    }
  }
  if (gone || best_effort) {
    co_await forget(id, "deleting");
    d_.gate.erase(id);
    d_.metrics.subscriptions_deleted.inc();
    d_.metrics.subscriptions.add(-1);
  }
  co_return gone;
}

asio::awaitable<void> SubscriptionKeeper::renew(PresenceSubscriptionRecord rec,
                                                Timestamp expiration) {
  auto token = co_await d_.access_token(rec.account_id);
  if (!token) co_return;
  SubscriptionRenewal renewal{expiration, std::nullopt, std::nullopt};
  if (rec.include_resource_data && d_.decryptor != nullptr) {
    renewal.encryption_certificate = d_.decryptor->encryption_certificate();
    renewal.encryption_certificate_id = d_.decryptor->certificate_id();
  }
  std::function<GraphAsync<Subscription>(std::string)> call = [&](std::string t) {
    return d_.graph.renew_subscription(tenant_, std::move(t), rec.id, renewal);
  };
  auto r = co_await delegated(rec.account_id, *token, call);
  if (r) {
    rec.expiration = r->expiration;
    if (renewal.encryption_certificate_id) rec.certificate_id = *renewal.encryption_certificate_id;
    rec.health = StoredSubscriptionHealth::ok;
    d_.metrics.subscription_calls_ok.inc();
    d_.metrics.subscriptions_renewed.inc();
  } else {
    d_.metrics.subscription_calls_failed.inc();
    spdlog::warn("presence sync: renewing subscription {} failed: {}", rec.id,
                 r.error().to_error().message);
    if (r.error().kind != GraphErrorKind::not_found) co_return;
    rec.health = StoredSubscriptionHealth::removed;  // the next plan recreates it
    due_ = d_.loop.now();
  }
  auto put = [&](Stores& s) { return s.subscriptions().put_subscription(rec); };
  if (auto s = co_await d_.store.run(put); !s) {
    store_failed("storing subscription " + rec.id, s.error());
  }
}

}  // namespace ccteams::presence
