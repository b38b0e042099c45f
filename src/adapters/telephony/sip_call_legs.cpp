#include "adapters/telephony/sip_call_legs.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>

#include "core/media/media_player.hpp"
#include "core/sip/sdp.hpp"

namespace ccteams::telephony {

namespace net = boost::asio;

CallKey call_key(const sip::DialogId& id) {
  return id.call_id + ";" + id.local_tag + ";" + id.remote_tag;
}

namespace {

std::string uri_user(std::string_view name_addr) {
  auto addr = sip::parse_name_addr(name_addr);
  if (!addr) return {};
  auto uri = sip::parse_sip_uri(addr->uri);
  return uri ? uri->user : std::string();
}

// Where the INVITE came from: the top Via's received (the server stamps it, RFC 3261
// §18.2.1, RFC 3581) or, when the sent-by was already the source, the sent-by host.
std::optional<net::ip::address> source_of(const sip::SipMessage& invite) {
  const auto top = invite.header("Via");
  if (!top) return std::nullopt;
  auto via = sip::parse_via(*top);
  if (!via) return std::nullopt;
  std::string host(via->received().value_or(via->sent_by.host));
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  boost::system::error_code ec;
  auto address = net::ip::make_address(host, ec);
  if (ec) return std::nullopt;
  return address;
}

}  // namespace

SipCallLegs::SipCallLegs(SipCallLegsDeps deps) : deps_(std::move(deps)) {}

SipCallLegs::~SipCallLegs() {
  std::map<CallKey, std::shared_ptr<Leg>> legs;
  {
    std::lock_guard lock(mu_);
    legs.swap(legs_);
  }
  for (auto& [_, leg] : legs) {
    auto agent = leg->agent;
    net::post(leg->strand, [leg, agent] {
      if (agent && agent->relay) agent->relay->stop();
      if (agent && agent->session) agent->session->close();
      leg->session->close();
    });
  }
}

void SipCallLegs::attach(CallService& service, std::shared_ptr<sip::SipServer> server,
                         sip::SipRegistrar* registrar) {
  service_ = &service;
  server_ = std::move(server);
  registrar_ = registrar;
}

sip::CallHandler SipCallLegs::handler() {
  sip::CallHandler h;
  h.on_invite = [this](const sip::SipMessage& invite, const sip::DialogId& id) {
    return on_invite(invite, id);
  };
  h.on_end = [this](const sip::DialogId& id, sip::CallEnd) {
    service_->caller_hung_up(call_key(id));
  };
  return h;
}

sip::InviteDecision SipCallLegs::on_invite(const sip::SipMessage& invite, const sip::DialogId& id) {
  sip::InviteDecision reject;
  reject.kind = sip::InviteDecision::Kind::reject;
  const auto from = source_of(invite);
  IncomingInvite in;
  if (from) in.trunk = deps_.trunks.trunk_of(*from);
  in.from_user = uri_user(invite.header("From").value_or(""));
  if (auto uri = sip::parse_sip_uri(invite.request_uri)) in.dialled = uri->user;
  if (!in.trunk && from && registrar_ != nullptr && !in.from_user.empty()) {
    // A registered phone calling from where it registered (an agent testing a queue).
    for (const auto& b : bindings(in.from_user)) {
      boost::system::error_code ec;
      if (net::ip::make_address(b.source.address, ec) == *from && !ec) {
        in.from_registered_phone = true;
      }
    }
  }
  // The port before the decision: the SDP answer goes out with the 180 (SipServer).
  auto strand = net::make_strand(deps_.io);
  auto port = deps_.ports->open(strand);
  sip::MediaConfig media;
  media.address = deps_.media_address;
  std::optional<sip::NegotiatedAudio> audio;
  if (port) {
    media.port = port->port();
    if (auto offer = sip::parse_sdp(invite.body)) {
      if (auto answer = sip::answer_offer(*offer, media, sip::SdpOrigin{})) audio = answer->audio;
    }
  }
  const CallKey key = call_key(id);
  if (!audio) {
    // No port (503), or no acceptable offer: the server answers 488 itself from `media`.
    if (!port) {
      spdlog::warn("telephony: INVITE {} refused: {}", key, port.error().message);
      reject.status = 503;
      return reject;
    }
    sip::InviteDecision ring;
    ring.kind = sip::InviteDecision::Kind::reject;
    ring.status = 488;
    return ring;
  }
  rtp::RtpLegMedia leg_media;
  leg_media.codec = audio->codec;
  leg_media.payload_type = static_cast<std::uint8_t>(audio->payload_type);
  if (audio->telephone_event_payload_type) {
    leg_media.telephone_event_payload_type =
        static_cast<std::uint8_t>(*audio->telephone_event_payload_type);
  }
  auto leg = std::make_shared<Leg>(Leg{id, invite, strand, nullptr, *audio});
  leg->session = rtp::RtpSession::create(strand, deps_.clock, deps_.scheduler,
                                         std::move(*port), leg_media);
  {
    std::lock_guard lock(mu_);
    legs_[key] = leg;
  }
  const RouteDecision decision = service_->incoming(key, in);
  if (const auto* refused = std::get_if<RefuseCall>(&decision)) {
    spdlog::info("telephony: INVITE to '{}' from {} refused {} {}", in.dialled,
                 from ? from->to_string() : std::string("?"), refused->status, refused->reason);
    release_media(key);
    reject.status = refused->status;
    return reject;
  }
  const auto& route = std::get<RouteToQueue>(decision);
  spdlog::info("telephony: call {} from {} to {} (trunk {}) queued in org {} queue {}", key,
               route.caller, route.number, in.trunk.value_or("-"), route.org.value,
               route.queue.value);
  sip::InviteDecision ring;
  ring.kind = sip::InviteDecision::Kind::ring;
  ring.media = media;
  return ring;
}

std::shared_ptr<SipCallLegs::Leg> SipCallLegs::find(const CallKey& call) const {
  std::lock_guard lock(mu_);
  const auto it = legs_.find(call);
  return it == legs_.end() ? nullptr : it->second;
}

std::size_t SipCallLegs::open_legs() const {
  std::lock_guard lock(mu_);
  return legs_.size();
}

void SipCallLegs::answer_caller(const CallKey& call) {
  auto leg = find(call);
  if (!leg) return;
  server_->answer_call(leg->id);
  boost::system::error_code ec;
  const auto address = net::ip::make_address(leg->audio.remote_address, ec);
  if (ec) return;  // no usable c=: we send once latched to the caller's first packet
  const net::ip::udp::endpoint remote(address, leg->audio.remote_port);
  net::post(leg->strand, [leg, remote] { leg->session->set_remote(remote); });
}

void SipCallLegs::reject_caller(const CallKey& call, int status, const std::string& reason) {
  auto leg = find(call);
  if (!leg) return;
  spdlog::info("telephony: call {} refused {} {}", call, status, reason);
  server_->reject_call(leg->id, status);
}

void SipCallLegs::hang_up_caller(const CallKey& call) {
  auto leg = find(call);
  if (!leg) return;
  // BYE in the dialog (RFC 3261 §15.1.1), over the transport the INVITE came on; the server
  // tells nobody, the call service asked.
  server_->hang_up(leg->id);
}

void SipCallLegs::play_queue_audio(const CallKey& call) {
  auto leg = find(call);
  if (!leg) return;
  auto player = std::make_shared<media::MediaPlayer>(deps_.audio.greeting, deps_.audio.music_on_hold);
  net::post(leg->strand, [leg, player] {
    leg->session->play([player](std::span<std::int16_t, media::kFrameSamples> out) {
      player->next_frame(out);
    });
  });
}

void SipCallLegs::ring_agent(const CallKey& call, OrgId org, UserId agent,
                             const std::string& caller) {
  auto leg = find(call);
  if (!leg) return;
  drop_agent(leg, nullptr, true);  // a previous agent's leg (the machine cancels it first)
  auto agent_leg = std::make_shared<AgentLeg>();
  agent_leg->agent = agent;
  {
    std::lock_guard lock(mu_);
    leg->agent = agent_leg;
  }
  if (!deps_.extension_of || registrar_ == nullptr) {
    spdlog::info("telephony: call {} offered to agent {} of org {}; agents' devices are not "
                 "dialled (the desktop rings)",
                 call, agent.value, org.value);
    dial(call, std::move(agent_leg), caller, std::string());
    return;
  }
  deps_.extension_of(org, agent, [this, call, agent_leg, caller](std::string extension) {
    dial(call, agent_leg, caller, std::move(extension));
  });
}

std::vector<sip::Binding> SipCallLegs::bindings(const std::string& extension) {
  if (registrar_ == nullptr || extension.empty()) return {};
  std::lock_guard lock(registrar_mu_);
  return registrar_->bindings(extension);
}

sip::RegisterHandler SipCallLegs::register_handler() {
  return [this, inner = registrar_->handler()](const sip::SipMessage& request,
                                               const sip::BindingSource& source,
                                               std::string_view to_tag) {
    std::lock_guard lock(registrar_mu_);
    return inner(request, source, to_tag);
  };
}

bool SipCallLegs::current(const CallKey& call, const std::shared_ptr<AgentLeg>& agent) const {
  const auto it = legs_.find(call);
  return it != legs_.end() && it->second->agent == agent && !agent->gone;
}

void SipCallLegs::dial(const CallKey& call, std::shared_ptr<AgentLeg> agent, std::string caller,
                       std::string extension) {
  auto leg = find(call);
  {
    std::lock_guard lock(mu_);
    if (!leg || !current(call, agent)) return;  // cancelled or ended meanwhile
  }
  const UserId who = agent->agent;
  const auto found = bindings(extension);
  auto port = found.empty() ? Result<rtp::RtpPort>(make_error(Errc::unavailable, "no device"))
                            : deps_.ports->open(leg->strand);
  boost::system::error_code ec;
  const auto address =
      found.empty() ? net::ip::address() : net::ip::make_address(found.front().source.address, ec);
  if (found.empty() || !port || ec) {
    // The offer rings on the desktop only (accept there, or RONA), as before phones were
    // dialled.
    if (found.empty()) {
      spdlog::info("telephony: call {}: agent {} has no registered extension ('{}'); the "
                   "desktop rings only",
                   call, who.value, extension);
    } else {
      spdlog::warn("telephony: call {}: agent {}'s extension '{}' not dialled: {}; the desktop "
                   "rings only",
                   call, who.value, extension, port ? ec.message() : port.error().message);
    }
    return;
  }
  const sip::Binding& binding = found.front();
  sip::OutgoingCall out;
  out.request_uri = binding.contact.uri;
  out.to_uri = "sip:" + extension + "@" + deps_.media_address;
  out.from_uri = "sip:" + (caller.empty() ? std::string("anonymous") : caller) + "@" +
                 deps_.media_address;
  out.destination = net::ip::udp::endpoint(address, binding.source.port);
  out.over_tcp = binding.source.transport == "TCP";
  out.media.address = deps_.media_address;
  out.media.port = port->port();
  {
    std::lock_guard lock(mu_);
    agent->port.emplace(std::move(*port));
  }

  sip::OutgoingCallHandler h;
  h.on_answered = [this, call, agent, leg](const std::string&, const sip::NegotiatedAudio& audio) {
    {
      std::lock_guard lock(mu_);
      if (!current(call, agent) || !agent->port) return;
      rtp::RtpLegMedia media;
      media.codec = audio.codec;
      media.payload_type = static_cast<std::uint8_t>(audio.payload_type);
      if (audio.telephone_event_payload_type) {
        media.telephone_event_payload_type =
            static_cast<std::uint8_t>(*audio.telephone_event_payload_type);
      }
      agent->session = rtp::RtpSession::create(leg->strand, deps_.clock, deps_.scheduler,
                                               std::move(*agent->port), media);
      agent->port.reset();
    }
    boost::system::error_code bad;
    const auto remote_address = net::ip::make_address(audio.remote_address, bad);
    if (!bad) {
      const net::ip::udp::endpoint remote(remote_address, audio.remote_port);
      net::post(leg->strand, [agent, remote] { agent->session->set_remote(remote); });
    }
    spdlog::info("telephony: call {}: agent {}'s device answered", call, agent->agent.value);
    service_->device_answered(call, agent->agent);
  };
  h.on_failed = [this, call, agent, leg](const std::string&, int status) {
    {
      std::lock_guard lock(mu_);
      if (!current(call, agent)) return;  // we cancelled it
    }
    spdlog::info("telephony: call {}: agent {}'s device did not answer ({})", call,
                 agent->agent.value, status);
    drop_agent(leg, agent.get(), false);
    service_->device_failed(call, agent->agent);
  };
  h.on_end = [this, call, agent, leg](const std::string&, sip::CallEnd) {
    {
      std::lock_guard lock(mu_);
      if (!current(call, agent)) return;
    }
    spdlog::info("telephony: call {}: agent {}'s device hung up", call, agent->agent.value);
    drop_agent(leg, agent.get(), false);
    service_->device_hung_up(call, agent->agent);
  };
  spdlog::info("telephony: call {}: ringing agent {} at {} ({} {}:{})", call, who.value,
               out.request_uri, binding.source.transport, binding.source.address,
               binding.source.port);
  const std::string handle = server_->place_call(std::move(out), std::move(h));
  bool cancelled = false;
  {
    std::lock_guard lock(mu_);
    agent->handle = handle;
    cancelled = agent->gone;
  }
  if (cancelled) server_->cancel_call(handle);  // cancel_agent came while we placed it
}

void SipCallLegs::drop_agent(const std::shared_ptr<Leg>& leg, const AgentLeg* only,
                             bool hang_up) {
  std::shared_ptr<AgentLeg> agent;
  std::string handle;
  {
    std::lock_guard lock(mu_);
    if (!leg->agent || (only != nullptr && leg->agent.get() != only)) return;
    agent = std::move(leg->agent);
    leg->agent.reset();
    agent->gone = true;
    handle = agent->handle;
  }
  // Not placed yet: dial() cancels it once place_call returns.
  if (hang_up && !handle.empty()) server_->cancel_call(handle);
  net::post(leg->strand, [agent] {
    if (agent->relay) agent->relay->stop();
    agent->relay.reset();
    if (agent->session) agent->session->close();
    if (agent->port) agent->port->close();
  });
}

void SipCallLegs::cancel_agent(const CallKey& call, UserId agent) {
  auto leg = find(call);
  if (!leg) return;
  {
    std::lock_guard lock(mu_);
    if (!leg->agent || leg->agent->agent != agent) return;
  }
  drop_agent(leg, nullptr, true);
}

void SipCallLegs::bridge(const CallKey& call, UserId agent) {
  auto leg = find(call);
  if (!leg) return;
  std::shared_ptr<AgentLeg> a;
  {
    std::lock_guard lock(mu_);
    if (leg->agent && leg->agent->agent == agent && leg->agent->session) a = leg->agent;
  }
  if (!a) {
    spdlog::warn("telephony: call {}: no answered device of agent {} to bridge", call,
                 agent.value);
    return;
  }
  // The caller hears the music until the agent's first packet (RtpRelay).
  net::post(leg->strand, [this, leg, a] {
    {
      std::lock_guard lock(mu_);
      if (a->gone) return;  // dropped meanwhile: its session is closed
    }
    if (a->relay) return;
    a->relay = std::make_shared<rtp::RtpRelay>(leg->session, a->session);
  });
  spdlog::info("telephony: call {} bridged to agent {}", call, agent.value);
}

void SipCallLegs::release_media(const CallKey& call) {
  std::shared_ptr<Leg> leg;
  {
    std::lock_guard lock(mu_);
    const auto it = legs_.find(call);
    if (it == legs_.end()) return;
    leg = std::move(it->second);
    legs_.erase(it);
  }
  drop_agent(leg, nullptr, true);  // the agent's leg goes with the call
  net::post(leg->strand, [leg] { leg->session->close(); });
}

}  // namespace ccteams::telephony
