#pragma once
// Conference mixing (issue 20: "conference mixes three parties (decode, mix, encode)"): up to 8
// parties, each with a small queue of its decoded audio, and ONE playout clock that ticks every
// 20 ms. On each tick every party gives one 160-sample frame (what it has queued, silence for
// what it has not) and every party receives the sum of the OTHER parties' frames (an N-1 mix:
// nobody hears themselves), summed in int32 and saturated to int16 (never wrapped).
//
// Jitter rule: a party's input is a queue of samples, so any packet size (20 ms, SIPp's 30 ms)
// fits; it holds at most kMaxQueuedFrames frames (60 ms) and on overflow the OLDEST samples
// are dropped (a burst after a stall, or a sender whose clock runs fast, costs audio, never a
// growing delay). A party whose queue is short or empty at a tick contributes what it has and
// silence for the rest: a party that sent nothing lately is silence. Each party's mixed frames
// wait in an output queue of the same bound (oldest dropped) until its sender pulls them, so a
// sender that wakes late takes its frames in one burst.
//
// Pure: the time comes in as an argument. Not thread-safe (the conference's strand owns it).

#include <compare>
#include <cstdint>
#include <deque>
#include <span>
#include <vector>

#include "core/media/rtp_stream.hpp"
#include "core/result.hpp"
#include "core/time.hpp"

namespace ccteams::media {

struct MixPartyId {
  std::uint32_t value = 0;
  friend auto operator<=>(const MixPartyId&, const MixPartyId&) = default;
};

struct MixerStats {
  std::uint64_t ticks = 0;
  std::uint64_t ticks_skipped = 0;     // the clock woke more than kMaxQueuedFrames late
  std::uint64_t samples_dropped = 0;   // input overflow (oldest dropped)
  std::uint64_t samples_missing = 0;   // a tick found less than a frame queued (silence)
  std::uint64_t frames_dropped = 0;    // output overflow: a party did not pull its mix
};

class Mixer {
 public:
  static constexpr std::size_t kMaxParties = 8;
  static constexpr std::size_t kMaxQueuedFrames = 3;

  // Tick k runs at start + k·20 ms, the first at `start`.
  explicit Mixer(Timestamp start);

  // Errors: invalid_input when the party is already in; conflict when kMaxParties are.
  Result<void> add(MixPartyId id);
  // Drops the party and what it had queued; unknown ids are ignored.
  void remove(MixPartyId id);
  bool contains(MixPartyId id) const;
  std::size_t size() const { return parties_.size(); }

  // Decoded audio received from `id` (any length); ignored for unknown ids.
  void push(MixPartyId id, std::span<const std::int16_t> samples);
  // Runs every tick due by `now`; more than kMaxQueuedFrames behind, the oldest are skipped.
  void advance_to(Timestamp now);
  // advance_to(now), then the oldest queued mix for `id` into `out`; silence when none is
  // queued or the party is unknown.
  void pull(MixPartyId id, Timestamp now, std::span<std::int16_t, kFrameSamples> out);
  // Forgets the mixes queued for `id` (its sender paused; what waited is stale).
  void clear_output(MixPartyId id);

  const MixerStats& stats() const { return stats_; }

 private:
  using Frame = std::vector<std::int16_t>;  // kFrameSamples
  struct Party {
    MixPartyId id;
    std::deque<std::int16_t> in;
    std::deque<Frame> out;
    Frame current = Frame(kFrameSamples);
  };
  Party* find(MixPartyId id);
  void tick();

  Timestamp start_;
  std::uint64_t ticks_done_ = 0;
  std::vector<Party> parties_;
  std::vector<std::int32_t> sum_ = std::vector<std::int32_t>(kFrameSamples);
  MixerStats stats_;
};

}  // namespace ccteams::media
