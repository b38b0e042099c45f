#include "adapters/crypto/secret_box_sealer.hpp"

#include <gtest/gtest.h>

namespace ccteams {
namespace {

SecretBoxSealer make_sealer() {
  auto box = SecretBox::from_key_text(SecretBox::generate_key_text());
  EXPECT_TRUE(box);
  return SecretBoxSealer(std::move(box).value());
}

TEST(SecretBoxSealer, OpensOnlyForTheSamePurpose) {
  const auto sealer = make_sealer();
  auto sealed = sealer.seal("refresh-token-value", "org:1/oid:a");
  ASSERT_TRUE(sealed);
  EXPECT_EQ(sealed->find("refresh-token-value"), std::string::npos);
  auto opened = sealer.open(*sealed, "org:1/oid:a");
  ASSERT_TRUE(opened);
  EXPECT_EQ(*opened, "refresh-token-value");
  EXPECT_FALSE(sealer.open(*sealed, "org:2/oid:a"));
  EXPECT_FALSE(sealer.open(*sealed, "org:1/oid:b"));
}

// RFC 7636 Appendix B: the documented verifier and its S256 challenge.
TEST(Sha256PkceHasher, MatchesTheRfcExample) {
  Sha256PkceHasher pkce;
  EXPECT_EQ(pkce.s256_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

}  // namespace
}  // namespace ccteams
