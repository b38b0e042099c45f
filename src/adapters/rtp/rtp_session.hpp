#pragma once
// One RTP endpoint of a call leg (RFC 3550) on Asio: a local port, the peer it sends to, and
// one outgoing stream whose timing comes from ONE clock per session. Our own frames (the
// queue's greeting and music, a test tone) go out at start + n·20 ms, deadlines asked of the
// Scheduler port, so waits never accumulate drift and simulated time drives it in tests; a late
// wake sends what is due, at most kMaxBurst frames, and skips the rest (the timestamp jumps as
// if they were lost) rather than flooding the peer. Relayed packets (rtp_relay) go out at once
// on the same stream, so the peer sees one continuous SSRC (core/media/rtp_stream).
//
// Receiving is symmetric RTP with latching (RFC 4961, RFC 7362): we send to the SDP address
// until the first valid RTP packet arrives, then to where that came from; after that, packets
// from any other address are dropped and counted (hijacking, stray streams), as are datagrams
// that are not valid RTP or carry a payload type the leg did not negotiate.
//
// Thread-safety: every member function runs on the session's strand (the call's strand, which
// a relay's two sessions share); stats() too, or while the io_context is not running.

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/strand.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "adapters/rtp/rtp_port_allocator.hpp"
#include "app/ports/clock.hpp"
#include "app/ports/scheduler.hpp"
#include "core/media/rtp_stream.hpp"
#include "core/sip/offer_answer.hpp"
#include "core/sip/rtp.hpp"

namespace ccteams::rtp {

using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;

// Fills one 20 ms frame of linear samples (a MediaPlayer, a tone generator).
using FrameSource = std::function<void(std::span<std::int16_t, media::kFrameSamples>)>;

struct RtpSessionStats {
  std::uint64_t sent = 0;
  std::uint64_t received = 0;
  std::uint64_t dropped_foreign = 0;    // from another address after latching
  std::uint64_t dropped_malformed = 0;  // not RTP (parse_rtp refused it)
  std::uint64_t dropped_payload_type = 0;  // a payload type this leg did not negotiate
  std::uint64_t frames_skipped = 0;     // our own frames the clock was too late for
  std::uint64_t send_errors = 0;        // the socket refused (would block, unreachable)
};

// What the leg negotiated (offer_answer's NegotiatedAudio, in RTP terms).
struct RtpLegMedia {
  sip::Codec codec = sip::Codec::pcmu;
  std::uint8_t payload_type = 0;
  std::optional<std::uint8_t> telephone_event_payload_type;
};

class RtpSession : public std::enable_shared_from_this<RtpSession> {
 public:
  static constexpr int kMaxBurst = 3;

  // `port`'s socket must have been opened on `strand`. Starts receiving.
  static std::shared_ptr<RtpSession> create(Strand strand, Clock& clock, Scheduler& scheduler,
                                            RtpPort port, RtpLegMedia media);
  ~RtpSession();

  boost::asio::ip::udp::endpoint local_endpoint() const;
  const RtpLegMedia& media() const { return media_; }
  // The SDP's c= and m= port: where we send until a packet latches us elsewhere.
  void set_remote(const boost::asio::ip::udp::endpoint& sdp_address);
  std::optional<boost::asio::ip::udp::endpoint> remote() const { return remote_; }
  bool latched() const { return latched_; }

  // Each valid packet from the peer (after latching and payload type checks); the payload
  // points into the receive buffer, valid during the call only. One receiver; empty to clear.
  void on_packet(std::function<void(const sip::RtpPacket&)> receiver);

  // Our own frames from `source`, from now on the session's clock: frame n at now + n·20 ms.
  // Replaces what played before (a new source for the stream: marker bit).
  void play(FrameSource source);
  void stop_playing();
  bool playing() const { return static_cast<bool>(source_); }

  // Sends a packet relayed from another leg now, with `payload_type` (ours), keeping its
  // source's spacing (rtp_stream). Stops our own frames.
  void send_relayed(const sip::RtpHeader& in, std::span<const std::uint8_t> payload,
                    std::uint8_t payload_type);

  // Stops everything and gives the port back; the session can be dropped after. Required: the
  // receive loop holds the session until then.
  void close();
  const RtpSessionStats& stats() const { return stats_; }
  const media::RtpOutStream& out_stream() const { return out_; }

 private:
  RtpSession(Strand strand, Clock& clock, Scheduler& scheduler, RtpPort port, RtpLegMedia media);
  void receive_next();
  void on_datagram(std::size_t n);
  void on_clock(std::uint32_t generation);
  void send_own_frame(std::uint64_t n, Timestamp now);
  void send(const sip::RtpHeader& header, std::span<const std::uint8_t> payload);

  Strand strand_;
  Clock& clock_;
  Scheduler& scheduler_;
  RtpPort port_;
  RtpLegMedia media_;
  media::RtpOutStream out_;
  RtpSessionStats stats_;

  std::optional<boost::asio::ip::udp::endpoint> remote_;
  bool latched_ = false;
  std::function<void(const sip::RtpPacket&)> receiver_;
  std::array<std::uint8_t, 2048> in_buf_{};
  boost::asio::ip::udp::endpoint in_from_;

  FrameSource source_;
  std::uint32_t generation_ = 0;  // the play() count: a new source each time
  Timestamp play_start_{};
  std::uint64_t frames_done_ = 0;  // sent or skipped since play_start_
  // Sent since play_start_: the sequence numbers (a skipped frame is not a lost packet, the
  // timestamp alone jumps).
  std::uint64_t frames_sent_ = 0;
  std::unique_ptr<TimerHandle> timer_;
  std::array<std::int16_t, media::kFrameSamples> frame_{};
  std::vector<std::uint8_t> encoded_;
  std::vector<std::uint8_t> out_buf_;
};

}  // namespace ccteams::rtp
