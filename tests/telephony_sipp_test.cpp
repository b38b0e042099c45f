// Issue 20, part 7 end to end: SIPp as a carrier trunk calls the service in process (wired as
// `ccteams demo --sip-port 0` wires it: loopback is the demo's trunk, each demo queue has a
// number). A call to Sales's number is answered with SDP, our greeting's RTP reaches the
// caller's RTP port, the contact waits in Sales over the REST API, and the caller's BYE
// abandons it and gives its RTP port back. A supervisor's force end hangs the caller up (our
// BYE). An unmapped number is refused 404, a source that
// is no trunk 403, and neither makes a contact or holds a port. With agent1's phone registered
// (SIPp, digest) and agent1 Available, the call rings that phone (a SIPp UAS on the registered
// port), its answer connects the contact and bridges the RTP both ways, and the caller's BYE
// hangs the phone up (our BYE) and gives both ports back.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/json.hpp>
#include <thread>

#include "cli/telephony_module.hpp"
#include "demo_fixture.hpp"
#include "in_process_runtime.hpp"
#include "support/run_helpers.hpp"

namespace ccteams::testing {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

// The caller's RTP port: a loopback UDP socket counting what arrives, on a thread of its own.
// A talking ear (talk != 0) also sends a 20 ms PCMU frame of `talk` bytes every 20 ms to
// where the last packet came from (symmetric RTP, as phones do), and counts the frames of
// `hears` bytes that arrive: the far side's voice through the relay.
class RtpEar {
 public:
  explicit RtpEar(std::uint8_t talk = 0, std::uint8_t hears = 0) : talk_(talk), hears_(hears) {
    fd_ = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    timeval tv{0, talk_ != 0 ? 5'000 : 100'000};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    reader_ = std::thread([this] {
      std::uint8_t buf[2048];
      sockaddr_in from{};
      bool learned = false;
      std::uint16_t seq = 0;
      auto next = std::chrono::steady_clock::now();
      while (!stop_) {
        sockaddr_in src{};
        socklen_t src_len = sizeof src;
        const auto n =
            ::recvfrom(fd_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&src), &src_len);
        if (n >= 12) {
          from = src;
          learned = true;
          // RTP version 2, payload type PCMU (the offer's only codec).
          if ((buf[0] >> 6) == 2 && (buf[1] & 0x7F) == 0) ++pcmu_;
          if (hears_ != 0 && n == 12 + 160 && buf[12] == hears_ && buf[n - 1] == hears_) ++heard_;
          ++packets_;
        }
        if (talk_ == 0 || !learned || std::chrono::steady_clock::now() < next) continue;
        next += 20ms;
        std::uint8_t out[12 + 160];
        std::fill(std::begin(out), std::end(out), talk_);
        out[0] = 0x80;
        out[1] = 0;  // PCMU
        out[2] = static_cast<std::uint8_t>(seq >> 8);
        out[3] = static_cast<std::uint8_t>(seq);
        const std::uint32_t ts = 160U * seq++;
        out[4] = static_cast<std::uint8_t>(ts >> 24);
        out[5] = static_cast<std::uint8_t>(ts >> 16);
        out[6] = static_cast<std::uint8_t>(ts >> 8);
        out[7] = static_cast<std::uint8_t>(ts);
        out[8] = 0x12;  // our SSRC
        out[9] = 0x34;
        out[10] = talk_;
        out[11] = talk_;
        ::sendto(fd_, out, sizeof out, 0, reinterpret_cast<sockaddr*>(&from), sizeof from);
      }
    });
  }
  ~RtpEar() {
    stop_ = true;
    reader_.join();
    ::close(fd_);
  }
  std::uint16_t port() const { return port_; }
  int packets() const { return packets_; }
  int pcmu() const { return pcmu_; }
  int heard() const { return heard_; }

 private:
  std::uint8_t talk_ = 0;
  std::uint8_t hears_ = 0;
  std::atomic<int> heard_{0};
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> packets_{0};
  std::atomic<int> pcmu_{0};
  std::thread reader_;
};

// Polls cond every 20 ms for up to timeout (real processes and sockets: no simulated time).
template <class Cond>
bool eventually(Cond cond, std::chrono::milliseconds timeout = 10s) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    if (cond()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return cond();
}

class TelephonySipp : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::access("/usr/bin/sipp", X_OK), 0)
        << "sipp is not installed: run scripts/install-deps.sh (apt-get install sip-tester)";
    auto o = in_process_options(dir_);
    o.demo = true;  // the demo's queues, with a number each
    o.demo_sip_port = 0;
    o.demo_sip_password = "pw";
    o.demo_agents = 1;
    runtime_ = create_seeded_runtime(std::move(o));
    ASSERT_TRUE(runtime_);
    port_ = start_runtime(*runtime_);
    ASSERT_NE(port_, 0);
    telephony_ = runtime_->telephony();
    ASSERT_NE(telephony_, nullptr);
    ASSERT_FALSE(telephony_->info().numbers.empty());
    sip_port_ = telephony_->info().port;
    admin_ = login("admin");
  }
  void TearDown() override {
    stop_runtime(runtime_);
    std::filesystem::remove_all(dir_);
  }

  std::string login(const std::string& user) {
    auto r = http_request(port_, "POST", "/api/v1/auth/login",
                          R"({"username":")" + user + R"(","password":"pw"})");
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? std::string(json::parse(r.body).at("token").as_string()) : "";
  }
  json::value get(const std::string& target) {
    auto r = http_request(port_, "GET", target, {}, {{"Authorization", "Bearer " + admin_}});
    EXPECT_EQ(r.status, 200) << target << ": " << r.body;
    return r.status == 200 ? json::parse(r.body) : json::value();
  }
  std::int64_t queue_id(const std::string& name) {
    const json::value queues = get("/api/v1/queues");
    for (const auto& q : queues.at("items").as_array()) {
      if (q.at("name").as_string() == name) return q.at("id").as_int64();
    }
    ADD_FAILURE() << "no queue " << name;
    return 0;
  }
  std::unique_ptr<ChildProcess> sipp(const std::string& scenario, std::vector<std::string> extra) {
    std::vector<std::string> argv = {"/usr/bin/sipp", "-sf",
                                     std::string(CCTEAMS_SOURCE_DIR) + "/" + scenario,
                                     "127.0.0.1:" + std::to_string(sip_port_), "-m", "1",
                                     "-timeout", "20", "-timeout_error", "-nostdin"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return std::make_unique<ChildProcess>(argv);
  }

  std::filesystem::path dir_ = make_temp_dir("ccteams-telephony");
  std::unique_ptr<cli::Runtime> runtime_;
  cli::TelephonyModule* telephony_ = nullptr;
  std::uint16_t port_ = 0;
  std::uint16_t sip_port_ = 0;
  std::string admin_;
};

TEST_F(TelephonySipp, ACallToAQueueNumberIsQueuedWithMusicAndAbandonedOnBye) {
  const auto sales = queue_id("Sales");
  const auto& numbers = telephony_->info().numbers;
  const auto number = std::find_if(numbers.begin(), numbers.end(),
                                   [](const auto& n) { return n.queue == "Sales"; });
  ASSERT_NE(number, numbers.end());
  RtpEar ear;
  auto call = sipp("tests/sipp/call_queue.xml", {"-i", "127.0.0.1", "-s", number->number, "-set",
                                                 "rtp_port", std::to_string(ear.port()), "-d",
                                                 "3000"});
  // Answered: the greeting arrives at the caller's port (50 packets a second).
  ASSERT_TRUE(eventually([&] { return ear.packets() >= 25; })) << call->output();
  const std::string stats = "/api/v1/queues/" + std::to_string(sales) + "/stats";
  EXPECT_EQ(get(stats).at("waiting").as_int64(), 1);
  EXPECT_EQ(telephony_->rtp_ports_in_use(), 1U);
  EXPECT_EQ(telephony_->live_calls(), 1U);
  const auto status = call->wait_exit(30s);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(*status, 0) << call->output();
  EXPECT_GE(ear.pcmu(), 100) << "3 s of greeting at 50 packets a second";
  EXPECT_EQ(ear.pcmu(), ear.packets());
  // The BYE: the contact is abandoned, the port given back, nothing left of the call.
  EXPECT_TRUE(eventually([&] {
    return telephony_->rtp_ports_in_use() == 0 && telephony_->live_calls() == 0 &&
           telephony_->open_calls() == 0;
  }));
  EXPECT_EQ(get(stats).at("waiting").as_int64(), 0);
  // The first contact of a fresh database, with the caller's number from From.
  const auto contact = get("/api/v1/contacts/1").at("contact");
  EXPECT_EQ(contact.at("state").as_string(), "Ended");
  EXPECT_EQ(contact.at("endReason").as_string(), "abandoned");
  EXPECT_EQ(contact.at("caller").as_string(), "+4930111111");
  EXPECT_EQ(contact.at("queueId").as_int64(), sales);
}

TEST_F(TelephonySipp, ARegisteredAgentsPhoneRingsAnswersAndIsBridgedUntilTheCallerHangsUp) {
  // agent1's phone registers from phone_port (digest with the demo's SIP password), and the
  // phone that answers listens there once the registering SIPp is gone.
  const std::uint16_t phone_port = free_loopback_port();
  auto reg = sipp("tests/sipp/agent_register.xml",
                  {"-i", "127.0.0.1", "-p", std::to_string(phone_port), "-s", "agent1", "-au",
                   "agent1", "-ap", "pw"});
  auto status = reg->wait_exit(30s);
  ASSERT_TRUE(status.has_value());
  ASSERT_EQ(*status, 0) << reg->output();
  const std::string agent = login("agent1");
  auto in = http_request(port_, "POST", "/api/v1/me/session", "",
                         {{"Authorization", "Bearer " + agent}});
  ASSERT_EQ(in.status, 200) << in.body;
  const auto agent_id = json::parse(in.body).at("agentId").as_int64();

  RtpEar caller_ear(0x11, 0x22);
  RtpEar phone_ear(0x22, 0x11);
  auto phone = sipp("tests/sipp/agent_answer.xml",
                    {"-i", "127.0.0.1", "-p", std::to_string(phone_port), "-set", "rtp_port",
                     std::to_string(phone_ear.port())});
  const auto& numbers = telephony_->info().numbers;
  const auto number = std::find_if(numbers.begin(), numbers.end(),
                                   [](const auto& n) { return n.queue == "Sales"; });
  ASSERT_NE(number, numbers.end());
  auto call = sipp("tests/sipp/call_queue.xml", {"-i", "127.0.0.1", "-s", number->number, "-set",
                                                 "rtp_port", std::to_string(caller_ear.port()),
                                                 "-d", "4000"});
  // The phone answered: the contact is Connected for agent1, the call holds two ports.
  ASSERT_TRUE(eventually([&] {
    const auto r = http_request(port_, "GET", "/api/v1/contacts/1", {},
                                {{"Authorization", "Bearer " + admin_}});
    if (r.status != 200) return false;
    const auto c = json::parse(r.body).at("contact");
    return c.at("state").as_string() == "Connected" && c.at("agentId").as_int64() == agent_id;
  })) << call->output() << phone->output();
  EXPECT_EQ(telephony_->rtp_ports_in_use(), 2U);
  // Each side hears the other through ccteams' ports.
  EXPECT_TRUE(eventually([&] { return caller_ear.heard() >= 25 && phone_ear.heard() >= 25; }))
      << "caller heard " << caller_ear.heard() << ", phone heard " << phone_ear.heard();
  // The caller's BYE: our BYE to the phone, the contact ends, every port comes back.
  status = call->wait_exit(30s);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(*status, 0) << call->output();
  status = phone->wait_exit(30s);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(*status, 0) << phone->output();
  EXPECT_TRUE(eventually([&] {
    return telephony_->rtp_ports_in_use() == 0 && telephony_->live_calls() == 0 &&
           telephony_->open_calls() == 0;
  }));
  const auto contact = get("/api/v1/contacts/1").at("contact");
  EXPECT_EQ(contact.at("state").as_string(), "Ended");
  EXPECT_EQ(contact.at("endReason").as_string(), "completed");
}

TEST_F(TelephonySipp, ASupervisorsForceEndHangsUpTheCaller) {
  RtpEar ear;
  auto call = sipp("tests/sipp/call_hung_up.xml",
                   {"-i", "127.0.0.1", "-s", telephony_->info().numbers.front().number, "-set",
                    "rtp_port", std::to_string(ear.port())});
  ASSERT_TRUE(eventually([&] { return ear.packets() >= 10; })) << call->output();
  auto ended = http_request(port_, "POST", "/api/v1/contacts/1/force-end", "{}",
                            {{"Authorization", "Bearer " + admin_}});
  EXPECT_EQ(ended.status, 200) << ended.body;
  // SIPp passes once our BYE came and it answered it.
  const auto status = call->wait_exit(30s);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(*status, 0) << call->output();
  EXPECT_TRUE(eventually([&] {
    return telephony_->rtp_ports_in_use() == 0 && telephony_->live_calls() == 0;
  }));
  EXPECT_EQ(get("/api/v1/contacts/1").at("contact").at("endReason").as_string(), "forced");
}

TEST_F(TelephonySipp, AnUnmappedNumberIs404AndNoTrunkIs403) {
  auto unknown = sipp("src/adapters/sip/sipp/invite_404.xml", {"-i", "127.0.0.1"});
  auto status = unknown->wait_exit(30s);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(*status, 0) << unknown->output();
  // 127.0.0.2 is loopback too, but not the demo's trunk (127.0.0.1).
  auto stranger = sipp("tests/sipp/call_forbidden.xml",
                       {"-i", "127.0.0.2", "-s", telephony_->info().numbers.front().number});
  status = stranger->wait_exit(30s);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(*status, 0) << stranger->output();
  EXPECT_EQ(telephony_->rtp_ports_in_use(), 0U);
  EXPECT_EQ(telephony_->live_calls(), 0U);
  auto none = http_request(port_, "GET", "/api/v1/contacts/1", {},
                           {{"Authorization", "Bearer " + admin_}});
  EXPECT_EQ(none.status, 404) << none.body;
}

}  // namespace
}  // namespace ccteams::testing
