#include "app/cluster/fenced_store.hpp"

#include <spdlog/spdlog.h>

#include <utility>

namespace ccteams {

namespace asio = boost::asio;

FencedStore::FencedStore(Store& inner, FenceSource source)
    : inner_(inner), source_(std::move(source)) {}

Result<void> FencedStore::check(Stores& stores, const std::optional<LeaseFence>& fence) {
  if (!fence) return ok();
  auto* checker = dynamic_cast<LeaseFenceCheck*>(&stores);
  if (checker == nullptr) return ok();  // a single-instance store: nothing to fence
  auto checked = checker->check_fence(*fence);
  if (!checked && checked.error().code == Errc::conflict) {
    fenced_.fetch_add(1, std::memory_order_relaxed);
  }
  return checked;
}

asio::awaitable<void> FencedStore::run_job(Job job) {
  // Before the first suspension: still on the submitting thread (the organisation's strand).
  const std::optional<LeaseFence> fence = source_ ? source_() : std::nullopt;
  // Returns Result so that the inner store answers a failed commit (or the fence) as a value.
  // A rerun of the inner job (serialization failure) checks the fence again.
  auto guarded = [this, &job, &fence](Stores& stores) -> Result<void> {
    if (auto checked = check(stores, fence); !checked) return checked;
    job.work(stores);
    return ok();
  };
  auto op = inner_.run(guarded);
  Result<void> done = co_await std::move(op);
  if (done) co_return;
  if (job.fail) {
    job.fail(done.error());
  } else {
    spdlog::warn("store: a job that cannot be told was not done: {}", done.error().message);
  }
}

asio::awaitable<void> FencedStore::read_job(Job job) {
  auto plain = [&job](Stores& stores) -> Result<void> {
    job.work(stores);
    return ok();
  };
  auto op = inner_.read(plain);
  Result<void> done = co_await std::move(op);
  if (done) co_return;
  if (job.fail) {
    job.fail(done.error());
  } else {
    spdlog::warn("store: a read job that cannot be told failed: {}", done.error().message);
  }
}

void FencedStore::post(std::function<void(Stores&)> job) {
  std::optional<LeaseFence> fence = source_ ? source_() : std::nullopt;
  inner_.post([this, fence = std::move(fence), job = std::move(job)](Stores& stores) {
    if (auto checked = check(stores, fence); !checked) {
      spdlog::warn("store: a posted job was not run: {}", checked.error().message);
      return;
    }
    job(stores);
  });
}

}  // namespace ccteams
