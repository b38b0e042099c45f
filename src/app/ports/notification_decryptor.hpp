#pragma once
// Rich presence notifications as presence sync needs them (graph-protocol.md §4.1, §4.2, §4.5,
// §4.6): the certificate to put in a subscription, and a batch of rich notifications turned
// into presences, or an error that means "do not trust this batch: read these users' presence
// in bulk instead" (DESIGN.md: bulk reads are the repair path after any doubt).
//
// Thread-safety: every member may be called from any thread, concurrently.

#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "app/ports/graph_presence.hpp"
#include "app/ports/graph_subscriptions.hpp"
#include "core/result.hpp"
#include "core/time.hpp"

namespace ccteams {

struct DecryptedPresences {
  std::vector<GraphPresence> presences;  // one per change item, in the batch's order
  // Items encrypted for the certificate in use before the last rotation (Graph keeps using it
  // for a while after the PATCH, §4.2): a steady non-zero figure means a subscription still
  // carries the old certificate.
  std::size_t previous_key_items = 0;
};

class NotificationDecryptor {
 public:
  virtual ~NotificationDecryptor() = default;

  // SubscriptionRequest::encryption_certificate and encryption_certificate_id for a create, or
  // for the PATCH after a rotation: base64 DER of the current certificate (public part only),
  // and its label. Read them together after rotate_if_due(); they change only there.
  virtual std::string encryption_certificate() const = 0;
  virtual std::string certificate_id() const = 0;

  // Checks every validationToken of batch for our app (client_id) and the organisation's Entra
  // tenant (tenant_id), then decrypts each change item's encryptedContent into its presence.
  // Lifecycle items are skipped (they carry no resource). Nothing partial: on any error no
  // presence of the batch is returned. Errors, each meaning "fall back to a bulk read":
  //   unauthenticated  a token is missing, forged, expired or for another app or tenant;
  //   invalid_input    an item has no encryptedContent, names no key of ours, was tampered
  //                    with (signature), does not decrypt, or is not the presence it names;
  //   unavailable      Entra's signing keys could not be fetched.
  virtual boost::asio::awaitable<Result<DecryptedPresences>> decrypt(
      const NotificationBatch& batch, std::string_view client_id, std::string_view tenant_id) = 0;

  // Key rotation, called on presence sync's cadence (e.g. with each renewal pass). Rotates when
  // the current key is due: returns true, and the caller then PATCHes every rich subscription
  // with the new certificate (§4.2). The previous key keeps decrypting for a grace period, then
  // a later call drops it. Returns false when nothing was due. Errors: internal (key generation
  // failed; the old key stays in use).
  // The new keyring is saved (awaited, off the caller's thread) before it is used.
  virtual boost::asio::awaitable<Result<bool>> rotate_if_due(Timestamp now) = 0;
  // When rotate_if_due next has something to do (a rotation, or dropping the previous key).
  virtual Timestamp next_rotation() const = 0;
};

}  // namespace ccteams
