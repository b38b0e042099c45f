#include "cli/directory_wiring.hpp"

#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "adapters/http/api/cc_api_context.hpp"
#include "adapters/http/api/directory_api.hpp"
#include "adapters/http/router.hpp"
#include "adapters/store/sqlite_directory_store.hpp"
#include "app/connector_service.hpp"
#include "app/directory_service.hpp"
#include "cli/connector_wiring.hpp"

namespace ccteams::cli {

namespace asio = boost::asio;

struct DirectoryWiring::Impl {
  asio::io_context& ioc;
  std::chrono::seconds interval;
  std::unique_ptr<store::SqliteDirectoryStore> store;
  std::unique_ptr<DirectoryService> service;
  std::unique_ptr<http::DirectoryApiContext> api;
  // The schedule's timer and stop flag are shared with its coroutine frame.
  struct Schedule {
    explicit Schedule(asio::io_context& ctx) : timer(ctx) {}
    asio::steady_timer timer;
    std::atomic<bool> stopped{false};
  };
  std::shared_ptr<Schedule> schedule;

  explicit Impl(asio::io_context& ctx) : ioc(ctx), schedule(std::make_shared<Schedule>(ctx)) {}
};

DirectoryWiring::DirectoryWiring(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
DirectoryWiring::~DirectoryWiring() { stop(); }

Result<std::unique_ptr<DirectoryWiring>> DirectoryWiring::create(const DirectoryDeps& deps,
                                                                 http::Router& router) {
  auto impl = std::make_unique<Impl>(deps.ioc);
  impl->interval = deps.sync_interval;
  impl->store = std::make_unique<store::SqliteDirectoryStore>(deps.db);
  ConnectorService& connectors = deps.connector.service();
  DirectoryServiceOptions options;
  options.sync_interval = std::chrono::duration_cast<Millis>(deps.sync_interval);
  impl->service = std::make_unique<DirectoryService>(
      *impl->store, deps.connector.graph(), deps.clock,
      [&connectors](OrgId org) { return connectors.active(org); },
      [&connectors] { return connectors.active_orgs(); }, options);
  connectors.add_participant(*impl->service);
  impl->api = std::make_unique<http::DirectoryApiContext>(
      http::DirectoryApiContext{deps.auth, *impl->service});
  http::register_directory_routes(router, *impl->api);
  deps.contact_api.directory = impl->service.get();
  return std::unique_ptr<DirectoryWiring>(new DirectoryWiring(std::move(impl)));
}

void DirectoryWiring::start() {
  auto& im = *impl_;
  asio::co_spawn(
      im.ioc,
      [schedule = im.schedule, service = im.service.get(),
       interval = im.interval]() -> asio::awaitable<void> {
        co_await service->resume_all();
        while (!schedule->stopped) {
          schedule->timer.expires_after(interval);
          boost::system::error_code ec;
          co_await schedule->timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
          if (schedule->stopped) break;
          co_await service->sync_all();
        }
      },
      [](const std::exception_ptr& e) {
        if (!e) return;
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          spdlog::error("directory sync schedule ended by an exception: {}", ex.what());
        }
      });
}

void DirectoryWiring::stop() {
  auto schedule = impl_->schedule;
  if (schedule->stopped.exchange(true)) return;
  asio::post(impl_->ioc, [schedule] { schedule->timer.cancel(); });
}

DirectoryService& DirectoryWiring::service() { return *impl_->service; }

}  // namespace ccteams::cli
