#include "core/media/media_player.hpp"

#include <algorithm>

#include "core/sip/g711.hpp"

namespace ccteams::media {
namespace {

bool empty(const std::shared_ptr<const PcmAudio>& a) { return !a || a->samples.empty(); }

}  // namespace

MediaPlayer::MediaPlayer(std::shared_ptr<const PcmAudio> greeting,
                         std::shared_ptr<const PcmAudio> music)
    : greeting_(std::move(greeting)), music_(std::move(music)), in_music_(empty(greeting_)) {}

void MediaPlayer::next_frame(std::span<std::int16_t, kFrameSamples> out) {
  std::size_t filled = 0;
  while (filled < out.size()) {
    if (in_music_ && empty(music_)) {
      std::fill(out.begin() + static_cast<std::ptrdiff_t>(filled), out.end(), std::int16_t{0});
      return;
    }
    const auto& source = in_music_ ? music_->samples : greeting_->samples;
    const std::size_t n = std::min(out.size() - filled, source.size() - at_);
    std::copy_n(source.begin() + static_cast<std::ptrdiff_t>(at_), n,
                out.begin() + static_cast<std::ptrdiff_t>(filled));
    filled += n;
    at_ += n;
    if (at_ == source.size()) {
      in_music_ = true;  // after the greeting, and again after each round of music
      at_ = 0;
    }
  }
}

void encode_frame(std::span<const std::int16_t> samples, sip::Codec codec,
                  std::vector<std::uint8_t>& out) {
  if (codec == sip::Codec::pcmu) {
    sip::encode_ulaw(samples, out);
  } else {
    sip::encode_alaw(samples, out);
  }
}

void decode_frame(std::span<const std::uint8_t> payload, sip::Codec codec,
                  std::vector<std::int16_t>& out) {
  if (codec == sip::Codec::pcmu) {
    sip::decode_ulaw(payload, out);
  } else {
    sip::decode_alaw(payload, out);
  }
}

}  // namespace ccteams::media
