#pragma once
// Loopback "phones" for the RTP adapter tests: a UDP socket that sends RTP by hand and collects
// what arrives, against sessions on simulated time.

#include <algorithm>
#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/strand.hpp>
#include <cstdint>
#include <thread>
#include <vector>

#include "adapters/rtp/rtp_session.hpp"
#include "app/testing/simulated_time.hpp"
#include "core/media/media_player.hpp"
#include "core/media/tone.hpp"
#include "core/sip/rtp.hpp"

namespace ccteams::rtp::testing {

namespace net = boost::asio;
using net::ip::udp;

inline const Timestamp kT0 = from_unix_millis(1'800'000'000'000);
inline const net::ip::address kLoopback = net::ip::make_address("127.0.0.1");

struct Received {
  sip::RtpHeader header;
  std::vector<std::uint8_t> payload;
};

class Phone {
 public:
  explicit Phone(net::io_context& io) : socket_(io, udp::endpoint(kLoopback, 0)) {
    socket_.non_blocking(true);
  }
  udp::endpoint endpoint() const { return socket_.local_endpoint(); }
  void send_bytes(std::span<const std::uint8_t> bytes, const udp::endpoint& to) {
    socket_.send_to(net::buffer(bytes.data(), bytes.size()), to);
  }
  void send(const sip::RtpHeader& h, std::span<const std::uint8_t> payload,
            const udp::endpoint& to) {
    send_bytes(sip::build_rtp(h, payload), to);
  }
  // Every RTP datagram that has arrived (loopback delivers at once: a few polls suffice).
  std::vector<Received> take(net::io_context& io, std::size_t at_least = 0) {
    std::vector<Received> got;
    for (int i = 0; i < 200; ++i) {
      testing_drain(io);
      std::array<std::uint8_t, 2048> buf{};
      boost::system::error_code ec;
      udp::endpoint from;
      const std::size_t n = socket_.receive_from(net::buffer(buf), from, 0, ec);
      if (!ec) {
        auto p = sip::parse_rtp(std::span<const std::uint8_t>(buf.data(), n));
        if (p) got.push_back({p->header, {p->payload.begin(), p->payload.end()}});
        i = 0;
        continue;
      }
      if (got.size() >= at_least && i > 3) break;
      std::this_thread::yield();
    }
    return got;
  }

 private:
  static void testing_drain(net::io_context& io) { ccteams::testing::SimulatedTime::drain(io); }
  udp::socket socket_;
};

// A 20 ms frame of a tone, continuing from frame `n`.
inline std::array<std::int16_t, media::kFrameSamples> tone_frame(double hz, std::uint64_t n) {
  std::array<std::int16_t, media::kFrameSamples> f{};
  media::generate_tone(hz, 8000, n * media::kFrameSamples, f);
  return f;
}

inline FrameSource tone_source(double hz) {
  return [hz, n = std::uint64_t{0}](std::span<std::int16_t, media::kFrameSamples> out) mutable {
    const auto f = tone_frame(hz, n++);
    std::copy(f.begin(), f.end(), out.begin());
  };
}

// RFC 4733 §2.5 as a phone plays a digit: three updates with one start timestamp, then the end
// packet three times (one sequence number).
inline void send_digit(Phone& phone, const udp::endpoint& to, std::uint8_t event,
                       std::uint8_t payload_type, std::uint32_t ssrc,
                       std::uint16_t first_sequence, std::uint32_t start) {
  for (int i = 0; i < 6; ++i) {
    const bool end = i >= 3;
    const sip::TelephoneEvent ev{.event = event, .end = end, .volume = 10,
                                 .duration = static_cast<std::uint16_t>(end ? 480 : 160 * (i + 1))};
    const auto payload = sip::build_telephone_event(ev);
    sip::RtpHeader h{.marker = i == 0,
                     .payload_type = payload_type,
                     .sequence = static_cast<std::uint16_t>(first_sequence + std::min(i, 3)),
                     .timestamp = start,
                     .ssrc = ssrc};
    phone.send(h, payload, to);
  }
}

// The linear samples of packets [first, first + count) decoded with `codec`.
inline std::vector<std::int16_t> decoded(const std::vector<Received>& packets, std::size_t first,
                                         std::size_t count, sip::Codec codec) {
  std::vector<std::int16_t> all, frame;
  for (std::size_t i = first; i < first + count && i < packets.size(); ++i) {
    media::decode_frame(packets[i].payload, codec, frame);
    all.insert(all.end(), frame.begin(), frame.end());
  }
  return all;
}

// One strand, simulated time and a session factory on loopback port 0.
struct RtpFixture {
  net::io_context io;
  ccteams::testing::SimulatedTime time{kT0};
  Strand strand = net::make_strand(io);
  std::vector<std::shared_ptr<RtpSession>> sessions;

  std::shared_ptr<RtpSession> session(RtpLegMedia media) {
    auto port = RtpPort::bind_any(strand, kLoopback);
    EXPECT_TRUE(port) << port.error().message;
    auto s = RtpSession::create(strand, time, time, std::move(*port), media);
    sessions.push_back(s);
    ccteams::testing::SimulatedTime::drain(io);
    return s;
  }
  // A session that sends to `phone` (its SDP address).
  std::shared_ptr<RtpSession> session_to(const Phone& phone, RtpLegMedia media) {
    auto s = session(media);
    s->set_remote(phone.endpoint());
    return s;
  }
  udp::endpoint at(const std::shared_ptr<RtpSession>& s) const {
    return udp::endpoint(kLoopback, s->local_endpoint().port());
  }
  ~RtpFixture() {
    for (auto& s : sessions) s->close();
    ccteams::testing::SimulatedTime::drain(io);
  }
};

}  // namespace ccteams::rtp::testing
