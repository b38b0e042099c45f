// GraphNotificationDecryptor (see graph_notification_decryptor.hpp).
#include "adapters/graph/graph_notification_decryptor.hpp"

#include <algorithm>
#include <cctype>
#include <spdlog/spdlog.h>
#include <utility>

#include "adapters/graph/notification_crypto.hpp"
#include "adapters/graph/validation_token.hpp"

namespace ccteams::graph {

GraphNotificationDecryptor::GraphNotificationDecryptor(NotificationKeyring keyring,
                                                       JwksSource& jwks, const Clock& clock,
                                                       NotificationDecryptorOptions options,
                                                       KeyringSaver saver)
    : jwks_(jwks, clock, options.jwks_refetch_interval),
      clock_(clock),
      options_(std::move(options)),
      saver_(std::move(saver)),
      keyring_(std::make_shared<const NotificationKeyring>(std::move(keyring))) {}

std::shared_ptr<const NotificationKeyring> GraphNotificationDecryptor::keyring_snapshot() const {
  std::lock_guard lock(mu_);
  return keyring_;
}

NotificationKeyring GraphNotificationDecryptor::keyring() const { return *keyring_snapshot(); }

std::string GraphNotificationDecryptor::encryption_certificate() const {
  return keyring_snapshot()->current().certificate_base64;
}

std::string GraphNotificationDecryptor::certificate_id() const {
  return keyring_snapshot()->current().id;
}

boost::asio::awaitable<Result<DecryptedPresences>> GraphNotificationDecryptor::decrypt(
    const NotificationBatch& batch, std::string_view client_id, std::string_view tenant_id) {
  // Tokens first: content is not even unwrapped for a POST that Microsoft did not send (§4.6).
  // One POST may carry several tenants' notifications, with one token per (app, tenant): every
  // token must be genuine, and one of them must be this organisation's tenant's.
  const ValidationTokenValidator validator(
      ValidationTokenConfig{.tenant_ids = {},
                            .client_id = std::string(client_id),
                            .clock_skew = options_.token_clock_skew});
  auto keys = co_await jwks_.keys(false);
  if (!keys) co_return keys.error();
  auto checked = validator.check_all(batch.validation_tokens, **keys, clock_.now());
  if (!checked && checked.error().reason == TokenRefusalReason::unknown_key) {
    auto fresh = co_await jwks_.keys(true);
    if (!fresh) co_return fresh.error();
    checked = validator.check_all(batch.validation_tokens, **fresh, clock_.now());
  }
  if (!checked) co_return checked.error().to_error();
  const bool ours = std::any_of(checked->begin(), checked->end(), [&](const ValidatedToken& t) {
    return t.tenant_id.size() == tenant_id.size() &&
           std::equal(t.tenant_id.begin(), t.tenant_id.end(), tenant_id.begin(),
                      [](char a, char b) {
                        return std::tolower(static_cast<unsigned char>(a)) ==
                               std::tolower(static_cast<unsigned char>(b));
                      });
  });
  if (!ours) {
    co_return make_error(Errc::unauthenticated,
                         "validation token refused: no token of the organisation's tenant " +
                             std::string(tenant_id));
  }

  const auto keyring = keyring_snapshot();
  DecryptedPresences out;
  out.presences.reserve(batch.notifications.size());
  for (std::size_t i = 0; i < batch.notifications.size(); ++i) {
    const auto& n = batch.notifications[i];
    if (n.lifecycle_event) continue;
    const std::string where = "value[" + std::to_string(i) + "]";
    if (!n.encrypted_content) {
      co_return make_error(Errc::invalid_input, where + ": no encryptedContent");
    }
    auto presence = decrypt_presence_notification(*n.encrypted_content, *keyring);
    if (!presence) {
      co_return make_error(Errc::invalid_input, where + ": " + presence.error().message);
    }
    // The ciphertext is authenticated by a key Graph chose, not bound to the item around it:
    // an item must not be able to carry another user's presence.
    const std::string& user = n.user;
    if (!user.empty() && user != presence->presence.user_id) {
      co_return make_error(Errc::invalid_input,
                           where + ": the encrypted presence is not the one the item names");
    }
    if (presence->used_previous_key) ++out.previous_key_items;
    out.presences.push_back(std::move(presence->presence));
  }
  co_return out;
}

boost::asio::awaitable<Result<bool>> GraphNotificationDecryptor::rotate_if_due(Timestamp now) {
  if (rotating_.exchange(true)) co_return false;
  struct Done {
    std::atomic<bool>& flag;
    ~Done() { flag = false; }
  } done{rotating_};
  auto current = keyring_snapshot();
  const bool due = options_.rotation.rotation_due(*current, now);
  const bool drop = !due && current->previous() != nullptr &&
                    now - current->current().created_at >= options_.previous_key_grace;
  if (!due && !drop) co_return false;
  // Key generation takes tens of milliseconds: done outside mu_ (decryption goes on), on a
  // copy, saved before it is used.
  NotificationKeyring next = *current;
  if (due) {
    if (auto r = next.rotate(now, options_.key_options); !r) co_return r.error();
  } else {
    next.drop_previous();
  }
  if (saver_) {
    auto saved = co_await saver_(next);
    // Not saving a drop only keeps the old key a while longer after a restart: not an error.
    if (!saved && due) co_return saved.error();
    if (!saved) {
      spdlog::warn("notification keys: dropping the previous key was not saved: {}",
                   saved.error().message);
    }
  }
  std::lock_guard lock(mu_);
  keyring_ = std::make_shared<const NotificationKeyring>(std::move(next));
  co_return due;
}

Timestamp GraphNotificationDecryptor::next_rotation() const {
  auto current = keyring_snapshot();
  const Timestamp created = current->current().created_at;
  Timestamp next = created + options_.rotation.max_age;
  if (current->previous() != nullptr) next = std::min(next, created + options_.previous_key_grace);
  return next;
}

}  // namespace ccteams::graph
