#include "emulator/webhook_url.hpp"

#include <gtest/gtest.h>

namespace ccteams::emulator {
namespace {

struct UrlCase {
  const char* url;
  bool refused;   // accepted with HttpWebhooks::refused (Graph's rule)
  bool loopback;  // accepted with HttpWebhooks::loopback (`ccteams graph-emulator`)
  bool any;       // accepted with HttpWebhooks::any
};

// The emulator's notificationUrl rule, one row per URL shape.
constexpr UrlCase kCases[] = {
    {"https://cc.example/hook", true, true, true},
    {"https://127.0.0.1:8443/hook", true, true, true},
    {"http://127.0.0.1:8080/webhooks/graph/notifications", false, true, true},
    {"http://127.0.0.1/hook", false, true, true},
    {"http://127.1.2.3:9/hook", false, true, true},
    {"http://127.255.255.255:9/hook", false, true, true},
    {"http://localhost:8080/hook", false, true, true},
    {"http://LocalHost/hook", false, true, true},
    {"HTTP://127.0.0.1:8080/hook", false, false, false},  // the scheme is matched exactly
    {"http://[::1]:8080/hook", false, true, true},
    {"http://[0:0:0:0:0:0:0:1]/hook", false, true, true},
    {"http://127.0.0.1:8080?x=1", false, true, true},
    {"http://cc.example/hook", false, false, true},
    {"http://10.0.0.5:8080/hook", false, false, true},
    {"http://128.0.0.1/hook", false, false, true},
    {"http://0.0.0.0:8080/hook", false, false, true},
    {"http://[::2]/hook", false, false, true},
    {"http://[::ffff:127.0.0.1]/hook", false, false, true},  // mapped: not loopback itself
    {"http://127.0.0.1.evil.example/hook", false, false, true},
    {"http://localhost.evil.example/hook", false, false, true},
    {"http://127.0.0.1@evil.example/hook", false, false, true},
    {"http://user:pw@127.0.0.1/hook", false, false, true},
    {"http://127.1/hook", false, false, true},       // not a dotted quad
    {"http://0x7f.0.0.1/hook", false, false, true},  // nor hexadecimal
    {"http://127.0.0.1:80a/hook", false, false, true},
    {"http://127.0.0.1:1234567/hook", false, false, true},
    {"http://[::1/hook", false, false, true},
    {"http://", false, false, false},
    {"https://", false, false, false},
    {"ftp://127.0.0.1/hook", false, false, false},
    {"127.0.0.1:8080/hook", false, false, false},
    {"", false, false, false},
};

TEST(WebhookUrl, EachRuleAcceptsItsUrls) {
  for (const auto& c : kCases) {
    EXPECT_EQ(static_cast<bool>(check_webhook_url("notificationUrl", c.url, HttpWebhooks::refused)),
              c.refused)
        << c.url;
    EXPECT_EQ(
        static_cast<bool>(check_webhook_url("notificationUrl", c.url, HttpWebhooks::loopback)),
        c.loopback)
        << c.url;
    EXPECT_EQ(static_cast<bool>(check_webhook_url("notificationUrl", c.url, HttpWebhooks::any)),
              c.any)
        << c.url;
  }
}

TEST(WebhookUrl, RefusalIsGraphsError) {
  auto r = check_webhook_url("lifecycleNotificationUrl", "http://cc.example/hook",
                             HttpWebhooks::loopback);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().status, 400);
  EXPECT_EQ(r.error().code, "InvalidRequest");
  EXPECT_EQ(r.error().message, "Subscription lifecycleNotificationUrl must be an https URL.");
}

}  // namespace
}  // namespace ccteams::emulator
