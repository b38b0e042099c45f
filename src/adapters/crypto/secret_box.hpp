#pragma once
// Secrets at rest (Graph client secrets, refresh tokens of the sync accounts): AES-256-GCM with
// a 32-byte key held only by the service, never by the database.

#include <memory>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace ccteams {

// Sealed form: "v1." + base64url-unpadded(nonce[12] | ciphertext | tag[16]). The nonce is drawn
// fresh for every seal, so sealing the same plaintext twice gives different text.
// The aad ("additional authenticated data") is not stored but must be given again to open: it
// binds a ciphertext to its purpose and row (e.g. "org:12/graph.client_secret"), so a ciphertext
// copied into another row or column does not open.
// Copies share the key; the key bytes are wiped (OPENSSL_cleanse) when the last copy goes.
// Thread-safety: all const members may run concurrently.
class SecretBox {
 public:
  // The key as base64 (standard or URL alphabet, padded or not) of exactly 32 bytes, or as 64 hex
  // characters; surrounding whitespace is ignored. Errors: invalid_input naming what is wrong
  // (never echoing the text).
  static Result<SecretBox> from_key_text(std::string_view text);
  // A fresh random key in the form from_key_text accepts (standard base64, padded).
  static std::string generate_key_text();

  // Errors: invalid_input when the plaintext exceeds 64 MiB; internal when OpenSSL fails.
  Result<std::string> seal(std::string_view plaintext, std::string_view aad) const;
  // Errors: invalid_input when sealed is not in the "v1." form (wrong prefix, bad base64, too
  // short); internal "secret cannot be decrypted: wrong key or data tampered" when the tag does
  // not verify (another key, another aad, or any changed byte).
  Result<std::string> open(std::string_view sealed, std::string_view aad) const;

 private:
  struct Key;
  explicit SecretBox(std::shared_ptr<const Key> key) : key_(std::move(key)) {}
  std::shared_ptr<const Key> key_;  // never null
};

// What load_secret_key does when the key file does not exist.
enum class KeyFileMode {
  must_exist,           // `serve`: a missing file is an error; a key is never made up
  create_when_missing,  // `demo`: its own key in its data folder
};

// Finds the key, first match wins:
//  1. key_text when not empty (e.g. from the config file);
//  2. the environment variable env_var when env_var is not empty and the variable is set and
//     not empty;
//  3. the file at key_file when key_file is not empty: read when it exists (it must not be
//     readable or writable by group or others); when it does not exist, with
//     create_when_missing, created with mode 0600 holding a fresh key (atomically: concurrent
//     starters end up with the same key).
// Errors: not_found when no source applies or (must_exist) the key file does not exist;
// invalid_input when the key text found is invalid (the message names the source) or the key
// file has loose permissions; unavailable when the file cannot be read or created.
// Thread-safety: may be called concurrently (reads the environment).
Result<SecretBox> load_secret_key(std::string_view key_text, std::string_view env_var,
                                  const std::string& key_file, KeyFileMode mode);

// The text of a key file only its owner may read (no symlink followed; at most 4 KiB), as
// ssh treats private keys. Errors: unavailable (cannot open or read it), invalid_input (its
// mode lets group or others in: "run chmod 600 on it"). Each message names the path.
Result<std::string> read_key_file(const std::string& path);

}  // namespace ccteams
