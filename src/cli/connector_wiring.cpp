#include "cli/connector_wiring.hpp"

#include <boost/asio/io_context.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "adapters/crypto/secret_box_sealer.hpp"
#include "adapters/graph/cached_jwks.hpp"
#include "adapters/graph/entra_link_builder.hpp"
#include "adapters/graph/http_graph_client.hpp"
#include "adapters/graph/http_jwks_source.hpp"
#include "adapters/graph/jwks_id_token_verifier.hpp"
#include "adapters/http/api/connector_api.hpp"
#include "adapters/http/http_client.hpp"
#include "adapters/http/router.hpp"
#include "app/connector_service.hpp"
#include "app/periodic.hpp"

namespace ccteams::cli {

namespace asio = boost::asio;

namespace {

constexpr std::string_view kCallbackPath = "/api/v1/connectors/msteams/callback";

Result<std::string> read_text(const std::string& path, const char* key) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(Errc::invalid_input, std::string(key) + ": cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

// The secret is never echoed in a message, only where it was looked for.
Result<std::string> find_client_secret(const MicrosoftConfig& m) {
  if (!m.client_secret.empty()) return m.client_secret;
  if (!m.client_secret_env.empty()) {
    // getenv is safe: nobody in this process calls setenv after start.
    if (const char* v = std::getenv(m.client_secret_env.c_str()); v != nullptr && *v != '\0') {
      return std::string(v);
    }
  }
  if (!m.client_secret_file.empty()) {
    auto text = read_text(m.client_secret_file, "microsoft.client_secret_file");
    if (!text) return text;
    while (!text->empty() &&
           (text->back() == '\n' || text->back() == '\r' || text->back() == ' ')) {
      text->pop_back();
    }
    if (!text->empty()) return text;
  }
  return make_error(Errc::invalid_input,
                    "microsoft.client_secret: not found (set client_secret, the variable " +
                        (m.client_secret_env.empty() ? std::string("client_secret_env names")
                                                     : m.client_secret_env) +
                        ", or client_secret_file)");
}

struct ConnectorWiring::Impl {
  std::unique_ptr<HttpClient> http;
  std::unique_ptr<graph::HttpGraphClient> graph;
  std::unique_ptr<SecretBoxSealer> sealer;
  Sha256PkceHasher pkce;
  std::unique_ptr<graph::HttpJwksSource> jwks_source;
  std::unique_ptr<graph::CachedJwks> jwks;
  std::unique_ptr<graph::JwksIdTokenVerifier> id_tokens;
  std::unique_ptr<graph::EntraLinkBuilder> links;
  std::unique_ptr<ConnectorService> service;
  std::unique_ptr<http::ConnectorApiContext> api;
  bool public_url_given = false;
  bool enabled = false;
  std::unique_ptr<Periodic> health;  // the health check; declared last, stopped first
};

ConnectorWiring::ConnectorWiring(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ConnectorWiring::~ConnectorWiring() { stop(); }

Result<std::unique_ptr<ConnectorWiring>> ConnectorWiring::create(const ConnectorDeps& deps,
                                                                 http::Router& router) {
  const MicrosoftConfig& m = deps.config.microsoft;
  auto impl = std::make_unique<Impl>();
  impl->enabled = !m.client_id.empty();
  ClientOptions client_options;
  if (!m.ca_file.empty()) {
    auto pem = read_text(m.ca_file, "microsoft.ca_file");
    if (!pem) return std::move(pem).error();
    client_options.extra_ca_pem = std::move(*pem);
  }
  impl->http = std::make_unique<HttpClient>(deps.ioc, client_options);
  if (auto s = impl->http->status(); !s) {
    return make_error(Errc::invalid_input, "microsoft.ca_file: " + s.error().message);
  }
  graph::GraphClientConfig graph_config;
  graph_config.login_base = m.login_base_url;
  graph_config.graph_base = m.graph_base_url;
  graph_config.client_id = m.client_id;
  if (impl->enabled) {
    auto secret = find_client_secret(m);
    if (!secret) return std::move(secret).error();
    graph_config.client_secret = std::move(*secret);
  }
  impl->graph =
      std::make_unique<graph::HttpGraphClient>(*impl->http, deps.clock, std::move(graph_config));
  ConnectorServiceConfig service_config;
  service_config.client_id = m.client_id;
  service_config.optional_features_on = deps.optional_features_on;
  if (deps.ownership != nullptr) service_config.ownership = deps.ownership;
  impl->public_url_given = !deps.config.server.public_url.empty();
  if (impl->public_url_given) {
    std::string base = deps.config.server.public_url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    service_config.redirect_uri = base + std::string(kCallbackPath);
  }
  // The administrator's ID token is checked against Entra's published keys (§1.5).
  std::string login_base = m.login_base_url;
  while (!login_base.empty() && login_base.back() == '/') login_base.pop_back();
  impl->sealer = std::make_unique<SecretBoxSealer>(deps.secrets);
  impl->jwks_source = std::make_unique<graph::HttpJwksSource>(
      *impl->http, login_base + "/common/discovery/v2.0/keys");
  impl->jwks =
      std::make_unique<graph::CachedJwks>(*impl->jwks_source, deps.clock, std::chrono::minutes(5));
  impl->id_tokens = std::make_unique<graph::JwksIdTokenVerifier>(*impl->jwks, login_base);
  impl->links = std::make_unique<graph::EntraLinkBuilder>(login_base);
  impl->service = std::make_unique<ConnectorService>(
      deps.store, *impl->graph, *impl->id_tokens, *impl->links, *impl->sealer, impl->pkce,
      deps.tokens, deps.clock, std::move(service_config));
  impl->api = std::make_unique<http::ConnectorApiContext>(
      http::ConnectorApiContext{deps.auth, *impl->service});
  http::register_connector_routes(router, *impl->api);
  impl->health = std::make_unique<Periodic>(
      deps.ioc.get_executor(), deps.scheduler, deps.clock,
      std::chrono::duration_cast<Millis>(std::chrono::seconds(m.health_check_seconds)),
      [service = impl->service.get()] { return service->check_all_active(); },
      "connector health check");
  return std::unique_ptr<ConnectorWiring>(new ConnectorWiring(std::move(impl)));
}

Result<void> ConnectorWiring::start(const Listening& at) {
  auto& im = *impl_;
  if (!im.public_url_given) {
    im.service->set_redirect_uri("http://" + at.host + ":" + std::to_string(at.port) +
                                 std::string(kCallbackPath));
  }
  if (im.enabled) im.health->start(Periodic::First::now);
  return ok();
}

void ConnectorWiring::stop() { impl_->health->stop(); }

ConnectorService& ConnectorWiring::service() { return *impl_->service; }
GraphClient& ConnectorWiring::graph() { return *impl_->graph; }
HttpClient& ConnectorWiring::http() { return *impl_->http; }
const EntraLinks& ConnectorWiring::entra_links() { return *impl_->links; }

}  // namespace ccteams::cli
