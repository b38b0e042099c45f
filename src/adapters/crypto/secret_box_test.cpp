#include "adapters/crypto/secret_box.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "adapters/crypto/encoding.hpp"

namespace ccteams {
namespace {

namespace fs = std::filesystem;

SecretBox make_box() {
  auto box = SecretBox::from_key_text(SecretBox::generate_key_text());
  EXPECT_TRUE(box);
  return std::move(box).value();
}

// Flips one bit of byte index of the decoded blob and re-encodes it.
std::string flip_bit(const std::string& sealed, std::size_t index) {
  auto blob = base64_decode(sealed.substr(3), Base64Alphabet::url);
  EXPECT_TRUE(blob);
  (*blob)[index] = static_cast<char>((*blob)[index] ^ 0x01);
  return "v1." + base64_encode(*blob, Base64Alphabet::url, false);
}

class TempDir {
 public:
  TempDir() : path_(fs::temp_directory_path() / ("ccteams-secret-" + random_token(9))) {
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  fs::path path() const { return path_; }

 private:
  fs::path path_;
};

TEST(SecretBox, SealThenOpenRoundTrips) {
  const SecretBox box = make_box();
  for (const std::string& plain :
       {std::string(), std::string("s3cr3t"), std::string(10000, 'x'), std::string("\0\xff", 2)}) {
    auto sealed = box.seal(plain, "org:12/graph.client_secret");
    ASSERT_TRUE(sealed) << sealed.error().message;
    EXPECT_TRUE(sealed->starts_with("v1."));
    auto opened = box.open(*sealed, "org:12/graph.client_secret");
    ASSERT_TRUE(opened) << opened.error().message;
    EXPECT_EQ(*opened, plain);
  }
}

TEST(SecretBox, SealingTwiceGivesDifferentText) {
  const SecretBox box = make_box();
  auto a = box.seal("same", "aad");
  auto b = box.seal("same", "aad");
  ASSERT_TRUE(a && b);
  EXPECT_NE(*a, *b);
  EXPECT_EQ(a->find("same"), std::string::npos);
}

TEST(SecretBox, AnyFlippedBitIsDetected) {
  const SecretBox box = make_box();
  auto sealed = box.seal("refresh-token-value", "org:1/sync.refresh_token");
  ASSERT_TRUE(sealed);
  const std::size_t blob_size = 12 + 19 + 16;
  // Nonce, ciphertext and tag: first and last byte of each part.
  for (std::size_t index : {std::size_t{0}, std::size_t{11}, std::size_t{12}, std::size_t{30},
                            std::size_t{31}, blob_size - 1}) {
    auto opened = box.open(flip_bit(*sealed, index), "org:1/sync.refresh_token");
    ASSERT_FALSE(opened) << "byte " << index;
    EXPECT_EQ(opened.error().code, Errc::internal);
    EXPECT_EQ(opened.error().message, "secret cannot be decrypted: wrong key or data tampered");
  }
}

TEST(SecretBox, WrongAadOrWrongKeyFails) {
  const SecretBox box = make_box();
  auto sealed = box.seal("value", "org:12/graph.client_secret");
  ASSERT_TRUE(sealed);
  EXPECT_FALSE(box.open(*sealed, "org:13/graph.client_secret"));
  EXPECT_FALSE(box.open(*sealed, ""));
  const SecretBox other = make_box();
  auto opened = other.open(*sealed, "org:12/graph.client_secret");
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, Errc::internal);
}

TEST(SecretBox, MalformedSealedTextIsInvalidInput) {
  const SecretBox box = make_box();
  auto sealed = box.seal("value", "a");
  ASSERT_TRUE(sealed);
  for (const std::string& bad :
       {std::string(), std::string("v1."), std::string("v2.") + sealed->substr(3),
        sealed->substr(3), std::string("v1.!!!!"), std::string("v1.") + std::string(36, 'A'),
        *sealed + "="}) {
    auto opened = box.open(bad, "a");
    ASSERT_FALSE(opened) << bad;
    EXPECT_EQ(opened.error().code, Errc::invalid_input) << bad;
  }
}

TEST(SecretBox, KeyTextFormats) {
  const std::string raw = random_bytes(32);
  const auto std_b64 = SecretBox::from_key_text(base64_encode(raw));
  const auto url_b64 = SecretBox::from_key_text(base64_encode(raw, Base64Alphabet::url, false));
  const auto hex = SecretBox::from_key_text("  " + hex_encode(raw) + "\n");
  ASSERT_TRUE(std_b64 && url_b64 && hex);
  // The same key whatever its spelling.
  auto sealed = std_b64->seal("x", "y");
  ASSERT_TRUE(sealed);
  EXPECT_EQ(url_b64->open(*sealed, "y").value_or(""), "x");
  EXPECT_EQ(hex->open(*sealed, "y").value_or(""), "x");
}

TEST(SecretBox, BadKeyTextErrorsNameTheProblemWithoutEchoingIt) {
  const std::string short_key = base64_encode(std::string(16, 'k'));
  for (const std::string& bad :
       {std::string(), std::string("   "), short_key, std::string("not base64 at all!"),
        std::string(63, 'a'), base64_encode(std::string(48, 'k'))}) {
    auto box = SecretBox::from_key_text(bad);
    ASSERT_FALSE(box) << bad;
    EXPECT_EQ(box.error().code, Errc::invalid_input);
    if (!bad.empty() && bad != "   ") {
      EXPECT_EQ(box.error().message.find(bad), std::string::npos);
    }
  }
  auto short_box = SecretBox::from_key_text(short_key);
  EXPECT_NE(short_box.error().message.find("32 bytes"), std::string::npos);
}

TEST(LoadSecretKey, TextWinsOverEnvironmentAndFile) {
  const std::string key = SecretBox::generate_key_text();
  ::setenv("CCTEAMS_TEST_SECRET_KEY", SecretBox::generate_key_text().c_str(), 1);
  TempDir dir;
  auto from_text = load_secret_key(key, "CCTEAMS_TEST_SECRET_KEY", (dir.path() / "k").string(),
                                   KeyFileMode::create_when_missing);
  ASSERT_TRUE(from_text) << from_text.error().message;
  auto sealed = from_text->seal("v", "a");
  ASSERT_TRUE(sealed);
  EXPECT_TRUE(SecretBox::from_key_text(key)->open(*sealed, "a"));
  EXPECT_FALSE(fs::exists(dir.path() / "k"));
  ::unsetenv("CCTEAMS_TEST_SECRET_KEY");
}

TEST(LoadSecretKey, EnvironmentWhenNoText) {
  const std::string key = SecretBox::generate_key_text();
  ::setenv("CCTEAMS_TEST_SECRET_KEY", key.c_str(), 1);
  auto box = load_secret_key("", "CCTEAMS_TEST_SECRET_KEY", "", KeyFileMode::must_exist);
  ASSERT_TRUE(box) << box.error().message;
  auto sealed = box->seal("v", "a");
  ASSERT_TRUE(sealed);
  EXPECT_TRUE(SecretBox::from_key_text(key)->open(*sealed, "a"));

  ::setenv("CCTEAMS_TEST_SECRET_KEY", "tooshort", 1);
  auto bad = load_secret_key("", "CCTEAMS_TEST_SECRET_KEY", "", KeyFileMode::must_exist);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("CCTEAMS_TEST_SECRET_KEY"), std::string::npos);
  EXPECT_EQ(bad.error().message.find("tooshort"), std::string::npos);
  ::unsetenv("CCTEAMS_TEST_SECRET_KEY");
}

TEST(LoadSecretKey, FileIsCreatedPrivateAndReusedNextTime) {
  TempDir dir;
  const std::string path = (dir.path() / "secret.key").string();
  ::unsetenv("CCTEAMS_TEST_SECRET_KEY_UNSET");
  auto first =
      load_secret_key("", "CCTEAMS_TEST_SECRET_KEY_UNSET", path, KeyFileMode::create_when_missing);
  ASSERT_TRUE(first) << first.error().message;
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto sealed = first->seal("v", "a");
  ASSERT_TRUE(sealed);

  auto second = load_secret_key("", "", path, KeyFileMode::must_exist);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->open(*sealed, "a").value_or(""), "v");
  // Only the key file remains: no temporary files left behind.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 1);
}

TEST(LoadSecretKey, FileReadableByOthersIsRefused) {
  TempDir dir;
  const std::string path = (dir.path() / "secret.key").string();
  std::ofstream(path) << SecretBox::generate_key_text() << "\n";
  fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write | fs::perms::others_read);
  auto box = load_secret_key("", "", path, KeyFileMode::must_exist);
  ASSERT_FALSE(box);
  EXPECT_EQ(box.error().code, Errc::invalid_input);
  EXPECT_NE(box.error().message.find("chmod 600"), std::string::npos);
}

TEST(LoadSecretKey, NoSourceIsAnError) {
  auto box = load_secret_key("", "", "", KeyFileMode::create_when_missing);
  ASSERT_FALSE(box);
  EXPECT_EQ(box.error().code, Errc::not_found);
  auto unwritable = load_secret_key("", "", "/nonexistent-dir-ccteams/secret.key",
                                    KeyFileMode::create_when_missing);
  ASSERT_FALSE(unwritable);
  EXPECT_EQ(unwritable.error().code, Errc::unavailable);
}

// serve: a key that nobody backed up would make every stored secret unreadable once the
// file is lost, so a missing key file is an error and nothing is written.
TEST(LoadSecretKey, MissingFileIsNotCreatedWhenItMustExist) {
  TempDir dir;
  const std::string path = (dir.path() / "secret.key").string();
  auto box = load_secret_key("", "", path, KeyFileMode::must_exist);
  ASSERT_FALSE(box);
  EXPECT_EQ(box.error().code, Errc::not_found);
  EXPECT_NE(box.error().message.find(path), std::string::npos);
  EXPECT_FALSE(fs::exists(path));
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 0);
}

}  // namespace
}  // namespace ccteams
