#pragma once
// What the sign-in tests share (auth_service_test.cpp, auth_service_login_test.cpp): the
// service on in-memory accounts behind testing::TestStore, and its awaitable calls run to
// completion from plain test code.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "app/auth_service.hpp"
#include "app/testing/fake_clock.hpp"
#include "app/testing/fakes.hpp"
#include "app/testing/in_memory_account_store.hpp"
#include "app/testing/run_awaitable.hpp"
#include "app/testing/test_store.hpp"
#include "app/user_service.hpp"

namespace ccteams::auth_test {

inline constexpr Timestamp kT0{Millis{1'800'000'000'000}};

struct AuthTestBase : ::testing::Test {
  testing::InMemoryAccountStore store;
  testing::TestStore port{testing::TestStores{.accounts = &store}};
  testing::InlineWorkers inline_workers;
  testing::PlainHasher hasher;
  testing::CountingTokens tokens;
  FakeClock clock{kT0};
  AuthOptions options;
  std::unique_ptr<AuthService> auth;
  UserService users{port, inline_workers, hasher, clock};

  // A new service with the current options.
  void rebuild() { auth = std::make_unique<AuthService>(port, hasher, tokens, clock, options); }
  OrgId add_org(const std::string& name) {
    return testing::run_awaitable(users.ensure_org(name)).value().id;
  }
  Result<UserAccount> add_user(OrgId org, NewUser user) {
    return testing::run_awaitable(users.create(org, std::move(user)));
  }
  Result<LoginResult> login_on(AuthService& service, std::string username, std::string password,
                               std::string address) {
    return testing::run_awaitable(service.login(std::move(username), std::move(password),
                                                std::move(address), inline_workers));
  }
  Result<LoginResult> sign_in(std::string username, std::string password, std::string address) {
    return login_on(*auth, std::move(username), std::move(password), std::move(address));
  }
  Result<Caller> authenticate(std::string token) {
    return testing::run_awaitable(auth->authenticate(std::move(token)));
  }
  Result<void> logout(const Caller& caller) { return testing::run_awaitable(auth->logout(caller)); }
};

}  // namespace ccteams::auth_test
