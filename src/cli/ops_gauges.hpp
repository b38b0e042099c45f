#pragma once
// The gauges an operator's dashboard and alerts read that no single event updates (issue 21):
// Teams connectors by status, and contacts waiting in queues with the longest wait. Sampled
// every few seconds from the store and the contact center; labels are bounded (the four
// stored connector statuses), never per organisation.

#include <memory>

#include "app/ports/clock.hpp"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace ccteams {
class AccountStore;
class ContactCenter;
class Metrics;
class Scheduler;
namespace store {
class SqliteDb;
}  // namespace store
}  // namespace ccteams

namespace ccteams::cli {

struct OpsGaugesDeps {
  boost::asio::io_context& ioc;
  Scheduler& scheduler;
  const Clock& clock;
  Metrics& metrics;
  AccountStore& accounts;
  ContactCenter& contact_center;
  store::SqliteDb& db;
};

class OpsGauges {
 public:
  // Registers the gauges (0 until the first sample); every dependency must outlive this.
  explicit OpsGauges(const OpsGaugesDeps& deps, Millis interval = std::chrono::seconds(5));
  ~OpsGauges();
  // Samples now, then every interval, until stop(). Thread-safe; stop() is idempotent.
  void start();
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ccteams::cli
