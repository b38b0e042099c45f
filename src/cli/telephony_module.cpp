#include "cli/telephony_module.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/json/parse.hpp>
#include <atomic>
#include <filesystem>
#include <set>

#include "adapters/rtp/queue_audio.hpp"
#include "adapters/rtp/rtp_port_allocator.hpp"
#include "adapters/sip/sip_registrar.hpp"
#include "adapters/sip/sip_server.hpp"
#include "adapters/telephony/sip_call_legs.hpp"
#include "adapters/telephony/trunk_sources.hpp"
#include "app/cc_config_service.hpp"
#include "app/cc_event_hub.hpp"
#include "app/telephony/call_service.hpp"
#include "app/telephony/contact_center_calls.hpp"
#include "app/user_service.hpp"
#include "cli/contact_center_module.hpp"
#include "cli/demo.hpp"
#include "cli/run_now.hpp"
#include "core/sip/sip_credentials.hpp"

namespace ccteams::cli {

namespace fs = std::filesystem;
namespace net = boost::asio;
using telephony::NumberRoute;

namespace {

// The demo queues' numbers: fictional (555) numbers, one per seeded queue, in their order.
constexpr const char* kDemoNumbers[] = {"+15555550101", "+15555550102", "+15555550103"};

// Clock& for the SIP and RTP adapters, which take it non-const, over the runtime's clock.
class ClockRef final : public Clock {
 public:
  explicit ClockRef(const Clock& c) : c_(c) {}
  Timestamp now() const override { return c_.now(); }

 private:
  const Clock& c_;
};

// An empty [media] path: the shipped file, installed by the package, or beside the build.
std::string audio_path(const std::string& configured, const char* shipped) {
  if (!configured.empty()) return configured;
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  std::vector<fs::path> candidates{fs::path("/usr/share/ccteams/audio") / shipped};
  if (!ec) {
    candidates.push_back(exe.parent_path() / ".." / "assets" / "audio" / shipped);
    candidates.push_back(exe.parent_path() / ".." / "share" / "ccteams" / "audio" / shipped);
  }
  candidates.push_back(fs::path("assets") / "audio" / shipped);
  for (const auto& c : candidates) {
    if (fs::exists(c, ec)) return c.lexically_normal().string();
  }
  return candidates.front().string();  // its error names the installed path
}

// A "contact" event's body (adapters/http/api/cc_json.hpp): the contact's id, state and agent.
std::optional<telephony::ContactUpdate> contact_update(const CcEventRecord& record) {
  if (record.type != "contact") return std::nullopt;
  boost::system::error_code ec;
  const auto body = boost::json::parse(record.body, ec);
  if (ec || !body.is_object()) return std::nullopt;
  const auto* contact = body.as_object().if_contains("contact");
  if (contact == nullptr || !contact->is_object()) return std::nullopt;
  const auto& c = contact->as_object();
  const auto* id = c.if_contains("id");
  const auto* state = c.if_contains("state");
  if (id == nullptr || !id->is_int64() || state == nullptr || !state->is_string()) {
    return std::nullopt;
  }
  const auto status = parse_contact_status(state->as_string());
  if (!status) return std::nullopt;
  telephony::ContactUpdate u{record.org, ContactId{id->as_int64()}, *status, std::nullopt};
  if (const auto* agent = c.if_contains("agentId"); agent != nullptr && agent->is_int64()) {
    u.agent = UserId{agent->as_int64()};
  }
  return u;
}

// The agent's extension (SipCallLegs::ring_agent): for now the account's username, which the
// demo registers its phones as (agent1, ...). No admin-managed device per agent yet.
net::awaitable<void> lookup_extension(UserService& users, OrgId org, UserId agent,
                                      std::function<void(std::string)> done) {
  std::string extension;
  try {
    auto account = co_await users.get(org, agent);
    if (account) {
      extension = account->username;
    } else {
      spdlog::warn("telephony: agent {} of org {}: {}", agent.value, org.value,
                   account.error().message);
    }
  } catch (const std::exception& e) {
    spdlog::error("telephony: agent {} of org {}: {}", agent.value, org.value, e.what());
  }
  done(std::move(extension));
}

}  // namespace

struct TelephonyModule::Impl {
  explicit Impl(const TelephonyDeps& d)
      : shared(d.shared), cc(d.contact_center), users(d.users), clock(d.shared.clock) {}
  const SharedServices& shared;
  ContactCenterModule& cc;
  UserService& users;
  ClockRef clock;
  TelephonyInfo info;
  std::unique_ptr<telephony::ContactCenterCalls> contacts;
  std::unique_ptr<telephony::SipCallLegs> legs;
  std::unique_ptr<telephony::CallService> service;
  std::unique_ptr<sip::InMemorySipCredentials> credentials;
  std::unique_ptr<sip::SipRegistrar> registrar;
  std::shared_ptr<sip::SipServer> server;
  std::shared_ptr<rtp::RtpPortAllocator> ports;
  std::vector<CcEventHub::Token> subscriptions;
  std::atomic<bool> stopped{false};

  Result<std::vector<NumberRoute>> numbers();
};

Result<std::vector<NumberRoute>> TelephonyModule::Impl::numbers() {
  const auto& o = shared.options;
  std::vector<NumberRoute> out;
  for (const auto& n : o.config.sip.numbers) {
    out.push_back({n.number, OrgId{n.org}, QueueId{n.queue}});
    info.numbers.push_back({n.number, "org " + std::to_string(n.org) + " queue " +
                                          std::to_string(n.queue)});
  }
  if (!o.demo_sip_port) return out;
  auto org = run_now(users.ensure_org(kDemoOrgName));
  if (!org) return std::move(org).error();
  auto queues = run_now(cc.config().list_queues(org->id));
  if (!queues) return std::move(queues).error();
  std::size_t i = 0;
  for (const auto& q : *queues) {
    if (i == std::size(kDemoNumbers)) break;
    const std::string number = kDemoNumbers[i++];
    if (std::any_of(out.begin(), out.end(), [&](const auto& n) { return n.number == number; })) {
      continue;  // the configuration maps it already
    }
    out.push_back({number, org->id, q.id});
    info.numbers.push_back({number, q.name});
  }
  return out;
}

bool TelephonyModule::wanted(const RuntimeOptions& options) {
  return options.demo_sip_port.has_value() || !options.config.sip.listen.empty();
}

TelephonyModule::TelephonyModule(const TelephonyDeps& deps)
    : impl_(std::make_unique<Impl>(deps)) {}

TelephonyModule::~TelephonyModule() { stop(); }

Result<void> TelephonyModule::start(const Listening&) {
  auto& im = *impl_;
  const auto& o = im.shared.options;
  const auto& media = o.config.media;
  auto audio = rtp::load_queue_audio(audio_path(media.greeting, "greeting.wav"),
                                     audio_path(media.music_on_hold, "music-on-hold.wav"));
  if (!audio) return std::move(audio).error();
  boost::system::error_code ec;
  const auto rtp_address = net::ip::make_address(media.rtp_address, ec);
  if (ec) {
    return make_error(Errc::invalid_input,
                      "media.rtp_address: '" + media.rtp_address + "' is not an IP address");
  }
  im.ports = rtp::RtpPortAllocator::create(rtp_address,
                                           static_cast<std::uint16_t>(media.rtp_port_min),
                                           static_cast<std::uint16_t>(media.rtp_port_max));

  std::vector<telephony::TrunkSourceList> trunks;
  for (const auto& t : o.config.sip.trunks) trunks.push_back({t.name, t.sources});
  if (o.demo_sip_port) trunks.push_back({"demo-loopback", {"127.0.0.1", "::1"}});
  auto sources = telephony::TrunkSources::parse(trunks);
  if (!sources) return std::move(sources).error();
  auto numbers = im.numbers();
  if (!numbers) return std::move(numbers).error();

  // Where SIP listens: [sip] listen, or the demo's loopback port.
  std::string host = "127.0.0.1";
  std::uint16_t port = o.demo_sip_port.value_or(0);
  if (!o.config.sip.listen.empty()) {
    const auto at = parse_host_port(o.config.sip.listen);  // checked with the configuration
    if (!at) return make_error(Errc::invalid_input, "sip.listen: must be host:port");
    host = at->host;
    port = at->port;
  }
  const auto address = net::ip::make_address(host, ec);
  if (ec) return make_error(Errc::invalid_input, "sip.listen: '" + host + "' is not an IP address");

  im.contacts = std::make_unique<telephony::ContactCenterCalls>(im.cc.center());
  im.legs = std::make_unique<telephony::SipCallLegs>(telephony::SipCallLegsDeps{
      im.shared.ioc, im.clock, im.shared.scheduler, im.ports, std::move(*audio),
      std::move(*sources), media.rtp_address,
      [&ioc = im.shared.ioc, &users = im.users](OrgId org, UserId agent,
                                                std::function<void(std::string)> done) {
        net::co_spawn(ioc, lookup_extension(users, org, agent, std::move(done)), net::detached);
      }});
  std::set<OrgId> orgs;
  for (const auto& n : *numbers) orgs.insert(n.org);
  im.service = std::make_unique<telephony::CallService>(std::move(*numbers), *im.legs, *im.contacts);
  im.credentials = std::make_unique<sip::InMemorySipCredentials>("ccteams");
  for (int i = 1; i <= o.demo_agents && o.demo_sip_port; ++i) {
    im.credentials->set_password("agent" + std::to_string(i), o.demo_sip_password);
  }
  im.registrar = std::make_unique<sip::SipRegistrar>(im.clock, *im.credentials);
  im.server = sip::SipServer::create(im.shared.ioc, im.clock, im.shared.scheduler,
                                     sip::default_answer);
  im.legs->attach(*im.service, im.server, im.registrar.get());
  im.server->set_call_handler(im.legs->handler());
  im.server->set_register_handler(im.legs->register_handler());
  auto udp = im.server->start_udp(net::ip::udp::endpoint(address, port));
  if (!udp) return make_error(udp.error().code, "sip.listen " + host + ":" +
                                                    std::to_string(port) + ": " +
                                                    udp.error().message);
  auto tcp = im.server->start_tcp(net::ip::tcp::endpoint(address, udp->port()));
  if (!tcp) return make_error(tcp.error().code, "sip.listen " + host + ":" +
                                                    std::to_string(udp->port()) + " (TCP): " +
                                                    tcp.error().message);
  im.info.host = host;
  im.info.port = udp->port();
  // The contacts of the numbers' organisations, as the contact center publishes them.
  for (OrgId org : orgs) {
    im.subscriptions.push_back(im.cc.events().subscribe(
        CcSubscription{org, std::nullopt, [service = im.service.get()](const CcEventRecord& r) {
                         if (auto u = contact_update(r)) service->contact_changed(*u);
                       }}));
  }
  spdlog::info("telephony: SIP on {}:{} (UDP and TCP), {} number(s), {} trunk(s)", host,
               im.info.port, im.info.numbers.size(), trunks.size());
  return ok();
}

void TelephonyModule::stop() {
  auto& im = *impl_;
  if (im.stopped.exchange(true)) return;
  for (auto token : im.subscriptions) im.cc.events().unsubscribe(token);
  im.subscriptions.clear();
  if (im.server) im.server->stop();
}

const TelephonyInfo& TelephonyModule::info() const { return impl_->info; }

std::size_t TelephonyModule::open_calls() const { return impl_->legs ? impl_->legs->open_legs() : 0; }
std::size_t TelephonyModule::rtp_ports_in_use() const {
  return impl_->ports ? impl_->ports->in_use() : 0;
}
std::size_t TelephonyModule::live_calls() const {
  return impl_->service ? impl_->service->counts().live : 0;
}

}  // namespace ccteams::cli
