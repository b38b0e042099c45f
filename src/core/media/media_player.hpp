#pragma once
// What a waiting caller hears (issue 20, "Queue media"): the greeting once, then music on hold
// in a loop, cut into 20 ms frames of 160 samples and encoded for the codec the call
// negotiated. The audio is loaded once and shared by every call's player. Pure.

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "core/media/rtp_stream.hpp"
#include "core/media/wav.hpp"
#include "core/sip/offer_answer.hpp"

namespace ccteams::media {

class MediaPlayer {
 public:
  // Either may be empty (null or no samples): no greeting plays the music at once; no music
  // is silence after the greeting.
  MediaPlayer(std::shared_ptr<const PcmAudio> greeting, std::shared_ptr<const PcmAudio> music);

  // The next 160 samples. The greeting's last frame continues with the music's first samples,
  // and the music wraps around the same way, so there is no gap of silence between them.
  void next_frame(std::span<std::int16_t, kFrameSamples> out);
  bool greeting_done() const { return in_music_; }

 private:
  std::shared_ptr<const PcmAudio> greeting_;
  std::shared_ptr<const PcmAudio> music_;
  bool in_music_ = false;
  std::size_t at_ = 0;  // in the greeting, then in the music
};

// G.711 for the negotiated codec; `out` is resized to the frame's length.
void encode_frame(std::span<const std::int16_t> samples, sip::Codec codec,
                  std::vector<std::uint8_t>& out);
void decode_frame(std::span<const std::uint8_t> payload, sip::Codec codec,
                  std::vector<std::int16_t>& out);

}  // namespace ccteams::media
