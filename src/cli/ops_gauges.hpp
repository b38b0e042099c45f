#pragma once
// The gauges an operator's dashboard and alerts read that no single event updates (issue 21):
// Teams connectors by status, and contacts waiting in queues with the longest wait. Sampled
// every few seconds from the store and the contact center; labels are bounded (the four
// stored connector statuses), never per organisation.

#include <boost/asio/any_io_executor.hpp>
#include <memory>

#include "app/contact_center.hpp"
#include "app/metrics.hpp"
#include "app/ports/scheduler.hpp"
#include "app/ports/store.hpp"
#include "cli/module.hpp"

namespace ccteams::cli {

struct OpsGaugesDeps {
  boost::asio::any_io_executor executor;  // where the sampling runs (the runtime's I/O threads)
  Scheduler& scheduler;
  const Clock& clock;
  Metrics& metrics;
  Store& store;
  ContactCenter& contact_center;
};

class OpsGauges final : public Module {
 public:
  // Registers the gauges (0 until the first sample); every dependency must outlive this.
  explicit OpsGauges(const OpsGaugesDeps& deps, Millis interval = std::chrono::seconds(5));
  ~OpsGauges() override;
  // Samples now, then every interval, until stop(). Thread-safe; stop() is idempotent.
  Result<void> start(const Listening& at) override;
  void stop() override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ccteams::cli
