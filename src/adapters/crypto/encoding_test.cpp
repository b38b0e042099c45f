#include "adapters/crypto/encoding.hpp"

#include <gtest/gtest.h>

namespace ccteams {
namespace {

TEST(Base64, Rfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {{"", ""},
                                                         {"f", "Zg=="},
                                                         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},
                                                         {"foob", "Zm9vYg=="},
                                                         {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (const auto& [raw, enc] : vectors) {
    EXPECT_EQ(base64_encode(raw), enc);
    EXPECT_EQ(base64_decode(enc), std::optional<std::string>(raw));
  }
  EXPECT_EQ(base64_encode("fo", Base64Alphabet::standard, false), "Zm8");
  EXPECT_EQ(base64_decode("Zm8"), std::optional<std::string>("fo"));
}

TEST(Base64, UrlAlphabetDiffersInTwoCharacters) {
  const std::string bytes("\xfb\xff\xbf", 3);
  EXPECT_EQ(base64_encode(bytes), "+/+/");
  EXPECT_EQ(base64_encode(bytes, Base64Alphabet::url), "-_-_");
  EXPECT_EQ(base64_decode("-_-_", Base64Alphabet::url), std::optional<std::string>(bytes));
  EXPECT_FALSE(base64_decode("-_-_", Base64Alphabet::standard));
  EXPECT_FALSE(base64_decode("+/+/", Base64Alphabet::url));
}

TEST(Base64, RejectsMalformedText) {
  EXPECT_FALSE(base64_decode("Zm9v!"));
  EXPECT_FALSE(base64_decode("Z"));      // impossible length
  EXPECT_FALSE(base64_decode("Zm9=v"));  // padding in the middle
  EXPECT_FALSE(base64_decode("Zg="));    // padding without a full quantum
  EXPECT_FALSE(base64_decode("Zh=="));   // non-zero trailing bits
  EXPECT_FALSE(base64_decode("Zm9v\n"));
  EXPECT_FALSE(base64_decode("===="));
}

TEST(Base64, RoundTripsEveryLength) {
  for (std::size_t n = 0; n < 70; ++n) {
    const std::string raw = random_bytes(n);
    for (auto alphabet : {Base64Alphabet::standard, Base64Alphabet::url}) {
      for (bool pad : {true, false}) {
        EXPECT_EQ(base64_decode(base64_encode(raw, alphabet, pad), alphabet),
                  std::optional<std::string>(raw));
      }
    }
  }
}

TEST(Hex, EncodesLowerAndDecodesBothCases) {
  EXPECT_EQ(hex_encode(std::string("\x00\x0f\xab\xff", 4)), "000fabff");
  EXPECT_EQ(hex_decode("000FabfF"), std::optional<std::string>(std::string("\x00\x0f\xab\xff", 4)));
  EXPECT_FALSE(hex_decode("abc"));
  EXPECT_FALSE(hex_decode("zz"));
}

TEST(RandomToken, IsUrlSafeUnpaddedAndFresh) {
  const std::string a = random_token(32);
  const std::string b = random_token(32);
  EXPECT_EQ(a.size(), 43u);
  EXPECT_NE(a, b);
  EXPECT_EQ(a.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
            std::string::npos);
  EXPECT_EQ(base64_decode(a, Base64Alphabet::url)->size(), 32u);
}

TEST(Sha256, KnownVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(HmacSha256, Rfc4231Vectors) {
  // RFC 4231 §4.3 (test case 2) and §4.2 (test case 1: key 0x0b x 20).
  EXPECT_EQ(hex_encode(*hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(hex_encode(*hmac_sha256(std::string(20, '\x0b'), "Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

TEST(ConstantTimeEquals, ComparesContentAndLength) {
  EXPECT_TRUE(constant_time_equals("", ""));
  EXPECT_TRUE(constant_time_equals("token", "token"));
  EXPECT_FALSE(constant_time_equals("token", "tokeN"));
  EXPECT_FALSE(constant_time_equals("token", "token2"));
  EXPECT_FALSE(constant_time_equals("", "a"));
}

}  // namespace
}  // namespace ccteams
