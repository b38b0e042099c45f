#include "adapters/crypto/sodium_password_hasher.hpp"

#include <gtest/gtest.h>

namespace ccteams {
namespace {

const SodiumPasswordHasher kHasher(PasswordStrength::minimum);

TEST(SodiumPasswordHasher, VerifiesTheRightPasswordOnly) {
  auto h = kHasher.hash("correct horse battery staple");
  ASSERT_TRUE(h) << h.error().message;
  EXPECT_TRUE(kHasher.verify(*h, "correct horse battery staple"));
  EXPECT_FALSE(kHasher.verify(*h, "correct horse battery stapl"));
  EXPECT_FALSE(kHasher.verify(*h, "Correct horse battery staple"));
  EXPECT_FALSE(kHasher.verify(*h, ""));
}

TEST(SodiumPasswordHasher, HashIsArgon2idWithSaltAndParameters) {
  const std::string password = "a-long-password-never-stored-in-clear";
  auto h = kHasher.hash(password);
  ASSERT_TRUE(h);
  EXPECT_TRUE(h->starts_with("$argon2id$v=19$m=")) << *h;
  EXPECT_EQ(h->find(password), std::string::npos);
}

TEST(SodiumPasswordHasher, SaltsAreUnique) {
  auto a = kHasher.hash("same");
  auto b = kHasher.hash("same");
  ASSERT_TRUE(a && b);
  EXPECT_NE(*a, *b);
  EXPECT_TRUE(kHasher.verify(*a, "same"));
  EXPECT_TRUE(kHasher.verify(*b, "same"));
}

TEST(SodiumPasswordHasher, EmptyAndBinaryPasswordsWork) {
  auto empty = kHasher.hash("");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(kHasher.verify(*empty, ""));
  EXPECT_FALSE(kHasher.verify(*empty, "x"));
  const std::string with_nul("a\0b", 3);
  auto binary = kHasher.hash(with_nul);
  ASSERT_TRUE(binary);
  EXPECT_TRUE(kHasher.verify(*binary, with_nul));
  EXPECT_FALSE(kHasher.verify(*binary, "a"));  // no truncation at the NUL
}

TEST(SodiumPasswordHasher, GarbageEncodingDoesNotVerify) {
  EXPECT_FALSE(kHasher.verify("", "pw"));
  EXPECT_FALSE(kHasher.verify("$argon2id$garbage", "pw"));
  EXPECT_FALSE(kHasher.verify(std::string(500, 'x'), "pw"));
  auto h = kHasher.hash("pw");
  ASSERT_TRUE(h);
  std::string truncated = h->substr(0, h->size() - 3);
  EXPECT_FALSE(kHasher.verify(truncated, "pw"));
}

TEST(SodiumPasswordHasher, OverlongPasswordIsRejected) {
  auto r = kHasher.hash(std::string(5000, 'a'));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_input);
}

TEST(SodiumPasswordHasher, HashFromAnotherStrengthStillVerifiesButNeedsRehash) {
  const SodiumPasswordHasher interactive(PasswordStrength::interactive);
  auto h = kHasher.hash("pw");
  ASSERT_TRUE(h);
  EXPECT_TRUE(interactive.verify(*h, "pw"));  // parameters travel inside the encoding
  EXPECT_TRUE(interactive.needs_rehash(*h));
  EXPECT_FALSE(kHasher.needs_rehash(*h));
  EXPECT_TRUE(kHasher.needs_rehash("not a hash"));
}

}  // namespace
}  // namespace ccteams
