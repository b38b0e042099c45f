#include "sip_bench_calls.hpp"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "adapters/sip/sip_server.hpp"
#include "app/asio_scheduler.hpp"
#include "app/system_clock.hpp"

namespace ccteams::bench {
namespace {

namespace net = boost::asio;
using net::ip::udp;
using SteadyClock = std::chrono::steady_clock;

struct Run {
  std::shared_ptr<sip::SipServer> caller;
  udp::endpoint callee_at;
  std::size_t calls = 0;
  SteadyClock::time_point stop_placing;
  std::map<std::string, SteadyClock::time_point> started;
  std::vector<double> latencies_ms;
  CallSetupResult result;
  SteadyClock::time_point first;
  SteadyClock::time_point last;
  net::io_context* io = nullptr;

  void place_next() {
    if (result.placed >= calls || SteadyClock::now() > stop_placing) {
      if (result.ended + result.failed == result.placed) io->stop();
      return;
    }
    ++result.placed;
    const std::string target = "sip:agent@127.0.0.1:" + std::to_string(callee_at.port());
    sip::OutgoingCall out{target, target, "sip:+15551234567@127.0.0.1", "bench", callee_at,
                          sip::MediaConfig{"127.0.0.1", 40000}};
    sip::OutgoingCallHandler handler{
        {},
        [this](const std::string& call, const sip::NegotiatedAudio&) {
          ++result.answered;
          const auto it = started.find(call);
          if (it == started.end()) return;
          latencies_ms.push_back(
              std::chrono::duration<double, std::milli>(SteadyClock::now() - it->second).count());
          started.erase(it);
        },
        [this](const std::string& call, int) {
          ++result.failed;
          started.erase(call);
          done();
        },
        [this](const std::string&, sip::CallEnd) {
          ++result.ended;
          done();
        },
        {}};
    // The handler hears nothing before place_call returns: the start is recorded in time.
    const auto at = SteadyClock::now();
    started[caller->place_call(std::move(out), std::move(handler))] = at;
  }
  void done() {
    last = SteadyClock::now();
    place_next();
  }
};

}  // namespace

CallSetupResult run_call_setups(std::size_t calls, std::size_t in_flight, double max_seconds) {
  net::io_context io;
  SystemClock clock;
  AsioScheduler scheduler(io);
  auto caller = sip::SipServer::create(io, clock, scheduler, sip::default_answer);
  auto callee = sip::SipServer::create(io, clock, scheduler, sip::default_answer);
  sip::CallHandler answering{
      [](const sip::SipMessage&, const sip::DialogId&) {
        return sip::InviteDecision{.kind = sip::InviteDecision::Kind::answer,
                                   .media = sip::MediaConfig{"127.0.0.1", 41000}};
      },
      [](const sip::DialogId&, sip::CallEnd) {},
      // The caller has the answer: hang up, so each call is INVITE to BYE.
      [callee_weak = std::weak_ptr<sip::SipServer>(callee)](const sip::DialogId& id) {
        if (auto c = callee_weak.lock()) c->hang_up(id);
      },
      {}};
  callee->set_call_handler(std::move(answering));
  const udp::endpoint loopback(net::ip::make_address("127.0.0.1"), 0);
  auto callee_at = callee->start_udp(loopback);
  auto caller_at = caller->start_udp(loopback);
  Run run;
  if (!callee_at || !caller_at) return run.result;
  run.caller = caller;
  run.callee_at = *callee_at;
  run.calls = calls;
  run.io = &io;
  run.first = run.last = SteadyClock::now();
  run.stop_placing = run.first + std::chrono::duration_cast<SteadyClock::duration>(
                                     std::chrono::duration<double>(max_seconds));
  net::post(io, [&run, in_flight] {
    for (std::size_t i = 0; i < in_flight; ++i) run.place_next();
  });
  io.run_for(std::chrono::milliseconds(static_cast<std::int64_t>((max_seconds + 5) * 1000)));
  CallSetupResult r = run.result;
  r.caller_transactions = caller->transaction_count();  // the io_context no longer runs
  r.callee_transactions = callee->transaction_count();
  caller->stop();
  callee->stop();
  r.seconds = std::chrono::duration<double>(run.last - run.first).count();
  if (r.seconds > 0) r.setups_per_second = double(r.answered) / r.seconds;
  auto& l = run.latencies_ms;
  if (!l.empty()) {
    std::sort(l.begin(), l.end());
    r.p50_ms = l[l.size() / 2];
    r.p99_ms = l[l.size() * 99 / 100];
  }
  return r;
}

}  // namespace ccteams::bench
