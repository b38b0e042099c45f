#include "cli/presence_sync_wiring.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <optional>
#include <string_view>

#include "adapters/crypto/secret_box.hpp"
#include "adapters/crypto/secret_box_sealer.hpp"
#include "adapters/graph/graph_notification_decryptor.hpp"
#include "adapters/graph/http_jwks_source.hpp"
#include "adapters/http/api/graph_webhook_api.hpp"
#include "adapters/http/api/presence_sync_api.hpp"
#include "adapters/http/api/sync_accounts_api.hpp"
#include "adapters/http/http_client.hpp"
#include "adapters/http/router.hpp"
#include "app/connector_service.hpp"
#include "app/contact_center.hpp"
#include "app/ports/clock.hpp"
#include "app/ports/graph.hpp"
#include "app/ports/store.hpp"
#include "app/presence_sync.hpp"
#include "app/sync_account_service.hpp"
#include "cli/connector_wiring.hpp"
#include "cli/run_now.hpp"

namespace ccteams::cli {

namespace asio = boost::asio;

namespace {

std::string trim_slash(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

// The notification keyring belongs to the service (one row), not to an organisation.
constexpr std::string_view kKeyringOwner = "service";

// The stored keyring, or a new one (saved) when there is none or it no longer opens (the
// secret key changed): subscriptions on a lost key are then PATCHed with the new certificate,
// and their notifications read back in bulk meanwhile.
// Called once while the service starts, before the I/O threads run.
Result<graph::NotificationKeyring> load_or_create_keyring(Store& store, const SecretBox& box,
                                                          Timestamp now) {
  const std::string aad = graph::notification_keyring_aad(kKeyringOwner);
  auto sealed = run_now(store.run([](Stores& s) { return s.notification_keys().load_keyring(); }));
  if (!sealed) return std::move(sealed).error();
  if (*sealed) {
    auto opened = graph::NotificationKeyring::open(**sealed, box, aad);
    if (opened) return opened;
    spdlog::error("presence sync: the stored notification key does not open ({}); a new one is "
                  "made and subscriptions are moved to it",
                  opened.error().message);
  }
  auto fresh = graph::NotificationKeyring::generate(now);
  if (!fresh) return fresh;
  auto text = fresh->seal(box, aad);
  if (!text) return std::move(text).error();
  auto saved = run_now(store.run(
      [&text, now](Stores& s) { return s.notification_keys().save_keyring(*text, now); }));
  if (!saved) return std::move(saved).error();
  return fresh;
}

}  // namespace

struct PresenceSyncWiring::Impl {
  bool public_url_given = false;
  NotificationUrls urls;  // from server.public_url; the demo's are made at start()
  std::unique_ptr<SecretBoxSealer> sealer;
  Sha256PkceHasher pkce;
  std::unique_ptr<SyncAccountService> accounts;
  std::unique_ptr<graph::HttpJwksSource> jwks;
  std::unique_ptr<graph::GraphNotificationDecryptor> decryptor;
  std::unique_ptr<PresenceSync> sync;
};

PresenceSyncWiring::PresenceSyncWiring(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PresenceSyncWiring::~PresenceSyncWiring() { stop(); }

Result<std::unique_ptr<PresenceSyncWiring>> PresenceSyncWiring::create(
    const PresenceSyncDeps& deps, http::Router& router) {
  const Config& c = deps.config;
  auto impl = std::make_unique<Impl>();
  const std::string public_url = trim_slash(c.server.public_url);
  impl->public_url_given = !public_url.empty();
  ConnectorService& connector = deps.connector.service();

  impl->sealer = std::make_unique<SecretBoxSealer>(deps.secrets);
  SyncAccountOptions so;
  so.client_id = c.microsoft.client_id;
  so.public_url = public_url;
  impl->accounts = std::make_unique<SyncAccountService>(
      deps.store, deps.connector.graph(), deps.connector.entra_links(), *impl->sealer, impl->pkce,
      deps.tokens, deps.clock, so, connector.active_tenant_lookup(), connector.audit_hook());
  http::register_sync_account_routes(router, deps.auth, *impl->accounts, &deps.ownership);

  const PresenceSyncConfig& pc = c.presence_sync;
  PresenceSyncOptions po;
  po.client_id = c.microsoft.client_id;
  if (impl->public_url_given) {
    impl->urls = NotificationUrls{public_url + std::string(http::kGraphNotificationsPath),
                                  public_url + std::string(http::kGraphLifecyclePath)};
  }
  po.budget.share_percent = pc.budget_share_percent;
  po.poll.target_round = Millis{pc.round_ms};
  po.coalescer.window = Millis{pc.coalesce_ms};
  po.outbound.session_duration = std::chrono::minutes{pc.session_minutes};
  po.watch_refresh = std::chrono::seconds{pc.watch_refresh_seconds};
  po.subscriptions.lifetime = std::chrono::seconds{pc.subscription_seconds};
  po.subscriptions.renew_margin = std::chrono::seconds{pc.renew_before_seconds};
  po.subscription_check = std::chrono::seconds{pc.subscription_check_seconds};
  po.subscription_probe = std::chrono::seconds{pc.subscription_probe_seconds};
  po.max_reads_in_flight = static_cast<std::size_t>(pc.max_reads_in_flight);
  po.max_writes_in_flight = static_cast<std::size_t>(pc.max_writes_in_flight);
  if (auto v = validate(po); !v) return std::move(v).error();
  // Rich notifications: the key pair from the database (sealed with the service key), or a new
  // one saved there; rotated by its policy, each new key saved before it is used.
  auto keyring = load_or_create_keyring(deps.store, deps.secrets, deps.clock.now());
  if (keyring) {
    impl->jwks = std::make_unique<graph::HttpJwksSource>(
        deps.connector.http(), trim_slash(c.microsoft.login_base_url) + "/common/discovery/v2.0/keys");
    graph::NotificationDecryptorOptions dopt;
    dopt.rotation.max_age = std::chrono::seconds{pc.key_rotation_seconds};
    Store& key_store = deps.store;
    const SecretBox& box = deps.secrets;
    const Clock& clock = deps.clock;
    // A rotated keyring is saved on the store's executor; the caller's strand waits, unblocked.
    impl->decryptor = std::make_unique<graph::GraphNotificationDecryptor>(
        std::move(*keyring), *impl->jwks, deps.clock, dopt,
        [&key_store, &box,
         &clock](graph::NotificationKeyring ring) -> boost::asio::awaitable<Result<void>> {
          auto sealed = ring.seal(box, graph::notification_keyring_aad(kKeyringOwner));
          if (!sealed) co_return std::move(sealed).error();
          const Timestamp at = clock.now();
          auto save = [&sealed, at](Stores& s) {
            return s.notification_keys().save_keyring(*sealed, at);
          };
          co_return co_await key_store.run(save);
        });
  } else {
    spdlog::warn("presence sync: no notification key ({}); notifications are read back in bulk",
                 keyring.error().message);
  }
  impl->sync = std::make_unique<PresenceSync>(
      deps.actors, deps.scheduler, connector, deps.contact_center, deps.connector.graph(),
      *impl->accounts, deps.store, deps.tokens, deps.clock, deps.metrics, impl->decryptor.get(),
      std::move(po), deps.ownership);
  http::GraphWebhookOptions webhook_options;
  webhook_options.gate_reload = impl->sync.get();  // another instance may create subscriptions
  http::register_graph_webhook_routes(router, deps.inbox, *impl->sync, deps.clock, deps.metrics,
                                      webhook_options);
  http::register_presence_sync_routes(router, deps.auth, *impl->sync);

  // Sync accounts first: presence sync asks them for tokens while it switches off.
  connector.add_participant(*impl->accounts);
  connector.add_participant(*impl->sync);
  return std::unique_ptr<PresenceSyncWiring>(new PresenceSyncWiring(std::move(impl)));
}

Result<void> PresenceSyncWiring::start(const Listening& at) {
  auto& im = *impl_;
  if (!im.public_url_given) {
    // The demo: plain HTTP on loopback (the emulator posts there; real Graph would refuse it).
    const std::string base = "http://" + at.host + ":" + std::to_string(at.port);
    im.accounts->set_public_url(base);
    im.urls = NotificationUrls{base + std::string(http::kGraphNotificationsPath),
                               base + std::string(http::kGraphLifecyclePath)};
  }
  // Run to completion here, before the I/O threads: the webhook's gate is loaded before it
  // answers. The store resumes this coroutine on the private io_context.
  asio::io_context starting;
  std::optional<Result<void>> started;
  auto body = [&]() -> asio::awaitable<void> {
    started.emplace(co_await im.sync->start(im.urls));
  };
  asio::co_spawn(starting, body, asio::detached);
  starting.run();
  if (!started) return make_error(Errc::internal, "presence sync did not start");
  return std::move(*started);
}

void PresenceSyncWiring::stop() {
  if (impl_->sync) impl_->sync->stop();
}

PresenceSync& PresenceSyncWiring::presence_sync() { return *impl_->sync; }
SyncAccountService& PresenceSyncWiring::sync_accounts() { return *impl_->accounts; }

}  // namespace ccteams::cli
