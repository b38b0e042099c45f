#include "core/media/rtp_stream.hpp"

#include <algorithm>

namespace ccteams::media {

RtpOutStream::RtpOutStream(RtpStreamSeed seed)
    : ssrc_(seed.ssrc), last_sequence_(seed.sequence), last_timestamp_(seed.timestamp) {}

sip::RtpHeader RtpOutStream::next(const RtpSource& source, std::uint16_t in_sequence,
                                  std::uint32_t in_timestamp, bool in_marker,
                                  std::uint8_t payload_type, Timestamp now) {
  sip::RtpHeader h;
  h.payload_type = payload_type;
  h.ssrc = ssrc_;
  h.marker = in_marker;
  if (source_ != source) {
    // The seed is the first packet's values themselves; after that, the first packet of a new
    // source follows the previous one by the time that passed, in whole frames.
    std::uint16_t sequence = last_sequence_;
    std::uint32_t timestamp = last_timestamp_;
    if (last_sent_at_) {
      const auto frames = std::max<std::int64_t>(1, (now - *last_sent_at_) / kFrameInterval);
      sequence = static_cast<std::uint16_t>(last_sequence_ + 1);
      timestamp = last_timestamp_ + static_cast<std::uint32_t>(frames) * kFrameSamples;
    }
    sequence_offset_ = static_cast<std::uint16_t>(sequence - in_sequence);
    timestamp_offset_ = timestamp - in_timestamp;
    source_ = source;
    h.marker = true;
  }
  // Unsigned arithmetic wraps modulo 2^16 and 2^32, as RTP's fields do.
  h.sequence = static_cast<std::uint16_t>(in_sequence + sequence_offset_);
  h.timestamp = in_timestamp + timestamp_offset_;
  last_sequence_ = h.sequence;
  last_timestamp_ = h.timestamp;
  last_sent_at_ = now;
  return h;
}

}  // namespace ccteams::media
