#pragma once
// Schema migration v10 (issue 6: rich notifications survive a restart). One migration per file;
// the list that orders them is in sqlite_migrations.cpp.

#include <string_view>

namespace ccteams::store {

// notification_keyring: the one key pair (current and previous) Graph encrypts rich presence
// notifications for, sealed with the service's secret key (SecretBox, AES-256-GCM; the private
// keys never appear in clear here). One row, id 1: the key belongs to the service, not to an
// organisation, because every subscription of every organisation carries the same certificate.
// presence_subscriptions.certificate_id: the encryptionCertificateId the subscription was
// created or last PATCHed with ('' for basic notifications, and for rows from before v10), so
// a rotation or a lost key is followed by a PATCH of every subscription still on the old one.
inline constexpr std::string_view kV10NotificationKey = R"sql(
CREATE TABLE notification_keyring (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  sealed TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
ALTER TABLE presence_subscriptions ADD COLUMN certificate_id TEXT NOT NULL DEFAULT '';
)sql";

}  // namespace ccteams::store
