// Sign-in under attack: the per-username slowdown, the per-address lockout, credential limits,
// the clean-up schedule, and the password check on the worker pool (issue 23).
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <future>
#include <thread>

#include "app/auth_service.hpp"
#include "app/auth_service_test_support.hpp"
#include "app/bounded_worker_pool.hpp"
#include "app/testing/fakes.hpp"
#include "app/testing/run_awaitable.hpp"
#include "app/testing/simulated_time.hpp"
#include "app/user_service.hpp"

namespace ccteams {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using auth_test::kT0;

// Records the thread of every verify, so a test can prove where hashing ran.
class ThreadRecordingHasher final : public PasswordHasher {
 public:
  Result<std::string> hash(std::string_view password) const override {
    return "plain$" + std::string(password);
  }
  bool verify(std::string_view encoded, std::string_view password) const override {
    std::lock_guard lock(mu_);
    threads.push_back(std::this_thread::get_id());
    return encoded == "plain$" + std::string(password);
  }
  mutable std::mutex mu_;
  mutable std::vector<std::thread::id> threads;
};

struct LoginFixture : auth_test::AuthTestBase {
  void SetUp() override {
    rebuild();
    const OrgId org = add_org("Acme");
    ASSERT_TRUE(add_user(org, {"agent1", "battery staple", "Agent", RoleSet{Role::agent}}));
    ASSERT_TRUE(add_user(org, {"agent2", "correct horse", "Agent", RoleSet{Role::agent}}));
  }
};

// The per-username slowdown over time, from one address: (seconds after start, right
// password?, expected). Errc::internal stands for success.
TEST_F(LoginFixture, WrongPasswordsSlowTheUsernameDownButTheRightOneGetsInAfterTheWait) {
  struct Step {
    int at_second;
    bool right_password;
    Errc expected;
    int retry_after = 0;  // checked when > 0
  };
  const std::vector<Step> steps = {
      {0, false, Errc::unauthenticated},
      {0, false, Errc::unauthenticated},
      {0, false, Errc::unauthenticated},
      {0, false, Errc::unauthenticated},
      {0, false, Errc::unauthenticated},  // fifth failure: 1 s to wait from now on
      {0, true, Errc::rate_limited, 1},   // even the right password must wait
      {1, false, Errc::unauthenticated},  // sixth failure: 2 s
      {2, true, Errc::rate_limited, 1},
      {3, false, Errc::unauthenticated},  // seventh: 4 s
      {6, false, Errc::rate_limited, 1},
      {7, true, Errc::internal},  // the owner gets in; their slowdown ends
      {7, false, Errc::unauthenticated},
      {7, true, Errc::internal},
  };
  for (const auto& s : steps) {
    clock.set(kT0 + std::chrono::seconds(s.at_second));
    const int verifies_before = hasher.verifies.load();
    auto r = sign_in("agent1", s.right_password ? "battery staple" : "wrong", "10.0.0.2");
    if (s.expected == Errc::internal) {
      EXPECT_TRUE(r) << "second " << s.at_second << ": " << r.error().message;
      continue;
    }
    ASSERT_FALSE(r) << "second " << s.at_second;
    EXPECT_EQ(r.error().code, s.expected) << "second " << s.at_second;
    if (s.expected == Errc::rate_limited) {
      EXPECT_EQ(r.error().retry_after_seconds, s.retry_after) << "second " << s.at_second;
      EXPECT_EQ(hasher.verifies.load(), verifies_before) << "a refused attempt costs no hash";
    }
  }
}

TEST_F(LoginFixture, TheWaitIsCappedSoNobodyIsLockedOut) {
  for (int i = 0; i < 40; ++i) {
    clock.advance(options.user_max_delay);
    (void)sign_in("agent1", "wrong", "10.0.0.2");
  }
  auto early = sign_in("agent1", "battery staple", "10.0.0.2");
  ASSERT_FALSE(early);
  EXPECT_EQ(early.error().code, Errc::rate_limited);
  EXPECT_LE(early.error().retry_after_seconds, 30);
  clock.advance(options.user_max_delay);
  EXPECT_TRUE(sign_in("agent1", "battery staple", "10.0.0.2"));
}

TEST_F(LoginFixture, AFloodFromOtherAddressesLetsTheOwnerInAfterTheWait) {
  // A botnet: many addresses, a few guesses each, well past the username-wide threshold.
  options.username_slowdown_failures = 20;
  rebuild();
  for (int host = 0; host < 30; ++host) {
    for (int i = 0; i < 3; ++i) {
      (void)sign_in("agent1", "guess", "198.51.100." + std::to_string(host));
    }
  }
  // The owner, from their own address with no failures, signs in at once.
  auto first = sign_in("agent1", "battery staple", "10.0.0.2");
  EXPECT_TRUE(first) << first.error().message;
  // A typo during the attack slows the owner down from the first failure, but only briefly.
  ASSERT_FALSE(sign_in("agent1", "typo", "10.0.0.2"));
  auto at_once = sign_in("agent1", "battery staple", "10.0.0.2");
  ASSERT_FALSE(at_once);
  EXPECT_EQ(at_once.error().code, Errc::rate_limited);
  EXPECT_EQ(at_once.error().retry_after_seconds, 1);
  // Meanwhile the flood goes on from a fresh address.
  for (int i = 0; i < 3; ++i) (void)sign_in("agent1", "guess", "203.0.113.77");
  clock.advance(1s);
  auto after_wait = sign_in("agent1", "battery staple", "10.0.0.2");
  EXPECT_TRUE(after_wait) << after_wait.error().message;
  // And the attackers' addresses are slowed from their first failure now.
  clock.advance(1s);
  ASSERT_FALSE(sign_in("agent1", "guess", "198.51.100.200"));
  auto second_guess = sign_in("agent1", "guess", "198.51.100.200");
  ASSERT_FALSE(second_guess);
  EXPECT_EQ(second_guess.error().code, Errc::rate_limited);
}

TEST_F(LoginFixture, OneAddressGuessingManyUsernamesIsLockedOutForAll) {
  options.max_address_failures = 10;
  rebuild();
  for (int i = 0; i < 10; ++i) {
    (void)sign_in("user" + std::to_string(i), "x", "2001:db8:1:2::/64");
  }
  auto locked = sign_in("agent2", "correct horse", "2001:db8:1:2::/64");
  ASSERT_FALSE(locked);
  EXPECT_EQ(locked.error().code, Errc::rate_limited);
  EXPECT_EQ(locked.error().retry_after_seconds, 15 * 60);
  EXPECT_TRUE(sign_in("agent2", "correct horse", "2001:db8:1:3::/64"));
  clock.advance(options.lockout);
  EXPECT_TRUE(sign_in("agent2", "correct horse", "2001:db8:1:2::/64"));
}

TEST_F(LoginFixture, OverlongCredentialsAreRefusedBeforeAnythingIsStoredOrHashed) {
  const int hashes_before = hasher.verifies.load();
  struct Case {
    std::string username;
    std::string password;
    const char* mentions;
  };
  const std::vector<Case> cases = {
      {std::string(65, 'a'), "pw", "username"},
      {std::string(100'000, 'a'), "pw", "username"},
      {"", "pw", "username"},
      {"agent1", std::string(1025, 'p'), "password"},
      {"bad name", "pw", "username"},
  };
  for (const auto& c : cases) {
    auto r = sign_in(c.username, c.password, "10.0.0.2");
    ASSERT_FALSE(r) << c.mentions;
    EXPECT_EQ(r.error().code, Errc::invalid_input) << r.error().message;
    EXPECT_NE(r.error().message.find(c.mentions), std::string::npos) << r.error().message;
  }
  EXPECT_EQ(store.stored_failures(), 0u);
  EXPECT_EQ(hasher.verifies.load(), hashes_before);
  // At the limits they are ordinary (wrong) credentials.
  auto at_limit = sign_in(std::string(64, 'a'), std::string(1024, 'p'), "10.0.0.2");
  ASSERT_FALSE(at_limit);
  EXPECT_EQ(at_limit.error().code, Errc::unauthenticated);
}

TEST_F(LoginFixture, OldFailureRecordsArePrunedOnTheScheduleWithoutAnySignIn) {
  testing::SimulatedTime time{kT0};  // this test's clock and scheduler
  boost::asio::io_context io;        // where the schedule runs
  auth = std::make_unique<AuthService>(port, hasher, tokens, time, options);
  auth->start_clean_up(io.get_executor(), time);
  testing::SimulatedTime::drain(io);
  for (int i = 0; i < 3; ++i) (void)sign_in("agent1", "wrong", "10.0.0.2");
  EXPECT_EQ(store.stored_failures(), 9u);  // per (username, address), username, address
  // Records live twice the longest window; before that the schedule keeps them.
  const Millis keep = std::max(options.failure_window, options.lockout) * 2;
  time.run_for(io, kT0 + keep - options.clean_up_interval - time.now());
  EXPECT_EQ(store.stored_failures(), 9u);
  EXPECT_EQ(time.pending(), 1u) << "the next clean-up is scheduled";
  time.run_for(io, options.clean_up_interval * 2);
  EXPECT_EQ(store.stored_failures(), 0u);

  auth->stop_clean_up();
  testing::SimulatedTime::drain(io);
  EXPECT_EQ(time.pending(), 0u);
  auth.reset();  // before io, which holds its schedule
}

TEST_F(LoginFixture, PasswordsAreCheckedOnTheWorkersNeverOnTheIoThread) {
  ThreadRecordingHasher recording;
  AuthService service(port, recording, tokens, clock, options);
  BoundedWorkerPool workers({1, 4});
  asio::io_context ioc;
  std::promise<Result<LoginResult>> outcome;
  std::thread::id io_thread;
  std::thread::id resumed_on;
  asio::co_spawn(
      ioc,
      [&]() -> asio::awaitable<void> {
        io_thread = std::this_thread::get_id();
        auto r = co_await service.login("agent1", "battery staple", "10.0.0.2", workers);
        resumed_on = std::this_thread::get_id();
        outcome.set_value(std::move(r));
      },
      asio::detached);
  std::thread runner([&] { ioc.run(); });
  auto future = outcome.get_future();
  ASSERT_EQ(future.wait_for(30s), std::future_status::ready);
  runner.join();
  auto r = future.get();
  EXPECT_TRUE(r) << r.error().message;
  std::lock_guard lock(recording.mu_);
  ASSERT_FALSE(recording.threads.empty());
  for (auto id : recording.threads) EXPECT_NE(id, io_thread);
  EXPECT_EQ(resumed_on, io_thread) << "the handler continues on its own thread";
}

TEST_F(LoginFixture, AFullWorkerQueueRefusesTheSignInAtOnce) {
  // One worker, no queue, held busy: the next sign-in is refused without being checked.
  BoundedWorkerPool workers({1, 0});
  asio::io_context ioc;
  auto guard = asio::make_work_guard(ioc);
  std::thread runner([&] { ioc.run(); });
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> busy;
  asio::co_spawn(
      ioc,
      [&]() -> asio::awaitable<void> {
        (void)co_await workers.run([&] {
          busy.set_value();
          released.wait();
        });
      },
      asio::detached);
  ASSERT_EQ(busy.get_future().wait_for(30s), std::future_status::ready);
  std::promise<Result<LoginResult>> outcome;
  const int verifies_before = hasher.verifies.load();
  asio::co_spawn(
      ioc,
      [&]() -> asio::awaitable<void> {
        outcome.set_value(co_await auth->login("agent1", "battery staple", "10.0.0.2", workers));
      },
      asio::detached);
  auto future = outcome.get_future();
  ASSERT_EQ(future.wait_for(30s), std::future_status::ready);
  auto r = future.get();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::rate_limited);
  EXPECT_GT(r.error().retry_after_seconds, 0);
  EXPECT_EQ(hasher.verifies.load(), verifies_before);
  EXPECT_EQ(store.stored_failures(), 0u) << "a refusal for load is not a failed guess";
  release.set_value();
  guard.reset();
  runner.join();
}

}  // namespace
}  // namespace ccteams
