#include "adapters/crypto/secret_box.hpp"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "adapters/crypto/encoding.hpp"
#include "adapters/crypto/openssl_util.hpp"

namespace ccteams {

struct SecretBox::Key {
  std::array<unsigned char, 32> bytes{};
  Key() = default;
  Key(const Key&) = delete;
  Key& operator=(const Key&) = delete;
  ~Key() { OPENSSL_cleanse(bytes.data(), bytes.size()); }
};

namespace {

using namespace crypto_detail;

constexpr std::string_view kPrefix = "v1.";
constexpr std::size_t kNonceBytes = 12;
constexpr std::size_t kTagBytes = 16;
constexpr std::size_t kMaxPlaintext = 64u << 20;
constexpr const char* kCannotDecrypt = "secret cannot be decrypted: wrong key or data tampered";

std::string_view trim(std::string_view s) {
  constexpr std::string_view kSpace = " \t\r\n";
  const auto first = s.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(kSpace) - first + 1);
}

// Wipes a decoded copy of key material when it goes out of scope.
struct Wiped {
  std::string bytes;
  ~Wiped() { OPENSSL_cleanse(bytes.data(), bytes.size()); }
};

std::string errno_text(int err) { return std::strerror(err); }

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// Writes a fresh key to a private temporary file and links it into place: link() fails when the
// target exists, so of two processes starting at once one wins and both read the same key, and
// nobody ever reads a half-written file.
Result<void> create_key_file(const std::string& path) {
  const std::string tmp = path + ".tmp-" + random_token(9);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    return make_error(Errc::unavailable,
                      "cannot create key file " + path + ": " + errno_text(errno));
  }
  Wiped key{SecretBox::generate_key_text() + "\n"};
  const bool written = write_all(fd, key.bytes) && ::fsync(fd) == 0;
  const int write_err = errno;
  ::close(fd);
  if (!written) {
    ::unlink(tmp.c_str());
    return make_error(Errc::unavailable,
                      "cannot write key file " + path + ": " + errno_text(write_err));
  }
  const int linked = ::link(tmp.c_str(), path.c_str());
  const int link_err = errno;
  ::unlink(tmp.c_str());
  if (linked != 0 && link_err != EEXIST) {
    return make_error(Errc::unavailable,
                      "cannot create key file " + path + ": " + errno_text(link_err));
  }
  return ok();
}

Result<SecretBox> from_source(std::string_view text, const std::string& source) {
  auto box = SecretBox::from_key_text(text);
  if (!box) {
    return make_error(box.error().code,
                      "the secret key from " + source + " is invalid: " + box.error().message);
  }
  return box;
}

}  // namespace

Result<std::string> read_key_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    return make_error(Errc::unavailable, "cannot open key file " + path + ": " + errno_text(errno));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return make_error(Errc::unavailable, "cannot stat key file " + path + ": " + errno_text(err));
  }
  // Like ssh with its private keys: a key others can read is not a secret any more.
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    ::close(fd);
    return make_error(Errc::invalid_input, "key file " + path +
                                               " is accessible by group or others; "
                                               "run chmod 600 on it");
  }
  std::string text;
  std::array<char, 512> buf{};
  for (;;) {
    const ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      OPENSSL_cleanse(text.data(), text.size());
      return make_error(Errc::unavailable, "cannot read key file " + path + ": " + errno_text(err));
    }
    if (n == 0) break;
    text.append(buf.data(), static_cast<std::size_t>(n));
    if (text.size() > 4096) break;  // a key file is tiny; do not slurp a wrong path
  }
  OPENSSL_cleanse(buf.data(), buf.size());
  ::close(fd);
  return text;
}

Result<SecretBox> SecretBox::from_key_text(std::string_view text) {
  text = trim(text);
  if (text.empty()) return make_error(Errc::invalid_input, "the secret key is empty");
  std::optional<std::string> decoded;
  const bool looks_hex = text.size() == 64 &&
                         text.find_first_not_of("0123456789abcdefABCDEF") == std::string_view::npos;
  if (looks_hex) {
    decoded = hex_decode(text);
  } else {
    decoded = base64_decode(text, Base64Alphabet::standard);
    if (!decoded) decoded = base64_decode(text, Base64Alphabet::url);
  }
  if (!decoded) {
    return make_error(Errc::invalid_input,
                      "the secret key is neither base64 nor 64 hex characters");
  }
  Wiped raw{std::move(*decoded)};
  if (raw.bytes.size() != 32) {
    return make_error(Errc::invalid_input, "the secret key must be 32 bytes, not " +
                                               std::to_string(raw.bytes.size()) +
                                               " (generate one with 'openssl rand -base64 32')");
  }
  auto key = std::make_shared<Key>();
  std::memcpy(key->bytes.data(), raw.bytes.data(), key->bytes.size());
  return SecretBox(std::move(key));
}

std::string SecretBox::generate_key_text() {
  Wiped raw{random_bytes(32)};
  return base64_encode(raw.bytes, Base64Alphabet::standard, true);
}

Result<std::string> SecretBox::seal(std::string_view plaintext, std::string_view aad) const {
  if (plaintext.size() > kMaxPlaintext || aad.size() > kMaxPlaintext) {
    return make_error(Errc::invalid_input, "secret too large to seal");
  }
  const std::string nonce = random_bytes(kNonceBytes);
  std::string blob(kNonceBytes + plaintext.size() + kTagBytes, '\0');
  std::memcpy(blob.data(), nonce.data(), kNonceBytes);
  auto* out = reinterpret_cast<unsigned char*>(blob.data()) + kNonceBytes;

  EvpCipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  int final_len = 0;
  const bool sealed =
      ctx &&
      EVP_EncryptInit_ex2(ctx.get(), EVP_aes_256_gcm(), key_->bytes.data(),
                          reinterpret_cast<const unsigned char*>(nonce.data()), nullptr) == 1 &&
      (aad.empty() || EVP_EncryptUpdate(ctx.get(), nullptr, &len,
                                        reinterpret_cast<const unsigned char*>(aad.data()),
                                        static_cast<int>(aad.size())) == 1) &&
      EVP_EncryptUpdate(ctx.get(), out, &len,
                        reinterpret_cast<const unsigned char*>(plaintext.data()),
                        static_cast<int>(plaintext.size())) == 1 &&
      EVP_EncryptFinal_ex(ctx.get(), out + len, &final_len) == 1 &&
      static_cast<std::size_t>(len + final_len) == plaintext.size() &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagBytes),
                          out + plaintext.size()) == 1;
  if (!sealed) return make_error(Errc::internal, take_openssl_errors("cannot seal the secret"));
  return std::string(kPrefix) + base64_encode(blob, Base64Alphabet::url, false);
}

Result<std::string> SecretBox::open(std::string_view sealed, std::string_view aad) const {
  if (!sealed.starts_with(kPrefix)) {
    return make_error(Errc::invalid_input, "sealed secret does not start with 'v1.'");
  }
  auto blob = base64_decode(sealed.substr(kPrefix.size()), Base64Alphabet::url);
  if (!blob) return make_error(Errc::invalid_input, "sealed secret is not base64url");
  if (blob->size() < kNonceBytes + kTagBytes) {
    return make_error(Errc::invalid_input, "sealed secret is too short");
  }
  if (blob->size() > kMaxPlaintext + kNonceBytes + kTagBytes || aad.size() > kMaxPlaintext) {
    return make_error(Errc::invalid_input, "sealed secret is too large");
  }
  const auto* bytes = reinterpret_cast<const unsigned char*>(blob->data());
  const std::size_t ct_size = blob->size() - kNonceBytes - kTagBytes;
  std::string plaintext(ct_size, '\0');
  auto* out = reinterpret_cast<unsigned char*>(plaintext.data());
  // The tag is set from a copy: the ctrl call takes a non-const pointer.
  std::array<unsigned char, kTagBytes> tag{};
  std::memcpy(tag.data(), bytes + kNonceBytes + ct_size, kTagBytes);

  EvpCipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  int final_len = 0;
  const bool set_up =
      ctx &&
      EVP_DecryptInit_ex2(ctx.get(), EVP_aes_256_gcm(), key_->bytes.data(), bytes, nullptr) == 1 &&
      (aad.empty() || EVP_DecryptUpdate(ctx.get(), nullptr, &len,
                                        reinterpret_cast<const unsigned char*>(aad.data()),
                                        static_cast<int>(aad.size())) == 1) &&
      EVP_DecryptUpdate(ctx.get(), out, &len, bytes + kNonceBytes, static_cast<int>(ct_size)) ==
          1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagBytes),
                          tag.data()) == 1;
  if (!set_up) return make_error(Errc::internal, take_openssl_errors("cannot open the secret"));
  // Final fails exactly when the tag does not match: never hand out unauthenticated plaintext.
  if (EVP_DecryptFinal_ex(ctx.get(), out + len, &final_len) != 1) {
    take_openssl_errors("");  // clear the queue for the next caller on this thread
    OPENSSL_cleanse(plaintext.data(), plaintext.size());
    return make_error(Errc::internal, kCannotDecrypt);
  }
  return plaintext;
}

Result<SecretBox> load_secret_key(std::string_view key_text, std::string_view env_var,
                                  const std::string& key_file, KeyFileMode mode) {
  if (!trim(key_text).empty()) return from_source(key_text, "the configuration");
  if (!env_var.empty()) {
    // getenv is safe against concurrent getenv; nobody in this process calls setenv after start.
    const char* value = std::getenv(std::string(env_var).c_str());
    if (value != nullptr && *value != '\0') {
      return from_source(value, "environment variable " + std::string(env_var));
    }
  }
  if (key_file.empty()) {
    return make_error(Errc::not_found, "no secret key: set it in the configuration" +
                                           (env_var.empty() ? std::string()
                                                            : " or in environment variable " +
                                                                  std::string(env_var)));
  }
  struct stat st {};
  if (::lstat(key_file.c_str(), &st) != 0) {
    if (errno != ENOENT) {
      return make_error(Errc::unavailable,
                        "cannot read key file " + key_file + ": " + errno_text(errno));
    }
    if (mode == KeyFileMode::must_exist) {
      return make_error(Errc::not_found, "key file " + key_file + " does not exist");
    }
    if (auto created = create_key_file(key_file); !created) {
      return std::move(created).error();
    }
  }
  auto text = read_key_file(key_file);
  if (!text) return std::move(text).error();
  Wiped wiped{std::move(*text)};
  return from_source(wiped.bytes, "key file " + key_file);
}

}  // namespace ccteams
