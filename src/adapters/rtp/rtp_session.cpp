#include "adapters/rtp/rtp_session.hpp"

#include <openssl/rand.h>

#include <cstdlib>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>

#include "core/media/media_player.hpp"

namespace ccteams::rtp {

namespace net = boost::asio;
using net::ip::udp;

namespace {

// RFC 3550 §5.1, §8.1: SSRC, first sequence number and timestamp random.
media::RtpStreamSeed random_seed() {
  std::array<unsigned char, 10> b{};
  if (RAND_bytes(b.data(), static_cast<int>(b.size())) != 1) {
    // Only an unseeded pool fails; the values need to be unpredictable, not secret.
    for (std::size_t i = 0; i < b.size(); ++i) b[i] = static_cast<unsigned char>(std::rand());
  }
  auto u32 = [&](std::size_t at) {
    return static_cast<std::uint32_t>(b[at]) << 24 | static_cast<std::uint32_t>(b[at + 1]) << 16 |
           static_cast<std::uint32_t>(b[at + 2]) << 8 | b[at + 3];
  };
  return {.ssrc = u32(0),
          .sequence = static_cast<std::uint16_t>(b[4] << 8 | b[5]),
          .timestamp = u32(6)};
}

}  // namespace

std::shared_ptr<RtpSession> RtpSession::create(Strand strand, Clock& clock, Scheduler& scheduler,
                                               RtpPort port, RtpLegMedia media) {
  std::shared_ptr<RtpSession> s(
      new RtpSession(std::move(strand), clock, scheduler, std::move(port), media));
  net::dispatch(s->strand_, [s] { s->receive_next(); });
  return s;
}

RtpSession::RtpSession(Strand strand, Clock& clock, Scheduler& scheduler, RtpPort port,
                       RtpLegMedia media)
    : strand_(std::move(strand)),
      clock_(clock),
      scheduler_(scheduler),
      port_(std::move(port)),
      media_(media),
      out_(random_seed()) {
  // Sends never wait: a full socket buffer drops the packet (counted), as the network would.
  boost::system::error_code ignored;
  port_.socket().non_blocking(true, ignored);
}

RtpSession::~RtpSession() = default;

udp::endpoint RtpSession::local_endpoint() const {
  boost::system::error_code ec;
  if (!port_.is_open()) return udp::endpoint();
  auto ep = port_.socket().local_endpoint(ec);
  return ec ? udp::endpoint() : ep;
}

void RtpSession::set_remote(const udp::endpoint& sdp_address) {
  if (!latched_) remote_ = sdp_address;
}

void RtpSession::on_packet(std::function<void(const sip::RtpPacket&)> receiver) {
  receiver_ = std::move(receiver);
}

void RtpSession::receive_next() {
  if (!port_.is_open()) return;
  port_.socket().async_receive_from(
      net::buffer(in_buf_), in_from_,
      net::bind_executor(strand_, [self = shared_from_this()](boost::system::error_code ec,
                                                              std::size_t n) {
        if (ec == net::error::operation_aborted || !self->port_.is_open()) return;
        // Other errors on UDP are an earlier send's ICMP error (connection refused): go on.
        if (!ec) self->on_datagram(n);
        self->receive_next();
      }));
}

void RtpSession::on_datagram(std::size_t n) {
  auto packet = sip::parse_rtp(std::span<const std::uint8_t>(in_buf_.data(), n));
  if (!packet) {
    ++stats_.dropped_malformed;
    return;
  }
  const auto pt = packet->header.payload_type;
  if (pt != media_.payload_type && pt != media_.telephone_event_payload_type) {
    ++stats_.dropped_payload_type;
    return;
  }
  // RFC 7362 §4: latch to the first packet that fits the negotiation, then hold on to it.
  if (!latched_) {
    latched_ = true;
    remote_ = in_from_;
  } else if (in_from_ != *remote_) {
    ++stats_.dropped_foreign;
    return;
  }
  ++stats_.received;
  if (receiver_) receiver_(*packet);
}

void RtpSession::play(FrameSource source) {
  source_ = std::move(source);
  ++generation_;
  play_start_ = clock_.now();
  frames_done_ = 0;
  frames_sent_ = 0;
  on_clock(generation_);
}

void RtpSession::stop_playing() {
  source_ = nullptr;
  ++generation_;
  timer_.reset();
}

void RtpSession::on_clock(std::uint32_t generation) {
  if (generation != generation_ || !source_ || !port_.is_open()) return;
  const Timestamp now = clock_.now();
  // Frames 0..due-1 are due by now; more than a burst behind, the oldest are skipped.
  const auto due = static_cast<std::uint64_t>((now - play_start_) / media::kFrameInterval) + 1;
  if (due > frames_done_ + kMaxBurst) {
    stats_.frames_skipped += due - kMaxBurst - frames_done_;
    frames_done_ = due - kMaxBurst;
  }
  while (frames_done_ < due) send_own_frame(frames_done_++, now);
  // The next deadline from the start, never from this wake: no drift.
  const Timestamp next = play_start_ + static_cast<std::int64_t>(frames_done_) * media::kFrameInterval;
  std::weak_ptr<RtpSession> weak = weak_from_this();
  timer_ = scheduler_.schedule(next, [weak, strand = strand_, generation] {
    // The scheduler runs callbacks on its own thread: the session is touched on its strand.
    if (auto self = weak.lock()) {
      net::post(strand, [self, generation] { self->on_clock(generation); });
    }
  });
}

void RtpSession::send_own_frame(std::uint64_t n, Timestamp now) {
  source_(frame_);
  media::encode_frame(frame_, media_.codec, encoded_);
  const auto header = out_.next(media::RtpSource{media::RtpSource::Kind::own, generation_},
                                static_cast<std::uint16_t>(frames_sent_++),
                                static_cast<std::uint32_t>(n * media::kFrameSamples), false,
                                media_.payload_type, now);
  send(header, encoded_);
}

void RtpSession::send_relayed(const sip::RtpHeader& in, std::span<const std::uint8_t> payload,
                              std::uint8_t payload_type) {
  if (source_) stop_playing();
  const auto header =
      out_.next(media::RtpSource{media::RtpSource::Kind::relayed, in.ssrc}, in.sequence,
                in.timestamp, in.marker, payload_type, clock_.now());
  send(header, payload);
}

void RtpSession::send(const sip::RtpHeader& header, std::span<const std::uint8_t> payload) {
  if (!remote_ || !port_.is_open()) return;  // no address yet: nothing to send to
  out_buf_ = sip::build_rtp(header, payload);
  boost::system::error_code ec;
  port_.socket().send_to(net::buffer(out_buf_), *remote_, 0, ec);
  if (ec) {
    ++stats_.send_errors;
  } else {
    ++stats_.sent;
  }
}

void RtpSession::close() {
  stop_playing();
  receiver_ = nullptr;
  port_.close();
}

}  // namespace ccteams::rtp
