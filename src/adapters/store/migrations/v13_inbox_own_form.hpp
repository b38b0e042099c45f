#pragma once
// Schema migration v13 (issue 24: the store keeps no Graph wire format). One migration per
// file; the list that orders them is in sqlite_migrations.cpp.

#include <string_view>

namespace ccteams::store {

// The presence inbox's body changes form, not its column: up to version 12 it was the accepted
// batch as Graph's changeNotificationCollection ({"value":[…],"validationTokens":[…]}, camelCase
// keys, "@odata.type"), read back with the Graph client's decoder. From 13 on it is the store's
// own form (inbox_batch_json.hpp), so the store needs no Graph codec. Entries accepted before
// the upgrade and not yet processed are rewritten here, field by field, so that nothing
// acknowledged is lost; absent fields become null, which the store's decoder reads as absent.
// A body that is not JSON is left as it was (it was unreadable before too).
inline constexpr std::string_view kV13InboxOwnForm = R"sql(
UPDATE presence_inbox SET body = json_object(
  'v', 2,
  'notifications', json((
    SELECT json_group_array(json_object(
      'id', json_extract(n.value, '$.id'),
      'subscription_id', json_extract(n.value, '$.subscriptionId'),
      'subscription_expiration', json_extract(n.value, '$.subscriptionExpirationDateTime'),
      'change_type', json_extract(n.value, '$.changeType'),
      'resource', json_extract(n.value, '$.resource'),
      'tenant_id', json_extract(n.value, '$.tenantId'),
      'organization_id', json_extract(n.value, '$.organizationId'),
      'client_state', json_extract(n.value, '$.clientState'),
      'lifecycle_event', json_extract(n.value, '$.lifecycleEvent'),
      'resource_data', json(CASE WHEN json_type(n.value, '$.resourceData') = 'object' THEN
        json_object('id', json_extract(n.value, '$.resourceData.id'),
                    'odata_type', json_extract(n.value, '$.resourceData."@odata.type"'),
                    'odata_id', json_extract(n.value, '$.resourceData."@odata.id"')) END),
      'encrypted_content', json(CASE WHEN json_type(n.value, '$.encryptedContent') = 'object' THEN
        json_object(
          'data', json_extract(n.value, '$.encryptedContent.data'),
          'data_signature', json_extract(n.value, '$.encryptedContent.dataSignature'),
          'data_key', json_extract(n.value, '$.encryptedContent.dataKey'),
          'encryption_certificate_id',
            json_extract(n.value, '$.encryptedContent.encryptionCertificateId'),
          'encryption_certificate_thumbprint',
            json_extract(n.value, '$.encryptedContent.encryptionCertificateThumbprint')) END)))
    FROM json_each(presence_inbox.body, '$.value') AS n)),
  'validation_tokens', json(coalesce(json_extract(body, '$.validationTokens'), '[]')))
WHERE json_valid(body) AND json_type(body, '$.v') IS NULL;
)sql";

}  // namespace ccteams::store
