#pragma once
// A conference of 2-8 RTP sessions (issue 20, part 8): what each party says is decoded (its
// leg's codec, any packet size) into the mixer (core/media/mixer); each party's session plays
// the mix of the OTHER parties on its own clock (RtpSession::play, the same way it plays the
// queue's music), encoded with its leg's codec and payload type, on its own continuous SSRC.
// RFC 4733 events from one party go to every other party that negotiated telephone-event
// (telephone_events.hpp, as RtpRelay does); while an event goes out to a party its mix is
// paused (one stream cannot interleave the event's repeated timestamp with audio frames) and
// resumes kEventHold after the last event packet, with what the mixer had queued for it
// dropped, so no delay builds up.
//
// With two parties left the conference still works (each hears the other), but the app should
// switch back to RtpRelay: the relay forwards on arrival, without the mixer's 20 ms playout
// tick, its up to 60 ms of queueing and a decode/encode per packet; the streams stay continuous
// across the switch (core/media/rtp_stream).
//
// Thread-safety: all sessions are on `strand`; construct, add, remove, stop and destroy there.

#include <cstdint>
#include <memory>
#include <vector>

#include "adapters/rtp/rtp_session.hpp"
#include "app/ports/clock.hpp"
#include "app/ports/scheduler.hpp"
#include "core/media/mixer.hpp"
#include "core/result.hpp"

namespace ccteams::rtp {

struct RtpConferenceStats {
  std::uint64_t mixed = 0;           // audio packets decoded into the mixer
  std::uint64_t events = 0;          // RFC 4733 packets sent to another party
  std::uint64_t dropped_events = 0;  // toward a party that takes no telephone-events
};

class RtpConference {
 public:
  static constexpr Millis kEventHold{120};  // RFC 4733 §2.5.1.2 updates come every 50 ms

  // Mixing starts with the first add(); sessions must be on `strand`.
  RtpConference(Strand strand, Clock& clock, Scheduler& scheduler);
  ~RtpConference();  // stop()
  RtpConference(const RtpConference&) = delete;
  RtpConference& operator=(const RtpConference&) = delete;

  // Joins `session` at once: its received audio goes into the mix, and it plays the others'
  // mix from now on (replacing its packet receiver and what it played). Errors: invalid_input
  // when it is already in, conflict when 8 parties are; nothing changes then.
  Result<void> add(std::shared_ptr<RtpSession> session);
  // The party stops being heard and stops hearing (its session plays nothing, receives for no
  // one); the session stays open for the app. Unknown sessions are ignored.
  void remove(const std::shared_ptr<RtpSession>& session);
  std::size_t size() const;
  // Removes every party.
  void stop();

  const RtpConferenceStats& stats() const;
  const media::MixerStats& mixer_stats() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace ccteams::rtp
