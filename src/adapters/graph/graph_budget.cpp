#include "adapters/graph/graph_budget.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace ccteams::graph {

const BucketConfig& BudgetConfig::of(BudgetKind kind) const {
  switch (kind) {
    case BudgetKind::presence: return presence;
    case BudgetKind::identity_read: return identity_read;
    case BudgetKind::subscription_write: return subscription_write;
  }
  return presence;
}

GraphBudget::GraphBudget(const BudgetConfig& config, Timestamp start) {
  for (std::size_t i = 0; i < kBudgetKinds; ++i) {
    const auto& c = config.of(static_cast<BudgetKind>(i));
    assert(c.limit > 0 && c.period.count() > 0);
    assert(c.safety_share > 0 && c.safety_share <= 1 && c.burst_share > 0 && c.burst_share <= 1);
    const double allowed = c.limit * c.safety_share;
    auto& b = buckets_[i];
    // At least one unit of burst, or a tiny limit could never admit anything.
    b.capacity = std::max(1.0, std::floor(allowed * c.burst_share));
    b.rate_per_ms = std::max(0.0, allowed - b.capacity) / static_cast<double>(c.period.count());
    if (b.rate_per_ms <= 0) b.rate_per_ms = allowed / static_cast<double>(c.period.count());
    b.tokens = b.capacity;
    b.updated = start;
    b.frozen_until = start;
  }
}

double GraphBudget::level(const Bucket& b, Timestamp now) {
  // A frozen bucket refills from the end of the freeze, not from before it.
  const Timestamp from = std::max(b.updated, b.frozen_until);
  if (now <= from) return b.tokens;
  const double refill = static_cast<double>((now - from).count()) * b.rate_per_ms;
  return std::min(b.capacity, b.tokens + refill);
}

bool GraphBudget::try_acquire(BudgetKind kind, Timestamp now, double n) {
  assert(n >= 1);
  auto& b = at(kind);
  if (now < b.frozen_until) return false;
  const double have = level(b, now);
  // Time never runs backwards for the bucket: a stale `now` is treated as `updated`.
  const Timestamp stamp = std::max({now, b.updated, b.frozen_until});
  if (have + 1e-9 < n) {
    b.tokens = have;
    b.updated = stamp;
    return false;
  }
  b.tokens = have - n;
  b.updated = stamp;
  return true;
}

Timestamp GraphBudget::next_available(BudgetKind kind, Timestamp now, double n) const {
  const auto& b = at(kind);
  n = std::clamp(n, 1.0, b.capacity);
  const Timestamp start = std::max(now, b.frozen_until);
  const double have = level(b, start);
  if (have + 1e-9 >= n) return start;
  const double wait_ms = std::ceil((n - have) / b.rate_per_ms);
  return start + std::chrono::milliseconds{static_cast<std::int64_t>(wait_ms)};
}

void GraphBudget::freeze(BudgetKind kind, Timestamp until) {
  auto& b = at(kind);
  if (until <= b.frozen_until) return;
  b.frozen_until = until;
  b.tokens = 0;
  b.updated = std::min(b.updated, until);
}

double GraphBudget::available(BudgetKind kind, Timestamp now) const {
  const auto& b = at(kind);
  if (now < b.frozen_until) return 0;
  return level(b, now);
}

double GraphBudget::capacity(BudgetKind kind) const { return at(kind).capacity; }

}  // namespace ccteams::graph
