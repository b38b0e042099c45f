#pragma once
// The presence inbox's body (presence_inbox.body): an accepted notification batch in the store's
// own form, not Graph's wire format, so that the store keeps no Graph codec and what it holds
// does not change when Graph's payloads do. The one home of this codec (STYLE §13).
//
//   {"v":2,
//    "notifications":[{"id","subscription_id","subscription_expiration" (ISO 8601 UTC),
//                      "change_type","resource","tenant_id","organization_id","client_state",
//                      "lifecycle_event","resource_data":{"id","odata_type","odata_id"},
//                      "encrypted_content":{"data","data_signature","data_key",
//                                           "encryption_certificate_id",
//                                           "encryption_certificate_thumbprint"}}],
//    "validation_tokens":[…]}
//
// "lifecycle_event" is Graph's text as sent; reading it back gives ChangeNotification's
// LifecycleEvent through the Graph adapter's one mapping (graph::decode_lifecycle_event).
// Absent optionals are left out; null reads as absent (migrations/v13_inbox_own_form.hpp writes
// nulls when it converts bodies stored before version 13).

#include <string>
#include <string_view>

#include "app/ports/graph.hpp"
#include "core/result.hpp"

namespace ccteams::store {

std::string encode_inbox_batch(const NotificationBatch& batch);
// invalid_input, naming the field, when text is not a body in the form above.
Result<NotificationBatch> decode_inbox_batch(std::string_view text);

}  // namespace ccteams::store
