#pragma once
// Test support: a UDP peer on loopback that drives a SipServer on simulated time by hand
// (udp_sip_server_test.cpp, sip_registrar_test.cpp, uac_sip_server_test.cpp), and the
// requests and fakes those tests share.

#include <gtest/gtest.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "adapters/sip/sip_server.hpp"
#include "app/testing/simulated_time.hpp"
#include "core/sip/sip_parser.hpp"

namespace ccteams::sip {

inline const Timestamp kUdpPeerT0 = from_unix_millis(1'800'000'000'000);

// A UDP peer on loopback, driven by hand against a server on simulated time.
struct UdpSipPeer {
  boost::asio::io_context io;
  testing::SimulatedTime time{kUdpPeerT0};
  std::shared_ptr<SipServer> server = SipServer::create(io, time, time, default_answer);
  boost::asio::ip::udp::endpoint server_at;
  boost::asio::ip::udp::socket client{
      io, boost::asio::ip::udp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0)};

  UdpSipPeer() {
    auto bound = server->start_udp(
        boost::asio::ip::udp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
    EXPECT_TRUE(bound) << bound.error().message;
    server_at = *bound;
    client.non_blocking(true);
  }
  ~UdpSipPeer() {
    server->stop();
    testing::SimulatedTime::drain(io);
  }

  std::string request(const std::string& method, const std::string& branch,
                      const std::string& extra = "") {
    const std::string port = std::to_string(client.local_endpoint().port());
    return method +
           " sip:+4930999999@127.0.0.1 SIP/2.0\r\n"
           "Via: SIP/2.0/UDP 127.0.0.1:" +
           port + ";branch=" + branch +
           ";rport\r\n"
           "From: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:+4930999999@127.0.0.1>\r\n" +
           extra + "Call-ID: c-" + branch + "\r\nCSeq: 1 " + method +
           "\r\nContent-Length: 0\r\n\r\n";
  }
  void send(const std::string& text) {
    client.send_to(boost::asio::buffer(text), server_at);
    testing::SimulatedTime::drain(io);
  }
  // The next datagram for the client; loopback delivers at once, so a few polls suffice.
  std::optional<SipMessage> receive() {
    std::array<char, 65536> buf{};
    for (int i = 0; i < 1000; ++i) {
      testing::SimulatedTime::drain(io);
      boost::system::error_code ec;
      boost::asio::ip::udp::endpoint from;
      const std::size_t n = client.receive_from(boost::asio::buffer(buf), from, 0, ec);
      if (!ec) {
        // The structure only: a 400 to a request without Call-ID has none either.
        auto m = parse_sip_structure(std::string_view(buf.data(), n));
        EXPECT_TRUE(m) << std::string_view(buf.data(), n);
        if (m) return *m;
        return std::nullopt;
      }
      std::this_thread::yield();
    }
    return std::nullopt;
  }
  bool nothing_received() {
    testing::SimulatedTime::drain(io);
    return client.available() == 0;
  }
};

// The app's side of calls, faked: every INVITE gets `decision`, and the ends, ACKs and
// re-offers are recorded.
struct FakeCalls {
  InviteDecision decision{InviteDecision::Kind::answer, MediaConfig{"127.0.0.1", 40000}, 0};
  std::vector<DialogId> invited;
  std::vector<CallEnd> ended;
  int acked = 0;
  std::vector<NegotiatedAudio> reoffers;

  explicit FakeCalls(SipServer& server, InviteDecision::Kind kind = InviteDecision::Kind::answer) {
    decision.kind = kind;
    server.set_call_handler(
        CallHandler{[this](const SipMessage&, const DialogId& id) {
                      invited.push_back(id);
                      return decision;
                    },
                    [this](const DialogId&, CallEnd how) { ended.push_back(how); },
                    [this](const DialogId&) { ++acked; },
                    [this](const DialogId&, const NegotiatedAudio& a) { reoffers.push_back(a); }});
  }
};

inline constexpr std::string_view kPcmuOffer =
    "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
    "m=audio 30000 RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\n";

// `text` (a message with "Content-Length: 0" and no body) carrying `sdp` instead.
inline std::string with_sdp(std::string text, std::string_view sdp) {
  text.replace(text.find("Content-Length: 0"), 17,
               "Content-Type: application/sdp\r\nContent-Length: " + std::to_string(sdp.size()));
  return text + std::string(sdp);
}

// An INVITE from the client with `sdp` as its offer (none when empty).
inline std::string invite_with(UdpSipPeer& f, const std::string& branch, std::string_view sdp) {
  const std::string port = std::to_string(f.client.local_endpoint().port());
  return with_sdp(f.request("INVITE", branch, "Contact: <sip:a@127.0.0.1:" + port + ">\r\n"), sdp);
}

// A request in the dialog the `answer` (180 or 200) made, with a branch of its own.
inline std::string in_call(UdpSipPeer& f, const std::string& method, const std::string& branch,
                           const SipMessage& answer, int cseq) {
  std::string text = f.request(method, branch);
  const auto replace = [&](const std::string& from, const std::string& to) {
    text.replace(text.find(from), from.size(), to);
  };
  replace("To: <sip:+4930999999@127.0.0.1>", "To: " + std::string(*answer.header("To")));
  replace("Call-ID: c-" + branch, "Call-ID: " + std::string(*answer.header("Call-ID")));
  replace("CSeq: 1 " + method, "CSeq: " + std::to_string(cseq) + " " + method);
  return text;
}

// Sends an INVITE with a PCMU offer; the 180 after its 100.
inline std::optional<SipMessage> call(UdpSipPeer& f, const std::string& branch) {
  f.send(invite_with(f, branch, kPcmuOffer));
  auto trying = f.receive();
  EXPECT_TRUE(trying && trying->status_code == 100);
  auto ringing = f.receive();
  EXPECT_TRUE(ringing && ringing->status_code == 180);
  return ringing;
}

}  // namespace ccteams::sip
