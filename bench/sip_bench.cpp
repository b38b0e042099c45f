// sip_bench: the media half, how many bridged calls one core relays at 50 packets/s each way
// with no packet loss, and the latency the relay adds, next to a plain UDP echo relay (a
// datagram in, the same datagram out of the paired socket) in the same run; then the
// call-setup half, call setups per second between two SipServers (sip_bench_calls.hpp).
//
//   sip_bench [--seconds 3] [--max-calls 3200] [--setups 5000] [--in-flight 20]
//
// Each step runs N calls through one relay for --seconds: ccteams' RtpSession + RtpRelay (two
// sessions per call on the call's strand, RTP parsed, renumbered and rebuilt), then the plain
// relay. The relay runs on ONE thread (one io_context); a sender thread plays both phones of
// every call (20 ms apart per phone, spread evenly over the 20 ms) and a receiver thread takes
// what comes out. A packet carries its call, direction and send time in its payload; latency is
// send to receive over loopback (twice through the kernel), so "added" is ours minus plain.
// N doubles from 50 until a relay no longer holds the load (a packet lost, or p99 over one 20 ms
// frame: it falls behind) or --max-calls; the media half stays under 60 s. The relay thread's
// CPU time per packet is printed too, with what a whole core would hold at that cost.
// The call-setup half places --setups calls, --in-flight at a time, for at most 10 s (15 s
// with the last calls' ends); the exit status is 1 when a call failed or did not end.
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <time.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

#include "adapters/rtp/rtp_relay.hpp"
#include "adapters/rtp/rtp_session.hpp"
#include "app/asio_scheduler.hpp"
#include "app/system_clock.hpp"
#include "core/sip/rtp.hpp"
#include "sip_bench_calls.hpp"

namespace {

namespace net = boost::asio;
using net::ip::udp;
using SteadyClock = std::chrono::steady_clock;

const net::ip::address kLoopback = net::ip::make_address("127.0.0.1");

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             SteadyClock::now().time_since_epoch())
      .count();
}

// The relay under test: N calls, each with a caller-side and an agent-side UDP endpoint.
class Relay {
 public:
  virtual ~Relay() = default;
  virtual udp::endpoint caller_side(std::size_t call) const = 0;
  virtual udp::endpoint agent_side(std::size_t call) const = 0;
  // Packets the relay took in and sent out (read after its thread has stopped).
  virtual std::uint64_t relay_in() const = 0;
  virtual std::uint64_t relay_out() const = 0;
};

// ccteams: two RtpSessions and an RtpRelay per call, on the call's strand.
class CcteamsRelay final : public Relay {
 public:
  CcteamsRelay(net::io_context& io, std::size_t calls, const udp::endpoint& caller_phone,
               const udp::endpoint& agent_phone)
      : scheduler_(io) {
    const ccteams::rtp::RtpLegMedia leg{ccteams::sip::Codec::pcmu, 0, 101};
    for (std::size_t i = 0; i < calls; ++i) {
      auto strand = net::make_strand(io);
      auto a = ccteams::rtp::RtpPort::bind_any(strand, kLoopback);
      auto b = ccteams::rtp::RtpPort::bind_any(strand, kLoopback);
      if (!a || !b) {
        std::fprintf(stderr, "sip_bench: %s\n", (!a ? a : b).error().message.c_str());
        std::exit(1);
      }
      Call c;
      c.caller = ccteams::rtp::RtpSession::create(strand, clock_, scheduler_, std::move(*a), leg);
      c.agent = ccteams::rtp::RtpSession::create(strand, clock_, scheduler_, std::move(*b), leg);
      c.caller->set_remote(caller_phone);
      c.agent->set_remote(agent_phone);
      c.relay = std::make_unique<ccteams::rtp::RtpRelay>(c.caller, c.agent);
      calls_.push_back(std::move(c));
    }
  }
  // Runs on the relay's thread after io.run() has returned.
  ~CcteamsRelay() override {
    for (auto& c : calls_) {
      c.relay.reset();
      c.caller->close();
      c.agent->close();
    }
  }
  udp::endpoint caller_side(std::size_t i) const override { return calls_[i].caller->local_endpoint(); }
  udp::endpoint agent_side(std::size_t i) const override { return calls_[i].agent->local_endpoint(); }
  std::uint64_t relay_in() const override {
    std::uint64_t n = 0;
    for (const auto& c : calls_) n += c.caller->stats().received + c.agent->stats().received;
    return n;
  }
  std::uint64_t relay_out() const override {
    std::uint64_t n = 0;
    for (const auto& c : calls_) n += c.caller->stats().sent + c.agent->stats().sent;
    return n;
  }

 private:
  struct Call {
    std::shared_ptr<ccteams::rtp::RtpSession> caller;
    std::shared_ptr<ccteams::rtp::RtpSession> agent;
    std::unique_ptr<ccteams::rtp::RtpRelay> relay;
  };
  ccteams::SystemClock clock_;
  ccteams::AsioScheduler scheduler_;
  std::vector<Call> calls_;
};

// The baseline: what arrives on one socket of a pair leaves from the other, untouched.
class PlainRelay final : public Relay {
 public:
  PlainRelay(net::io_context& io, std::size_t calls, const udp::endpoint& caller_phone,
             const udp::endpoint& agent_phone) {
    for (std::size_t i = 0; i < calls; ++i) {
      auto c = std::make_shared<Call>(io);
      c->caller_phone = caller_phone;
      c->agent_phone = agent_phone;
      receive(c, 0);
      receive(c, 1);
      calls_.push_back(c);
    }
  }
  ~PlainRelay() override {
    for (auto& c : calls_) {
      c->side[0].close();
      c->side[1].close();
    }
  }
  udp::endpoint caller_side(std::size_t i) const override { return calls_[i]->side[0].local_endpoint(); }
  udp::endpoint agent_side(std::size_t i) const override { return calls_[i]->side[1].local_endpoint(); }
  std::uint64_t relay_in() const override {
    std::uint64_t n = 0;
    for (const auto& c : calls_) n += c->in;
    return n;
  }
  std::uint64_t relay_out() const override {
    std::uint64_t n = 0;
    for (const auto& c : calls_) n += c->out;
    return n;
  }

 private:
  struct Call {
    explicit Call(net::io_context& io)
        : side{udp::socket(io, udp::endpoint(kLoopback, 0)), udp::socket(io, udp::endpoint(kLoopback, 0))} {}
    udp::socket side[2];
    udp::endpoint caller_phone, agent_phone, from[2];
    std::array<std::uint8_t, 2048> buf[2]{};
    std::uint64_t in = 0, out = 0;
  };
  static void receive(const std::shared_ptr<Call>& c, int s) {
    c->side[s].async_receive_from(net::buffer(c->buf[s]), c->from[s],
                                  [c, s](boost::system::error_code ec, std::size_t n) {
                                    if (ec) return;
                                    ++c->in;
                                    boost::system::error_code send_ec;
                                    c->side[1 - s].send_to(net::buffer(c->buf[s].data(), n),
                                                           s == 0 ? c->agent_phone : c->caller_phone, 0, send_ec);
                                    if (!send_ec) ++c->out;
                                    receive(c, s);
                                  });
  }
  std::vector<std::shared_ptr<Call>> calls_;
};

int bound_socket(sockaddr_in& at) {
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  const int buf = 4 << 20;
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
  at = {};
  at.sin_family = AF_INET;
  at.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof at;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&at), sizeof at) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&at), &len) != 0) {
    std::perror("sip_bench: bind");
    std::exit(1);
  }
  return fd;
}

sockaddr_in to_sockaddr(const udp::endpoint& ep) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(ep.port());
  a.sin_addr.s_addr = htonl(ep.address().to_v4().to_uint());
  return a;
}

struct StepResult {
  std::size_t calls = 0;
  std::uint64_t sent = 0;
  std::uint64_t send_failed = 0;  // the sender's own socket refused: not the relay's loss
  std::uint64_t received = 0;
  std::uint64_t relay_in = 0;   // where a loss happened: before the relay, in it, or after
  std::uint64_t relay_out = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  double relay_cpu = 0;  // the relay thread's CPU time / wall time
  double relay_cpu_us_per_packet = 0;
  bool lossless() const { return sent > 0 && received == sent; }
  // Held: nothing lost and the relay keeps up (p99 within one 20 ms frame), not just "every
  // packet arrived eventually".
  bool held() const { return lossless() && p99_ms <= 20; }
};

template <class R>
StepResult run_step(std::size_t calls, double seconds) {
  StepResult r;
  r.calls = calls;
  sockaddr_in caller_at{}, agent_at{};
  const int caller_fd = bound_socket(caller_at);
  const int agent_fd = bound_socket(agent_at);
  net::io_context io(1);
  auto work = net::make_work_guard(io);
  auto relay = std::make_unique<R>(
      io, calls, udp::endpoint(kLoopback, ntohs(caller_at.sin_port)),
      udp::endpoint(kLoopback, ntohs(agent_at.sin_port)));
  // Phone i*2 is call i's caller (sends to its caller side), i*2+1 its agent.
  std::vector<sockaddr_in> targets;
  for (std::size_t i = 0; i < calls; ++i) {
    targets.push_back(to_sockaddr(relay->caller_side(i)));
    targets.push_back(to_sockaddr(relay->agent_side(i)));
  }
  std::thread relay_thread([&] { io.run(); });
  clockid_t relay_cpu_clock{};
  pthread_getcpuclockid(relay_thread.native_handle(), &relay_cpu_clock);

  std::atomic<bool> receiving{true};
  std::atomic<std::uint64_t> received_so_far{0};
  std::vector<std::int64_t> latencies;
  latencies.reserve(static_cast<std::size_t>(calls * 100 * (seconds + 1)));
  std::thread receiver([&] {
    pollfd fds[2] = {{caller_fd, POLLIN, 0}, {agent_fd, POLLIN, 0}};
    // Up to 64 datagrams per system call: the receiver must not be what loses packets.
    constexpr int kBatch = 64;
    std::vector<std::array<std::uint8_t, 512>> bufs(kBatch);
    std::vector<iovec> iovs(kBatch);
    std::vector<mmsghdr> msgs(kBatch);
    while (receiving.load()) {
      if (::poll(fds, 2, 20) <= 0) continue;
      for (auto& p : fds) {
        for (;;) {
          for (int i = 0; i < kBatch; ++i) {
            iovs[i] = {bufs[i].data(), bufs[i].size()};
            msgs[i] = {};
            msgs[i].msg_hdr.msg_iov = &iovs[i];
            msgs[i].msg_hdr.msg_iovlen = 1;
          }
          const int got = ::recvmmsg(p.fd, msgs.data(), kBatch, MSG_DONTWAIT, nullptr);
          if (got <= 0) break;
          const std::int64_t t = now_ns();
          for (int i = 0; i < got; ++i) {
            auto packet = ccteams::sip::parse_rtp(
                std::span<const std::uint8_t>(bufs[i].data(), msgs[i].msg_len));
            if (!packet || packet->payload.size() < 8) continue;
            std::int64_t sent_at = 0;
            std::memcpy(&sent_at, packet->payload.data(), sizeof sent_at);
            latencies.push_back(t - sent_at);
          }
          received_so_far.store(latencies.size());
        }
      }
    }
  });

  timespec cpu0{};
  clock_gettime(relay_cpu_clock, &cpu0);
  const auto start = SteadyClock::now();
  const std::int64_t period_ns = 20'000'000;
  const std::size_t phones = targets.size();
  std::vector<std::uint8_t> payload(160, 0xFF);
  std::uint64_t next = 0;  // packets sent so far across all phones, in schedule order
  const auto total = static_cast<std::uint64_t>(seconds * 50) * phones;
  while (next < total) {
    const std::int64_t elapsed = (SteadyClock::now() - start).count();
    // Packet k is phone k % phones' (k / phones)-th, due at its frame + its offset in 20 ms.
    const auto due = std::min<std::uint64_t>(
        total, static_cast<std::uint64_t>(elapsed) * phones / period_ns + 1);
    for (; next < due; ++next) {
      const std::size_t phone = next % phones;
      const std::uint64_t frame = next / phones;
      ccteams::sip::RtpHeader h{.payload_type = 0,
                                .sequence = static_cast<std::uint16_t>(frame),
                                .timestamp = static_cast<std::uint32_t>(frame * 160),
                                .ssrc = static_cast<std::uint32_t>(phone + 1)};
      const std::int64_t t = now_ns();
      std::memcpy(payload.data(), &t, sizeof t);
      const auto bytes = ccteams::sip::build_rtp(h, payload);
      const int fd = phone % 2 == 0 ? caller_fd : agent_fd;
      if (::sendto(fd, bytes.data(), bytes.size(), 0,
                   reinterpret_cast<const sockaddr*>(&targets[phone]), sizeof(sockaddr_in)) < 0) {
        ++r.send_failed;
      } else {
        ++r.sent;
      }
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  // A relay that fell behind still has packets queued: up to 2 s more to deliver them (the
  // latency shows the lag), then what has not arrived is lost.
  const auto drain_until = SteadyClock::now() + std::chrono::seconds(2);
  while (received_so_far.load() < r.sent && SteadyClock::now() < drain_until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const double wall = std::chrono::duration<double>(SteadyClock::now() - start).count();
  timespec cpu1{};
  clock_gettime(relay_cpu_clock, &cpu1);
  const double cpu_s = double(cpu1.tv_sec - cpu0.tv_sec) + double(cpu1.tv_nsec - cpu0.tv_nsec) / 1e9;
  r.relay_cpu = cpu_s / wall;
  receiving = false;
  receiver.join();
  io.stop();
  relay_thread.join();
  r.relay_in = relay->relay_in();
  r.relay_out = relay->relay_out();
  if (r.relay_in > 0) r.relay_cpu_us_per_packet = cpu_s * 1e6 / double(r.relay_in);
  relay.reset();
  ::close(caller_fd);
  ::close(agent_fd);
  r.received = latencies.size();
  if (!latencies.empty()) {
    std::sort(latencies.begin(), latencies.end());
    r.p50_ms = double(latencies[latencies.size() / 2]) / 1e6;
    r.p99_ms = double(latencies[latencies.size() * 99 / 100]) / 1e6;
  }
  return r;
}

void print(const char* name, const StepResult& r) {
  auto u = [](std::uint64_t v) { return static_cast<unsigned long long>(v); };
  std::printf("%-8s calls %5zu  %6.0f pkt/s  sent %7llu  lost %6llu (relay in %llu out %llu)  "
              "p50 %7.3f ms  p99 %7.3f ms  relay thread CPU %3.0f%% (%.1f us/packet)%s\n",
              name, r.calls, double(r.calls) * 100, u(r.sent), u(r.sent - std::min(r.sent, r.received)),
              u(r.relay_in), u(r.relay_out), r.p50_ms, r.p99_ms, r.relay_cpu * 100,
              r.relay_cpu_us_per_packet,
              r.send_failed > 0 ? " (sender's socket refused some)" : "");
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 3;
  std::size_t max_calls = 3200;
  // Each call leaves its BYE's server transaction in the caller's table for Timer J (64*T1 =
  // 32 s); SipServerLimits::max_transactions is 10000, past which requests are dropped.
  std::size_t setups = 5000;
  std::size_t in_flight = 20;
  for (int i = 1; i < argc; ++i) {
    const bool has_value = i + 1 < argc;
    if (std::strcmp(argv[i], "--seconds") == 0 && has_value) {
      seconds = std::clamp(std::atof(argv[++i]), 1.0, 5.0);
    } else if (std::strcmp(argv[i], "--max-calls") == 0 && has_value) {
      max_calls = static_cast<std::size_t>(std::clamp(std::atoi(argv[++i]), 50, 6400));
    } else if (std::strcmp(argv[i], "--setups") == 0 && has_value) {
      setups = static_cast<std::size_t>(std::clamp(std::atoi(argv[++i]), 0, 9000));
    } else if (std::strcmp(argv[i], "--in-flight") == 0 && has_value) {
      in_flight = static_cast<std::size_t>(std::clamp(std::atoi(argv[++i]), 1, 500));
    } else {
      std::fprintf(stderr,
                   "usage: %s [--seconds S (1-5)] [--max-calls N (50-6400)] [--setups N "
                   "(0-9000, 0: no call-setup half)] [--in-flight N (1-500)]\n",
                   argv[0]);
      return 2;
    }
  }
  std::printf("sip_bench media: bridged calls at 50 packets/s each way (PCMU, 20 ms), relay on one "
              "thread; %.0f s per step; latency is phone -> relay -> phone over loopback\n",
              seconds);
  const auto deadline = SteadyClock::now() + std::chrono::seconds(55);
  StepResult best_ours, best_plain;
  StepResult ours_at_50, plain_at_50;
  bool ours_ok = true, plain_ok = true;
  for (std::size_t calls = 50; calls <= max_calls && (ours_ok || plain_ok); calls *= 2) {
    // A step takes two runs of `seconds` plus set-up and drain; stop before 60 s.
    if (SteadyClock::now() + std::chrono::duration<double>(2 * seconds + 5) > deadline) break;
    if (ours_ok) {
      const auto r = run_step<CcteamsRelay>(calls, seconds);
      print("ccteams", r);
      if (calls == 50) ours_at_50 = r;
      if (r.held()) best_ours = r; else ours_ok = false;
    }
    if (plain_ok) {
      const auto r = run_step<PlainRelay>(calls, seconds);
      print("plain", r);
      if (calls == 50) plain_at_50 = r;
      if (r.held()) best_plain = r; else plain_ok = false;
    }
  }
  std::printf("\nbridged calls held (no loss, p99 <= 20 ms) on one relay thread: ccteams %zu, "
              "plain UDP relay %zu (baseline)%s\n",
              best_ours.calls, best_plain.calls,
              ours_ok || plain_ok ? " (the step limit or the time bound stopped the climb)" : "");
  std::printf("latency at 50 calls: ccteams p50 %.3f ms p99 %.3f ms; plain p50 %.3f ms p99 %.3f ms "
              "(baseline); added p50 %.3f ms p99 %.3f ms\n",
              ours_at_50.p50_ms, ours_at_50.p99_ms, plain_at_50.p50_ms, plain_at_50.p99_ms,
              ours_at_50.p50_ms - plain_at_50.p50_ms, ours_at_50.p99_ms - plain_at_50.p99_ms);
  std::printf("latency at %zu calls (ccteams' highest held): ccteams p50 %.3f ms p99 %.3f ms\n",
              best_ours.calls, best_ours.p50_ms, best_ours.p99_ms);
  // CPU per packet, from the step with the most packets either relay held: what a whole core
  // would hold if the relay thread had one to itself (an extrapolation, printed as such).
  const auto& o = best_ours.relay_cpu_us_per_packet > 0 ? best_ours : ours_at_50;
  const auto& p = best_plain.relay_cpu_us_per_packet > 0 ? best_plain : plain_at_50;
  std::printf("relay thread CPU per packet: ccteams %.1f us, plain %.1f us (baseline); a full "
              "core at that cost: ccteams ~%.0f calls, plain ~%.0f calls (extrapolated)\n",
              o.relay_cpu_us_per_packet, p.relay_cpu_us_per_packet,
              o.relay_cpu_us_per_packet > 0 ? 1e6 / o.relay_cpu_us_per_packet / 100 : 0.0,
              p.relay_cpu_us_per_packet > 0 ? 1e6 / p.relay_cpu_us_per_packet / 100 : 0.0);
  if (setups == 0) return 0;
  const auto c = ccteams::bench::run_call_setups(setups, in_flight, 10);
  std::printf("\nsip_bench calls: one SipServer places calls to another that answers at once, "
              "both on one thread, %zu in flight; INVITE/180/200/ACK, then the callee's BYE\n",
              in_flight);
  std::printf("call setups: placed %zu answered %zu failed %zu ended %zu (unfinished %zu) in "
              "%.2f s: %.0f setups/s  setup latency (place_call to on_answered) p50 %.3f ms p99 "
              "%.3f ms\n",
              c.placed, c.answered, c.failed, c.ended, c.placed - c.failed - c.ended, c.seconds,
              c.setups_per_second, c.p50_ms, c.p99_ms);
  std::printf("server transactions still lingering (of at most 10000): caller %zu, callee %zu\n",
              c.caller_transactions, c.callee_transactions);
  return c.failed == 0 && c.ended == c.placed ? 0 : 1;
}
