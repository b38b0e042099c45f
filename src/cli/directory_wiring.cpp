#include "cli/directory_wiring.hpp"

#include "adapters/http/api/directory_api.hpp"
#include "adapters/http/router.hpp"
#include "app/connector_service.hpp"
#include "app/directory_service.hpp"
#include "app/ports/graph.hpp"
#include "cli/config.hpp"
#include "cli/connector_wiring.hpp"

namespace ccteams::cli {

struct DirectoryWiring::Impl {
  std::unique_ptr<DirectoryService> service;
  std::unique_ptr<http::DirectoryApiContext> api;
};

DirectoryWiring::DirectoryWiring(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
DirectoryWiring::~DirectoryWiring() { stop(); }

Result<std::unique_ptr<DirectoryWiring>> DirectoryWiring::create(const DirectoryDeps& deps,
                                                                 http::Router& router) {
  auto impl = std::make_unique<Impl>();
  ConnectorService& connectors = deps.connector.service();
  DirectoryServiceOptions options;
  options.sync_interval = std::chrono::seconds(deps.config.sync_interval_seconds);
  options.presence_ttl = std::chrono::seconds(deps.config.presence_ttl_seconds);
  options.page_size = deps.config.page_size;
  options.default_country_code = deps.config.default_country_code;
  options.ownership = &deps.ownership;
  impl->service = std::make_unique<DirectoryService>(
      deps.actors, deps.store, deps.connector.graph(), deps.clock, deps.scheduler,
      [&connectors](OrgId org) { return connectors.active(org); },
      [&connectors] { return connectors.active_orgs(); }, std::move(options));
  connectors.add_participant(*impl->service);
  impl->api = std::make_unique<http::DirectoryApiContext>(
      http::DirectoryApiContext{deps.auth, *impl->service});
  http::register_directory_routes(router, *impl->api);
  return std::unique_ptr<DirectoryWiring>(new DirectoryWiring(std::move(impl)));
}

Result<void> DirectoryWiring::start(const Listening&) {
  impl_->service->start();
  return ok();
}

void DirectoryWiring::stop() { impl_->service->stop(); }

DirectoryService& DirectoryWiring::service() { return *impl_->service; }

}  // namespace ccteams::cli
