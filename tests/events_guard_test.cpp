// Issue 23 end to end through the real binary: the events WebSocket's upgrade guards (Origin,
// no token in the URL, single-use tickets, sockets per session) and sockets closing when their
// session ends (logout, a disabled or deleted user, a role change, a password change).
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <condition_variable>
#include <thread>

#include "demo_fixture.hpp"

namespace ccteams::testing {
namespace {

namespace json = boost::json;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
using tcp = boost::asio::ip::tcp;
using namespace std::chrono_literals;

using Headers = std::vector<std::pair<std::string, std::string>>;

// A blocking WebSocket client that records how the server closed it.
class Socket {
 public:
  Socket(std::uint16_t port, const std::string& target, const Headers& headers) : ws_(ioc_) {
    tcp::resolver resolver(ioc_);
    boost::asio::connect(ws_.next_layer(), resolver.resolve("127.0.0.1", std::to_string(port)));
    ws_.set_option(websocket::stream_base::decorator([headers](websocket::request_type& req) {
      for (const auto& [k, v] : headers) req.set(k, v);
    }));
    beast::error_code ec;
    ws_.handshake(response_, "127.0.0.1:" + std::to_string(port), target, ec);
    if (ec) return;
    open_ = true;
    reader_ = std::thread([this] { read_loop(); });
  }
  ~Socket() {
    ::shutdown(ws_.next_layer().native_handle(), SHUT_RDWR);  // unblocks the reader
    if (reader_.joinable()) reader_.join();
  }
  bool open() const { return open_; }
  int status() const { return static_cast<int>(response_.result_int()); }
  std::string body() const { return response_.body(); }

  // The close frame's code once the server closed the socket, or 0 after timeout.
  int wait_closed(std::chrono::milliseconds timeout = 30s) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, timeout, [&] { return ended_; });
    return close_code_;
  }
  std::string close_reason() {
    std::lock_guard lock(mu_);
    return close_reason_;
  }
  std::vector<std::string> messages() {
    std::lock_guard lock(mu_);
    return messages_;
  }
  // Waits until at least n messages contain needle; returns the messages then.
  std::vector<std::string> wait_count(std::size_t n, std::string_view needle,
                                      std::chrono::milliseconds timeout = 30s) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, timeout, [&] {
      return static_cast<std::size_t>(std::count_if(messages_.begin(), messages_.end(), [&](auto& m) {
               return m.find(needle) != std::string::npos;
             })) >= n;
    });
    return messages_;
  }
  bool saw(std::string_view type, std::chrono::milliseconds timeout = 30s) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] {
      for (const auto& m : messages_) {
        if (m.find("\"type\":\"" + std::string(type) + "\"") != std::string::npos) return true;
      }
      return false;
    });
  }

 private:
  void read_loop() {
    for (;;) {
      beast::flat_buffer buf;
      beast::error_code ec;
      ws_.read(buf, ec);
      std::lock_guard lock(mu_);
      if (ec) {
        if (ec == websocket::error::closed) {
          close_code_ = ws_.reason().code;
          close_reason_ = std::string(ws_.reason().reason.c_str());
        }
        ended_ = true;
        cv_.notify_all();
        return;
      }
      messages_.push_back(beast::buffers_to_string(buf.data()));
      cv_.notify_all();
    }
  }

  boost::asio::io_context ioc_;
  websocket::stream<tcp::socket> ws_;
  websocket::response_type response_;
  bool open_ = false;
  std::thread reader_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> messages_;
  bool ended_ = false;
  int close_code_ = 0;
  std::string close_reason_;
};

Headers bearer(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }

class EventsGuard : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_NE(demo.port(), 0); }
  std::string origin() const { return "http://127.0.0.1:" + std::to_string(demo.port()); }
  Headers browser(const std::string& token) const {
    return {{"Origin", origin()}, {"Cookie", "ccteams_session=" + token}};
  }
  std::int64_t user_id(const std::string& token) {
    return json::parse(demo.get("/api/v1/auth/session", token).body).at("id").as_int64();
  }
  std::string ticket(const std::string& token) {
    auto r = demo.send("POST", "/api/v1/events/ticket", "", token);
    EXPECT_EQ(r.status, 200) << r.body;
    return std::string(json::parse(r.body).at("ticket").as_string());
  }
  void patch_user(const std::string& admin, std::int64_t id, const std::string& body) {
    auto r = demo.send("PATCH", "/api/v1/users/" + std::to_string(id), body, admin);
    ASSERT_EQ(r.status, 200) << r.body;
  }

  DemoProcess demo;
};

TEST_F(EventsGuard, OriginMustBeTheConsolesOwn) {
  const auto t = demo.login("agent1");
  Socket ours(demo.port(), "/api/v1/events", browser(t));
  EXPECT_TRUE(ours.open()) << ours.status() << " " << ours.body();
  EXPECT_TRUE(ours.saw("subscribed"));

  Headers evil = {{"Origin", "http://evil.example"}, {"Cookie", "ccteams_session=" + t}};
  Socket foreign(demo.port(), "/api/v1/events", evil);
  EXPECT_FALSE(foreign.open());
  EXPECT_EQ(foreign.status(), 403);
  EXPECT_NE(foreign.body().find("\"forbidden\""), std::string::npos) << foreign.body();

  // Without Origin (not a browser) only the bearer header authenticates.
  Socket cookie_only(demo.port(), "/api/v1/events", {{"Cookie", "ccteams_session=" + t}});
  EXPECT_EQ(cookie_only.status(), 403);
  Socket api_client(demo.port(), "/api/v1/events", bearer(t));
  EXPECT_TRUE(api_client.open()) << api_client.status();
  Socket nothing(demo.port(), "/api/v1/events", {});
  EXPECT_EQ(nothing.status(), 401);
}

TEST_F(EventsGuard, TokensInTheUrlAreRefusedAndTicketsAreSingleUse) {
  const auto t = demo.login("agent1");
  const Headers page = {{"Origin", origin()}};
  for (const char* param : {"access_token", "token"}) {
    Socket s(demo.port(), "/api/v1/events?" + std::string(param) + "=" + t, page);
    EXPECT_EQ(s.status(), 400) << param;
  }
  const auto once = ticket(t);
  Socket first(demo.port(), "/api/v1/events?ticket=" + once, page);
  EXPECT_TRUE(first.open()) << first.status() << " " << first.body();
  Socket again(demo.port(), "/api/v1/events?ticket=" + once, page);
  EXPECT_EQ(again.status(), 401);
  Socket made_up(demo.port(), "/api/v1/events?ticket=not-a-ticket", page);
  EXPECT_EQ(made_up.status(), 401);
  // A cookie session mints tickets only with its CSRF token.
  auto no_csrf = http_request(demo.port(), "POST", "/api/v1/events/ticket", "",
                              {{"Cookie", "ccteams_session=" + t}});
  EXPECT_EQ(no_csrf.status, 403);
  EXPECT_EQ(demo.send("POST", "/api/v1/events/ticket", "", "").status, 401);
}

TEST_F(EventsGuard, ASessionHoldsAtMostEightSockets) {
  const auto t = demo.login("agent1");
  std::vector<std::unique_ptr<Socket>> open;
  for (int i = 0; i < 8; ++i) {
    open.push_back(std::make_unique<Socket>(demo.port(), "/api/v1/events", bearer(t)));
    ASSERT_TRUE(open.back()->open()) << i << ": " << open.back()->status();
  }
  Socket ninth(demo.port(), "/api/v1/events", bearer(t));
  EXPECT_EQ(ninth.status(), 429);
  EXPECT_NE(ninth.body().find("rate_limited"), std::string::npos) << ninth.body();
  // Another session of the same user is not affected.
  Socket other(demo.port(), "/api/v1/events", bearer(demo.login("agent1")));
  EXPECT_TRUE(other.open());
}

TEST_F(EventsGuard, LogoutClosesTheSessionsSocket) {
  const auto t = demo.login("agent1");
  const auto kept = demo.login("agent1");
  Socket s(demo.port(), "/api/v1/events", bearer(t));
  Socket other(demo.port(), "/api/v1/events", bearer(kept));
  ASSERT_TRUE(s.saw("subscribed"));
  ASSERT_EQ(demo.send("POST", "/api/v1/auth/logout", "", t).status, 204);
  EXPECT_EQ(s.wait_closed(), 1008);
  EXPECT_EQ(s.close_reason(), "session ended");
  EXPECT_EQ(other.wait_closed(200ms), 0);  // the user's other session goes on
}

TEST_F(EventsGuard, DisablingDeletingOrChangingAUserClosesTheirSockets) {
  const auto admin = demo.login("admin");
  // Disabled: the socket closes and the session is gone.
  const auto t1 = demo.login("agent1");
  Socket s1(demo.port(), "/api/v1/events", bearer(t1));
  ASSERT_TRUE(s1.saw("subscribed"));
  patch_user(admin, user_id(t1), R"({"disabled":true})");
  EXPECT_EQ(s1.wait_closed(), 1008);
  EXPECT_EQ(demo.get("/api/v1/auth/session", t1).status, 401);

  // New roles: the socket (whose filter followed the old role) closes.
  const auto t2 = demo.login("agent2");
  Socket s2(demo.port(), "/api/v1/events", bearer(t2));
  ASSERT_TRUE(s2.saw("subscribed"));
  patch_user(admin, user_id(t2), R"({"roles":["agent","supervisor"]})");
  EXPECT_EQ(s2.wait_closed(), 1008);

  // A new password set by an admin: every session of that user ends.
  const auto t3 = demo.login("agent3");
  Socket s3(demo.port(), "/api/v1/events", bearer(t3));
  ASSERT_TRUE(s3.saw("subscribed"));
  const auto id3 = user_id(t3);
  patch_user(admin, id3, R"({"password":"another passphrase"})");
  EXPECT_EQ(s3.wait_closed(), 1008);
  EXPECT_EQ(demo.get("/api/v1/auth/session", t3).status, 401);

  // Deleted.
  const auto t4 = demo.login("agent3", "another passphrase");
  Socket s4(demo.port(), "/api/v1/events", bearer(t4));
  ASSERT_TRUE(s4.saw("subscribed"));
  ASSERT_EQ(demo.send("DELETE", "/api/v1/users/" + std::to_string(id3), "", admin).status, 204);
  EXPECT_EQ(s4.wait_closed(), 1008);
}

TEST_F(EventsGuard, OwnPasswordChangeKeepsTheChangingSessionsSocket) {
  const auto here = demo.login("admin");
  const auto there = demo.login("admin");
  Socket mine(demo.port(), "/api/v1/events", bearer(here));
  Socket elsewhere(demo.port(), "/api/v1/events", bearer(there));
  ASSERT_TRUE(mine.saw("subscribed"));
  ASSERT_TRUE(elsewhere.saw("subscribed"));
  patch_user(here, user_id(here), R"({"password":"another passphrase"})");
  EXPECT_EQ(elsewhere.wait_closed(), 1008);
  EXPECT_EQ(mine.wait_closed(200ms), 0);
  EXPECT_EQ(demo.get("/api/v1/auth/session", here).status, 200);
  EXPECT_EQ(demo.get("/api/v1/auth/session", there).status, 401);
}

TEST_F(EventsGuard, AResumeReplaysAtMostTheBoundThenAsksForAReload) {
  const auto sup = demo.login("supervisor");
  const auto agent = demo.login("agent1");
  Socket live(demo.port(), "/api/v1/events", bearer(sup));
  ASSERT_TRUE(live.saw("subscribed"));
  ASSERT_EQ(demo.send("POST", "/api/v1/me/session", "", agent).status, 200);
  const auto code = json::parse(demo.get("/api/v1/me/desktop", agent).body)
                        .at("idleCodes").at(0).at("id").as_int64();
  // More events than the default bound (200): each state change is at least one.
  for (int i = 0; i < 110; ++i) {
    ASSERT_EQ(demo.send("PUT", "/api/v1/me/state",
                        R"({"state":"Idle","idleCodeId":)" + std::to_string(code) + "}", agent)
                  .status, 200);
    ASSERT_EQ(demo.send("PUT", "/api/v1/me/state", R"({"state":"Available"})", agent).status, 200);
  }
  std::vector<std::int64_t> seqs;
  for (const auto& m : live.wait_count(220, "\"seq\":")) {
    auto v = json::parse(m).as_object();
    if (v.contains("seq")) seqs.push_back(v.at("seq").as_int64());
  }
  ASSERT_GE(seqs.size(), 220u);

  Socket far(demo.port(), "/api/v1/events?after=" + std::to_string(seqs.front()), bearer(sup));
  ASSERT_TRUE(far.open()) << far.status();
  EXPECT_TRUE(far.saw("error"));
  EXPECT_NE(far.wait_closed(), 0);
  EXPECT_NE(far.messages().front().find("resync_required"), std::string::npos);
  EXPECT_FALSE(far.saw("subscribed", 0ms));

  Socket near(demo.port(), "/api/v1/events?after=" + std::to_string(seqs[seqs.size() - 10]),
              bearer(sup));
  EXPECT_TRUE(near.saw("subscribed"));
  EXPECT_FALSE(near.saw("error", 0ms));
}

}  // namespace
}  // namespace ccteams::testing
