#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "adapters/sip/sip_registrar.hpp"
#include "adapters/sip/sip_server.hpp"
#include "app/asio_scheduler.hpp"
#include "app/system_clock.hpp"
#include "support/process.hpp"

namespace ccteams::sip {
namespace {

namespace net = boost::asio;
using namespace std::chrono_literals;

// SIPp (Debian's sip-tester) drives the server over real loopback UDP and TCP, on one port as
// RFC 3261 §18 wants, in real time.
class SipServerWithSipp : public ::testing::Test {
 protected:
  void SetUp() override {
    // A missing SIPp fails, naming the fix: a skipped interoperability test proves nothing.
    ASSERT_EQ(::access("/usr/bin/sipp", X_OK), 0)
        << "sipp is not installed: run scripts/install-deps.sh (apt-get install sip-tester)";
    const auto loopback = net::ip::make_address("127.0.0.1");
    // UDP takes any free port, which TCP may find taken on a busy machine (another socket's
    // ephemeral port): then both are tried again on a new one.
    std::string last_error;
    for (int attempt = 0; attempt < 20 && port_ == 0; ++attempt) {
      auto server = SipServer::create(io_, clock_, scheduler_, default_answer);
      set_fake_calls(*server);
      server->set_register_handler(registrar_.handler());
      auto udp = server->start_udp(net::ip::udp::endpoint(loopback, 0));
      ASSERT_TRUE(udp) << udp.error().message;
      auto tcp = server->start_tcp(net::ip::tcp::endpoint(loopback, udp->port()));
      if (!tcp) {
        last_error = tcp.error().message;
        server->stop();
        continue;
      }
      server_ = server;
      port_ = udp->port();
    }
    ASSERT_NE(port_, 0) << last_error;
    work_.emplace(io_.get_executor());
    thread_ = std::thread([this] { io_.run(); });
  }
  // The app's part, faked: sip:answer@ is answered at once, sip:ring@ rings until cancelled,
  // any other number is 404.
  void set_fake_calls(SipServer& server) {
    server.set_call_handler(CallHandler{
        [](const SipMessage& invite, const DialogId&) {
          InviteDecision d{InviteDecision::Kind::reject, MediaConfig{"127.0.0.1", 40000}, 404};
          if (invite.request_uri.starts_with("sip:answer@")) d.kind = InviteDecision::Kind::answer;
          if (invite.request_uri.starts_with("sip:ring@")) d.kind = InviteDecision::Kind::ring;
          return d;
        },
        [this](const DialogId&, CallEnd how) {
          if (how == CallEnd::bye) ++byes_;
        },
        [this](const DialogId&) { ++acks_; }});
  }
  void TearDown() override {
    if (!thread_.joinable()) return;
    server_->stop();
    work_.reset();
    io_.stop();
    thread_.join();
  }
  // The registrar's bindings for an extension, read on the server's thread.
  std::vector<Binding> bindings(const std::string& extension) {
    std::promise<std::vector<Binding>> result;
    net::post(io_, [&] { result.set_value(registrar_.bindings(extension)); });
    return result.get_future().get();
  }
  // Runs one call of a scenario in src/adapters/sip/sipp over UDP, or TCP with one socket
  // (`-t t1`); sipp's exit status (0: passed).
  int run_sipp(const std::string& scenario, bool tcp, std::string* output) {
    std::vector<std::string> argv{
        "/usr/bin/sipp",
        "-sf",
        std::string(CCTEAMS_SOURCE_DIR) + "/src/adapters/sip/sipp/" + scenario,
        "127.0.0.1:" + std::to_string(port_),
        "-i",
        "127.0.0.1",
        "-m",
        "1",
        "-timeout",
        "20",
        "-timeout_error",
        "-nostdin"};
    if (tcp) {
      argv.emplace_back("-t");
      argv.emplace_back("t1");
    }
    testing::ChildProcess sipp(argv);
    const auto status = sipp.wait_exit(30s);
    *output = sipp.output();
    return status.value_or(-1);
  }

  // Runs SIPp as the callee (scenario uas_*.xml listening on loopback UDP) and places one call
  // to it, `on_answered` deciding what the call does once answered; what the call's handler
  // heard ("progress 180", "answered PCMA", "failed 486", "end bye"), and sipp's exit status.
  int place_call_to_sipp(const std::string& scenario, bool hang_up_when_answered,
                         std::vector<std::string>* heard, std::string* output) {
    const std::uint16_t port = free_udp_port();
    testing::ChildProcess sipp(
        {"/usr/bin/sipp", "-sf",
         std::string(CCTEAMS_SOURCE_DIR) + "/src/adapters/sip/sipp/" + scenario, "-i", "127.0.0.1",
         "-p", std::to_string(port), "-m", "1", "-timeout", "20", "-timeout_error", "-nostdin"});
    // Once SIPp listens (its port taken), so that the INVITE is not lost at its start.
    for (int i = 0; i < 250 && !udp_port_taken(port); ++i) std::this_thread::sleep_for(20ms);
    const auto loopback = net::ip::make_address("127.0.0.1");
    OutgoingCall call{"sip:agent1@127.0.0.1:" + std::to_string(port),
                      "sip:agent1@127.0.0.1",
                      "sip:+15551234567@127.0.0.1",
                      "",
                      net::ip::udp::endpoint(loopback, port),
                      MediaConfig{"127.0.0.1", 40000}};
    OutgoingCallHandler handler;
    handler.on_progress = [this](const std::string&, int status) {
      heard_.push_back("progress " + std::to_string(status));
    };
    handler.on_answered = [this, hang_up_when_answered](const std::string& id,
                                                        const NegotiatedAudio& audio) {
      heard_.push_back("answered " + std::string(codec_name(audio.codec)));
      if (hang_up_when_answered) server_->cancel_call(id);
    };
    handler.on_failed = [this](const std::string&, int status) {
      heard_.push_back("failed " + std::to_string(status));
    };
    handler.on_end = [this](const std::string&, CallEnd how) {
      heard_.push_back(how == CallEnd::bye ? "end bye" : "end other");
    };
    server_->place_call(std::move(call), std::move(handler));
    const auto status = sipp.wait_exit(30s);
    *output = sipp.output();
    std::promise<std::vector<std::string>> result;
    net::post(io_, [&] { result.set_value(heard_); });
    *heard = result.get_future().get();
    return status.value_or(-1);
  }
  static std::uint16_t free_udp_port() {
    net::io_context io;
    net::ip::udp::socket s(io, net::ip::udp::endpoint(net::ip::make_address("127.0.0.1"), 0));
    return s.local_endpoint().port();
  }
  static bool udp_port_taken(std::uint16_t port) {
    net::io_context io;
    net::ip::udp::socket s(io, net::ip::udp::v4());
    boost::system::error_code ec;
    s.bind(net::ip::udp::endpoint(net::ip::make_address("127.0.0.1"), port), ec);
    return ec == net::error::address_in_use;
  }

  net::io_context io_;
  SystemClock clock_;
  AsioScheduler scheduler_{io_};
  // agent1 registers with the password the register_*.xml scenarios use.
  InMemorySipCredentials credentials_ = [] {
    InMemorySipCredentials c{"ccteams"};
    c.set_password("agent1", "demo-password");
    return c;
  }();
  SipRegistrar registrar_{clock_, credentials_};
  std::shared_ptr<SipServer> server_;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work_;
  std::thread thread_;
  std::uint16_t port_ = 0;
  // What the fake CallHandler heard, on the server's thread.
  std::atomic<int> acks_{0};
  std::atomic<int> byes_{0};
  std::vector<std::string> heard_;  // by a placed call's handler, on the server's thread
};

struct Scenario {
  const char* file;  // in src/adapters/sip/sipp
  bool tcp;
  int calls = 0;  // answered calls that SIPp ACKs, then ends with BYE
};

class SipServerScenario : public SipServerWithSipp,
                          public ::testing::WithParamInterface<Scenario> {};

TEST_P(SipServerScenario, PassesOverItsTransport) {
  std::string output;
  EXPECT_EQ(run_sipp(GetParam().file, GetParam().tcp, &output), 0) << output;
  // SIPp absorbs a resent 200 without failing: that its ACK reached the dialog, and so
  // stopped the resends, the server says.
  EXPECT_EQ(acks_.load(), GetParam().calls);
  EXPECT_EQ(byes_.load(), GetParam().calls);
}

// OPTIONS answered 200; an INVITE answered 100 and 404 and ACKed, then a BYE answered 481; a
// call answered 180 and 200 with SDP, ACKed and ended by BYE; one cancelled while ringing
// (200, 487); one without a common codec (488); a REGISTER challenged 401, then 200 with its
// Contact, then unregistered; one with a wrong password challenged again.
INSTANTIATE_TEST_SUITE_P(
    Sipp, SipServerScenario,
    ::testing::Values(Scenario{"options_200.xml", false}, Scenario{"invite_404.xml", false},
                      Scenario{"invite_ack_bye.xml", false},
                      Scenario{"invite_answer_bye.xml", false, 1},
                      Scenario{"invite_cancel_487.xml", false}, Scenario{"invite_488.xml", false},
                      Scenario{"options_200.xml", true}, Scenario{"invite_ack_bye.xml", true},
                      Scenario{"invite_answer_bye.xml", true, 1},
                      Scenario{"invite_cancel_487.xml", true},
                      Scenario{"register_digest.xml", false}, Scenario{"register_digest.xml", true},
                      Scenario{"register_wrong_password.xml", false},
                      Scenario{"register_wrong_password.xml", true}),
    [](const ::testing::TestParamInfo<Scenario>& p) {
      std::string name = p.param.file;
      name = name.substr(0, name.find('.'));
      return name + (p.param.tcp ? "_tcp" : "_udp");
    });

// Calls we place (RFC 3261 §13.2) with SIPp as the callee over UDP: answered (180, 200 with
// SDP checked by SIPp, our ACK) and ended by our BYE, or by SIPp's; refused 486 and ACKed.
TEST_F(SipServerWithSipp, PlacedCallIsAnsweredAckedAndByedByUs) {
  std::vector<std::string> heard;
  std::string output;
  EXPECT_EQ(place_call_to_sipp("uas_answer.xml", true, &heard, &output), 0) << output;
  EXPECT_EQ(heard, (std::vector<std::string>{"progress 180", "answered PCMU"})) << output;
}

TEST_F(SipServerWithSipp, PlacedCallIsAnsweredThenByedByTheCallee) {
  std::vector<std::string> heard;
  std::string output;
  EXPECT_EQ(place_call_to_sipp("uas_answer_bye.xml", false, &heard, &output), 0) << output;
  EXPECT_EQ(heard, (std::vector<std::string>{"progress 180", "answered PCMA", "end bye"}))
      << output;
}

TEST_F(SipServerWithSipp, PlacedCallToABusyCalleeFails486) {
  std::vector<std::string> heard;
  std::string output;
  EXPECT_EQ(place_call_to_sipp("uas_busy.xml", false, &heard, &output), 0) << output;
  EXPECT_EQ(heard, std::vector<std::string>{"failed 486"}) << output;
}

// baresip (libre, a second implementation independent of SIPp) registers agent1 with digest
// authentication over UDP: its account answers our 401, the binding appears with baresip's own
// Contact and its source address, and on quitting (-t) it unregisters.
TEST_F(SipServerWithSipp, BaresipRegistersWithDigestAndUnregistersOnQuit) {
  ASSERT_EQ(::access("/usr/bin/baresip", X_OK), 0)
      << "baresip is not installed: run scripts/install-deps.sh (apt-get install baresip-core)";
  std::string dir_template = (std::filesystem::temp_directory_path() / "ccteams-baresip-XXXXXX");
  ASSERT_NE(::mkdtemp(dir_template.data()), nullptr);
  const std::filesystem::path dir = dir_template;
  // A minimal headless configuration: no audio device, SIP on loopback only.
  std::ofstream(dir / "config") << "sip_listen\t\t127.0.0.1:0\n"
                                   "net_interface\t\t127.0.0.1\n"
                                   "module_path\t\t/usr/lib/baresip/modules\n"
                                   "module\t\t\tg711.so\n"
                                   "module_tmp\t\taccount.so\n"
                                   "module_app\t\tmenu.so\n";
  std::ofstream(dir / "accounts") << "<sip:agent1@127.0.0.1:" << port_
                                  << ">;auth_pass=demo-password;regint=600\n";
  std::ofstream(dir / "contacts") << "";
  testing::ChildProcess baresip({"/usr/bin/baresip", "-f", dir.string(), "-t", "4"});
  const bool registered = baresip.wait_for_output("200 OK () [1 binding]", 10s);
  const auto bound = bindings("agent1");
  const auto status = baresip.wait_exit(20s);
  const auto after = bindings("agent1");
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(registered) << baresip.output();
  ASSERT_EQ(bound.size(), 1u) << baresip.output();
  EXPECT_EQ(bound[0].source.transport, "UDP");
  EXPECT_EQ(bound[0].source.address, "127.0.0.1");
  EXPECT_NE(bound[0].contact.uri.find("@127.0.0.1:"), std::string::npos) << bound[0].contact.uri;
  EXPECT_EQ(status, 0) << baresip.output();
  EXPECT_TRUE(after.empty()) << baresip.output();
}

}  // namespace
}  // namespace ccteams::sip
