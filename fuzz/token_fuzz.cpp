// libFuzzer target: the JWT side of the webhook and the token client, under ASan + UBSan
// (scripts/fuzz.sh): Entra's JWKS parser, the validationToken checks of rich notifications
// (graph-protocol.md §4.6), and the claims read from a token endpoint's access token. The first
// byte picks the mode:
//   0  the input is JWKS text
//   1  the input is a token, checked against a fixed JWKS
//   2  the input is "header\nclaims" (JSON texts) that this harness signs with the JWKS's key,
//      so that the claim checks (exp, nbf, iss, aud, appid, tid) see arbitrary values
//   3  the input is an access token whose claims the token client reads
// A token is accepted only when its claims say what the checks require.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "adapters/crypto/jwt.hpp"
#include "adapters/crypto/jwt_test_support.hpp"
#include "adapters/graph/token_claims.hpp"
#include "adapters/graph/validation_token.hpp"

namespace {

using namespace ccteams;

constexpr std::string_view kTenant = "72f988bf-86f1-41af-91ab-2d7cd011db47";
constexpr std::string_view kClient = "11111111-2222-3333-4444-555555555555";

const JwkSet& keys() {
  static const JwkSet kKeys = [] {
    boost::json::object jwks{
        {"keys", boost::json::array{testing::jwk_for(testing::issuer_test_key(), "k1")}}};
    auto parsed = parse_jwks(boost::json::serialize(jwks));
    if (!parsed) std::abort();
    return *parsed;
  }();
  return kKeys;
}

const graph::ValidationTokenValidator& validator() {
  static const graph::ValidationTokenValidator kValidator(graph::ValidationTokenConfig{
      .tenant_ids = {std::string(kTenant)}, .client_id = std::string(kClient)});
  return kValidator;
}

const Timestamp kNow = Timestamp(std::chrono::milliseconds(1'780'000'000'000));

void check_token(std::string_view token) {
  auto checked = validator().check(token, keys(), kNow);
  if (!checked) {
    // A refusal never echoes the token (a long word: short or spaced inputs can be words of
    // the message itself).
    if (token.size() >= 24 && token.find(' ') == std::string_view::npos &&
        checked.error().message.find(token) != std::string::npos) {
      std::abort();
    }
    return;
  }
  if (checked->tenant_id != kTenant || checked->audience != kClient) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 4) {
    case 0:
      (void)parse_jwks(text);
      break;
    case 1:
      check_token(text);
      break;
    case 2: {
      const auto cut = text.find('\n');
      if (cut == std::string_view::npos) return 0;
      const std::string signed_part =
          testing::b64url(text.substr(0, cut)) + "." + testing::b64url(text.substr(cut + 1));
      check_token(signed_part + "." +
                  testing::b64url(testing::rs256_sign(testing::issuer_test_key(), signed_part)));
      break;
    }
    default:
      (void)graph::read_token_claims(text);
      (void)graph::split_scopes(text);
      break;
  }
  return 0;
}
