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
    net::post(leg->strand, [leg] { leg->session->close(); });
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
    for (const auto& b : registrar_->bindings(in.from_user)) {
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

void SipCallLegs::ring_agent(const CallKey& call, OrgId org, UserId agent, const std::string&) {
  // The seam for SipServer::place_call (part 6): dial the agent's registered extension
  // (SipRegistrar::bindings) or number through a trunk, then report device_answered /
  // device_failed / device_hung_up to the service. Until then the offer rings on the desktop.
  spdlog::info("telephony: call {} offered to agent {} of org {}; agents' devices are not dialled "
               "yet (the desktop rings)",
               call, agent.value, org.value);
}

void SipCallLegs::cancel_agent(const CallKey&, UserId) {}

void SipCallLegs::bridge(const CallKey&, UserId) {}

void SipCallLegs::release_media(const CallKey& call) {
  std::shared_ptr<Leg> leg;
  {
    std::lock_guard lock(mu_);
    const auto it = legs_.find(call);
    if (it == legs_.end()) return;
    leg = std::move(it->second);
    legs_.erase(it);
  }
  net::post(leg->strand, [leg] { leg->session->close(); });
}

}  // namespace ccteams::telephony
