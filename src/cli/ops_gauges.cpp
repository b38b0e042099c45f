#include "cli/ops_gauges.hpp"

#include <algorithm>
#include <array>

#include "app/periodic.hpp"

namespace ccteams::cli {

namespace asio = boost::asio;

namespace {

// The statuses a stored connector can have (NotConfigured is the absence of a row).
constexpr std::array kStoredStatuses = {ConnectorStatus::authorizing, ConnectorStatus::active,
                                        ConnectorStatus::inactive,
                                        ConnectorStatus::authorization_error};

}  // namespace

struct OpsGauges::Impl {
  OpsGaugesDeps deps;
  std::array<Gauge*, kStoredStatuses.size()> by_status{};
  Gauge* waiting = nullptr;
  Gauge* longest_wait = nullptr;
  std::unique_ptr<Periodic> loop;

  explicit Impl(const OpsGaugesDeps& d) : deps(d) {}

  asio::awaitable<void> sample() {
    // One job on the store's executor: the connector counts, then the organisations.
    auto orgs = co_await deps.store.run([&](Stores& s) {
      for (std::size_t i = 0; i < kStoredStatuses.size(); ++i) {
        // A read that fails keeps the last value: a gap is not a change of status.
        if (auto with = s.connectors().orgs_with_status(kStoredStatuses[i])) {
          by_status[i]->set(static_cast<double>(with->size()));
        }
      }
      return s.accounts().list_orgs();
    });
    if (!orgs) co_return;
    std::size_t contacts = 0;
    Millis longest{0};
    for (const auto& org : *orgs) {
      auto queues = co_await deps.contact_center.all_queue_stats(org.id);
      if (!queues) continue;
      for (const auto& q : *queues) {
        contacts += q.waiting;
        longest = std::max(longest, q.longest_wait);
      }
    }
    waiting->set(static_cast<double>(contacts));
    longest_wait->set(static_cast<double>(longest.count()) / 1000.0);
  }
};

OpsGauges::OpsGauges(const OpsGaugesDeps& deps, Millis interval)
    : impl_(std::make_unique<Impl>(deps)) {
  for (std::size_t i = 0; i < kStoredStatuses.size(); ++i) {
    impl_->by_status[i] = &deps.metrics.gauge(
        "teams_connectors", "Microsoft Teams connectors (organisations) by connector status",
        {{"status", std::string(connector_status_name(kStoredStatuses[i]))}});
  }
  impl_->waiting =
      &deps.metrics.gauge("contact_center_contacts_waiting",
                          "Contacts waiting in a queue (all queues and organisations)");
  impl_->longest_wait =
      &deps.metrics.gauge("contact_center_longest_wait_seconds",
                          "How long the longest-waiting contact of any queue has waited");
  impl_->loop = std::make_unique<Periodic>(
      deps.executor, deps.scheduler, deps.clock, interval,
      [impl = impl_.get()] { return impl->sample(); }, "ops gauges");
}

OpsGauges::~OpsGauges() { stop(); }

Result<void> OpsGauges::start(const Listening&) {
  impl_->loop->start(Periodic::First::now);
  return ok();
}
void OpsGauges::stop() { impl_->loop->stop(); }

}  // namespace ccteams::cli
