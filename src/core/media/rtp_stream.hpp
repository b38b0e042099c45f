#pragma once
// One outgoing RTP stream (RFC 3550 §5.1) fed by sources that come and go: the queue's player,
// then the agent's relayed packets, then music on hold again. The receiver sees one SSRC whose
// sequence numbers run +1 per packet and whose timestamps follow the sampling clock across
// every switch; the first packet after a switch carries the marker bit (RFC 3551 §4.1: a new
// talkspurt), so the receiver's jitter buffer re-syncs instead of counting a gap as loss.
// Pure: the random start values and the time come in as arguments.

#include <cstdint>
#include <optional>

#include "core/sip/rtp.hpp"
#include "core/time.hpp"

namespace ccteams::media {

// G.711 framing (RFC 3551 §4.5.14, §4.2): 8 kHz, 20 ms frames of 160 samples (= 160 bytes).
inline constexpr std::uint32_t kSampleRate = 8000;
inline constexpr std::uint32_t kFrameSamples = 160;
inline constexpr Millis kFrameInterval{20};

// The stream's random start (RFC 3550 §5.1: SSRC, sequence and timestamp start random so that
// known-plaintext attacks and SSRC collisions are unlikely).
struct RtpStreamSeed {
  std::uint32_t ssrc = 0;
  std::uint16_t sequence = 0;
  std::uint32_t timestamp = 0;
};

// Who produced a packet: our own clocked frames (a player; `id` counts its restarts) or a
// relayed peer (`id` is the peer's SSRC). A new SSRC from the same peer is a new source.
struct RtpSource {
  enum class Kind : std::uint8_t { own, relayed };
  Kind kind = Kind::own;
  std::uint32_t id = 0;
  friend bool operator==(const RtpSource&, const RtpSource&) = default;
};

class RtpOutStream {
 public:
  explicit RtpOutStream(RtpStreamSeed seed);

  // The header for a packet that `source` numbered (`in_sequence`, `in_timestamp`, its own
  // marker), sent at `now`. The first packet of a source gets the next sequence number and a
  // timestamp that many sample periods after the previous packet (at least one frame, rounded
  // to whole frames) and the marker; later packets keep the source's own spacing (offsets
  // fixed at its first packet), so an RFC 4733 event's repeated timestamp and a sender's gaps
  // pass through unchanged.
  sip::RtpHeader next(const RtpSource& source, std::uint16_t in_sequence,
                      std::uint32_t in_timestamp, bool in_marker, std::uint8_t payload_type,
                      Timestamp now);

  std::uint32_t ssrc() const { return ssrc_; }
  // The last packet's values (the seed's before the first packet).
  std::uint16_t last_sequence() const { return last_sequence_; }
  std::uint32_t last_timestamp() const { return last_timestamp_; }

 private:
  std::uint32_t ssrc_;
  std::uint16_t last_sequence_;
  std::uint32_t last_timestamp_;
  std::optional<Timestamp> last_sent_at_;
  std::optional<RtpSource> source_;
  std::uint16_t sequence_offset_ = 0;
  std::uint32_t timestamp_offset_ = 0;
};

}  // namespace ccteams::media
