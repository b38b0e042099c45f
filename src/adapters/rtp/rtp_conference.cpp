#include "adapters/rtp/rtp_conference.hpp"

#include <algorithm>

#include <boost/asio/post.hpp>

#include "adapters/rtp/telephone_events.hpp"
#include "core/media/media_player.hpp"

namespace ccteams::rtp {

struct RtpConference::State : std::enable_shared_from_this<State> {
  struct Party {
    media::MixPartyId id;
    std::weak_ptr<RtpSession> session;
    std::unique_ptr<TimerHandle> resume;  // the mix paused for an event comes back then
  };

  State(Strand s, Clock& c, Scheduler& sch) : strand(std::move(s)), clock(c), scheduler(sch),
                                              mixer(c.now()) {}

  Party* find(media::MixPartyId id) {
    auto it = std::find_if(parties.begin(), parties.end(),
                           [&](const Party& p) { return p.id == id; });
    return it == parties.end() ? nullptr : &*it;
  }

  // The party's mix, pulled on its session's clock.
  FrameSource source_for(media::MixPartyId id) {
    // The session holds its source: a weak reference, no cycle through the session.
    return [weak = weak_from_this(), id](std::span<std::int16_t, media::kFrameSamples> out) {
      if (auto self = weak.lock()) {
        self->mixer.pull(id, self->clock.now(), out);
      } else {
        std::fill(out.begin(), out.end(), std::int16_t{0});
      }
    };
  }

  void on_packet(media::MixPartyId from_id, const sip::RtpPacket& packet) {
    Party* from = find(from_id);
    auto in = from ? from->session.lock() : nullptr;
    if (!in) return;
    if (!is_telephone_event(*in, packet)) {
      media::decode_frame(packet.payload, in->media().codec, linear);
      mixer.push(from_id, linear);
      ++stats.mixed;
      return;
    }
    for (Party& to : parties) {
      if (to.id == from_id) continue;
      auto out = to.session.lock();
      if (!out) continue;
      if (!relay_telephone_event(*out, packet)) {
        ++stats.dropped_events;
        continue;
      }
      ++stats.events;
      schedule_resume(to);
    }
  }

  void schedule_resume(Party& party) {
    const auto id = party.id;
    party.resume = scheduler.schedule(
        clock.now() + kEventHold, [weak = weak_from_this(), strand = strand, id] {
          // The scheduler runs callbacks on its own thread: the conference is ours on the strand.
          boost::asio::post(strand, [weak, id] {
            if (auto self = weak.lock()) self->resume(id);
          });
        });
  }

  void resume(media::MixPartyId id) {
    Party* party = find(id);
    auto session = party ? party->session.lock() : nullptr;
    if (!session || session->playing()) return;
    // What waited while the event played is stale: it would be heard late for the whole call.
    mixer.clear_output(id);
    session->play(source_for(id));
  }

  Strand strand;
  Clock& clock;
  Scheduler& scheduler;
  media::Mixer mixer;
  std::vector<Party> parties;
  std::uint32_t next_id = 0;
  std::vector<std::int16_t> linear;
  RtpConferenceStats stats;
};

RtpConference::RtpConference(Strand strand, Clock& clock, Scheduler& scheduler)
    : state_(std::make_shared<State>(std::move(strand), clock, scheduler)) {}

RtpConference::~RtpConference() { stop(); }

Result<void> RtpConference::add(std::shared_ptr<RtpSession> session) {
  auto& s = *state_;
  const bool already = std::any_of(s.parties.begin(), s.parties.end(), [&](const auto& p) {
    return p.session.lock() == session;
  });
  if (already) {
    return make_error(Errc::invalid_input, "this RTP session is already in the conference");
  }
  const media::MixPartyId id{s.next_id};
  if (auto added = s.mixer.add(id); !added) return added;
  ++s.next_id;
  s.parties.push_back({.id = id, .session = session, .resume = nullptr});
  // The receiver holds the state, not the session (as RtpRelay's do).
  session->on_packet([state = state_, id](const sip::RtpPacket& p) { state->on_packet(id, p); });
  session->play(s.source_for(id));
  return ok();
}

void RtpConference::remove(const std::shared_ptr<RtpSession>& session) {
  auto& s = *state_;
  auto it = std::find_if(s.parties.begin(), s.parties.end(),
                         [&](const auto& p) { return p.session.lock() == session; });
  if (it == s.parties.end()) return;
  if (session) {
    session->on_packet(nullptr);
    session->stop_playing();
  }
  s.mixer.remove(it->id);
  s.parties.erase(it);  // cancels its resume timer
}

std::size_t RtpConference::size() const { return state_->parties.size(); }

void RtpConference::stop() {
  auto& s = *state_;
  for (auto& p : s.parties) {
    if (auto session = p.session.lock()) {
      session->on_packet(nullptr);
      session->stop_playing();
    }
    s.mixer.remove(p.id);
  }
  s.parties.clear();
}

const RtpConferenceStats& RtpConference::stats() const { return state_->stats; }
const media::MixerStats& RtpConference::mixer_stats() const { return state_->mixer.stats(); }

}  // namespace ccteams::rtp
