#pragma once
// GraphBudget: the request budget of ONE tenant (graph-protocol.md §5), as token buckets with
// time passed in. Keeps this app under Graph's documented limits with a safety share left over
// for anything we do not count (other instances, retries, the admin console).
//
// Each kind is a bucket sized so that any window of `period` admits at most
// safety_share × limit units: a burst of burst_share of that, the rest refilled evenly over the
// period. A 429 freezes the bucket until its Retry-After has passed and empties it (Graph keeps
// counting usage while it throttles, so resuming at full burst would just be throttled again).
//
// Defaults: presence 1,500 requests / 30 s per app per tenant (the figure on the presence API
// pages; the newer limits page says 10,000); identity reads 3,500 resource units / 10 s (the
// smallest tenant size, < 50 users); subscription writes 1,000 / 20 s per app per tenant.
// Thread-safety: none; the owner serialises calls (e.g. one strand per tenant).

#include <array>
#include <chrono>
#include <cstddef>

#include "core/time.hpp"

namespace ccteams::graph {

enum class BudgetKind { presence, identity_read, subscription_write };
inline constexpr std::size_t kBudgetKinds = 3;

struct BucketConfig {
  double limit = 1;                     // units Graph allows per period
  std::chrono::milliseconds period{1000};
  double safety_share = 0.8;            // (0, 1]: the share of `limit` we allow ourselves
  double burst_share = 0.25;            // (0, 1): the share of that allowed at once
};

struct BudgetConfig {
  BucketConfig presence{1500, std::chrono::seconds{30}};
  BucketConfig identity_read{3500, std::chrono::seconds{10}};
  BucketConfig subscription_write{1000, std::chrono::seconds{20}};
  const BucketConfig& of(BudgetKind kind) const;
};

class GraphBudget {
 public:
  // Buckets start full (a burst's worth) at `start`.
  GraphBudget(const BudgetConfig& config, Timestamp start);

  // Takes n units if they are there now; false (and nothing taken) otherwise, or while frozen.
  // n must be ≥ 1; n above the bucket's burst size can never succeed (see capacity()).
  bool try_acquire(BudgetKind kind, Timestamp now, double n = 1);
  // The earliest time at which try_acquire(kind, t, n) will succeed if nothing else is taken:
  // `now` when it would succeed now. n is clamped to capacity(kind).
  Timestamp next_available(BudgetKind kind, Timestamp now, double n = 1) const;
  // Graph answered 429 for this kind: refuse until `until` and start again from empty then.
  void freeze(BudgetKind kind, Timestamp until);
  // Units available now (for metrics and tests).
  double available(BudgetKind kind, Timestamp now) const;
  // The burst size: the most a single try_acquire can take.
  double capacity(BudgetKind kind) const;

 private:
  struct Bucket {
    double capacity = 0;
    double rate_per_ms = 0;
    double tokens = 0;
    Timestamp updated{};
    Timestamp frozen_until{};
  };
  // Tokens at `now` without mutating (refill is computed lazily).
  static double level(const Bucket& b, Timestamp now);
  Bucket& at(BudgetKind kind) { return buckets_[static_cast<std::size_t>(kind)]; }
  const Bucket& at(BudgetKind kind) const { return buckets_[static_cast<std::size_t>(kind)]; }

  std::array<Bucket, kBudgetKinds> buckets_;
};

}  // namespace ccteams::graph
