#include "cli/directory_wiring.hpp"

#include <boost/asio/io_context.hpp>

#include "adapters/http/api/cc_api_context.hpp"
#include "adapters/http/api/directory_api.hpp"
#include "adapters/http/router.hpp"
#include "adapters/store/sqlite_directory_store.hpp"
#include "app/connector_service.hpp"
#include "app/directory_service.hpp"
#include "app/periodic.hpp"
#include "cli/connector_wiring.hpp"

namespace ccteams::cli {

struct DirectoryWiring::Impl {
  std::unique_ptr<store::SqliteDirectoryStore> store;
  std::unique_ptr<DirectoryService> service;
  std::unique_ptr<http::DirectoryApiContext> api;
  std::unique_ptr<Periodic> schedule;  // the sync schedule; declared last, stopped first
};

DirectoryWiring::DirectoryWiring(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
DirectoryWiring::~DirectoryWiring() { stop(); }

Result<std::unique_ptr<DirectoryWiring>> DirectoryWiring::create(const DirectoryDeps& deps,
                                                                 http::Router& router) {
  auto impl = std::make_unique<Impl>();
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
  impl->schedule = std::make_unique<Periodic>(
      deps.ioc.get_executor(), deps.scheduler, deps.clock, options.sync_interval,
      [service = impl->service.get()] { return service->sync_all(); }, "directory sync schedule");
  return std::unique_ptr<DirectoryWiring>(new DirectoryWiring(std::move(impl)));
}

void DirectoryWiring::start() {
  impl_->schedule->start(Periodic::First::after_interval,
                         [service = impl_->service.get()] { return service->resume_all(); });
}

void DirectoryWiring::stop() { impl_->schedule->stop(); }

DirectoryService& DirectoryWiring::service() { return *impl_->service; }

}  // namespace ccteams::cli
