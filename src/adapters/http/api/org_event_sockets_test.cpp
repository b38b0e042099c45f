#include "adapters/http/api/org_event_sockets.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace ccteams::http {
namespace {

// A socket that remembers how it was closed.
class FakeSocket final : public WebSocket {
 public:
  bool send(std::string) override { return true; }
  void close(std::string reason) override { close(1000, std::move(reason)); }
  void close(std::uint16_t code, std::string reason) override {
    if (!code_) {
      code_ = code;
      reason_ = std::move(reason);
    }
  }
  const std::string& remote_address() const override { return remote_; }
  std::optional<std::uint16_t> code_;
  std::string reason_;
  std::string remote_ = "127.0.0.1";
};

TEST(OrgEventSockets, AnOrganisationMovingAwayClosesItsSocketsOnlyWith1012) {
  OrgEventSockets sockets;
  auto a = std::make_shared<FakeSocket>();
  auto b = std::make_shared<FakeSocket>();
  auto other = std::make_shared<FakeSocket>();
  auto gone = std::make_shared<FakeSocket>();
  sockets.add(7, a);
  const auto token_b = sockets.add(7, b);
  sockets.add(8, other);
  sockets.add(7, gone);
  gone.reset();  // the connection ended without on_close yet: nothing to close
  sockets.remove(token_b);
  EXPECT_EQ(sockets.close_org(7), 1u);
  EXPECT_EQ(a->code_, std::optional<std::uint16_t>(1012));
  EXPECT_EQ(a->reason_, "organisation moved to another instance");
  EXPECT_FALSE(b->code_);  // closed already (removed)
  EXPECT_FALSE(other->code_);
  EXPECT_EQ(sockets.close_org(7), 0u);  // each is closed once
  EXPECT_EQ(sockets.close_org(8), 1u);
}

}  // namespace
}  // namespace ccteams::http
