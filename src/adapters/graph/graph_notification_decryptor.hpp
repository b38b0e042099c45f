#pragma once
// NotificationDecryptor over the rich-notification crypto of this folder: the keyring
// (notification_crypto_keyring.hpp), decryption (notification_crypto.hpp) and validation
// tokens (validation_token.hpp).
//
// Entra's signing keys come from a JwksSource and are cached; a token signed by a key the cache
// does not know makes one re-fetch (Entra rotates its keys), at most every
// jwks_refetch_interval, so a flood of forged tokens cannot turn into a flood of fetches.
//
// Rotation keeps the previous key (NotificationKeyring::rotate) for previous_key_grace after the
// rotation; the next rotate_if_due() after that drops it. The grace must outlast the time
// presence sync needs to PATCH every subscription plus Graph's own lag (§4.2); a presence
// subscription lives at most an hour, so the default two hours covers a missed PATCH too.
//
// Persistence: the constructor takes the keyring the owner opened at start, and a KeyringSaver
// the owner gives is awaited with every new keyring before it is used: a rotated key that could
// not be saved is not used (rotate_if_due fails and the old key stays), so a restart never
// loses a key that subscriptions were PATCHed with. keyring() gives a copy to seal.
//
// Thread-safety: every member may be called from any thread, concurrently. The keyring and the
// key cache are immutable snapshots swapped under a mutex; no lock is held across a co_await.
// One rotate_if_due works at a time; a call that finds another at work returns false at once
// (the rotation is the service's, not the caller's: every organisation's next pass sees the new
// certificate id and PATCHes its subscriptions).

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>

#include "adapters/crypto/jwt.hpp"
#include "adapters/graph/cached_jwks.hpp"
#include "adapters/graph/notification_crypto_keyring.hpp"
#include "app/ports/clock.hpp"
#include "app/ports/notification_decryptor.hpp"

namespace ccteams::graph {

// Entra's token signing keys (https://login.microsoftonline.com/common/discovery/v2.0/keys).
// Thread-safety: fetch() may be called concurrently.
class JwksSource {
 public:
  virtual ~JwksSource() = default;
  // Errors: unavailable when the keys cannot be had now.
  virtual boost::asio::awaitable<Result<JwkSet>> fetch() = 0;
};

// Stores the keyring (sealed by the owner), off the caller's thread. Errors are the store's.
using KeyringSaver =
    std::function<boost::asio::awaitable<Result<void>>(NotificationKeyring keyring)>;

struct NotificationDecryptorOptions {
  KeyRotationPolicy rotation;
  std::chrono::minutes previous_key_grace{120};
  std::chrono::minutes jwks_refetch_interval{5};
  std::chrono::seconds token_clock_skew{300};
  NotificationKeyOptions key_options;
};

class GraphNotificationDecryptor final : public NotificationDecryptor {
 public:
  // jwks and clock are not owned and must outlive this object.
  GraphNotificationDecryptor(NotificationKeyring keyring, JwksSource& jwks, const Clock& clock,
                             NotificationDecryptorOptions options = {}, KeyringSaver saver = {});

  // NotificationDecryptor
  std::string encryption_certificate() const override;
  std::string certificate_id() const override;
  boost::asio::awaitable<Result<DecryptedPresences>> decrypt(const NotificationBatch& batch,
                                                             std::string_view client_id,
                                                             std::string_view tenant_id) override;
  boost::asio::awaitable<Result<bool>> rotate_if_due(Timestamp now) override;
  Timestamp next_rotation() const override;

  // A copy of the keyring as it is now (current and previous key), for sealing.
  NotificationKeyring keyring() const;

 private:
  std::shared_ptr<const NotificationKeyring> keyring_snapshot() const;
  CachedJwks jwks_;
  const Clock& clock_;
  NotificationDecryptorOptions options_;
  KeyringSaver saver_;
  std::atomic<bool> rotating_{false};  // one rotate_if_due at a time: save and swap in step

  mutable std::mutex mu_;
  std::shared_ptr<const NotificationKeyring> keyring_;  // guarded by mu_
};

}  // namespace ccteams::graph
