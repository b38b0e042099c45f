#pragma once
// The organisation's Microsoft Teams connector (DESIGN.md, connector lifecycle): its value and
// the pure lifecycle state machine. No I/O: the connector service (app/connector_service) asks
// this file whether a step is allowed and stores the result.
//
//   NotConfigured --authorize--> Authorizing --consent accepted--> Active
//   Active --deactivate--> Inactive --reactivate--> Active
//   Inactive --delete--> NotConfigured          (refused while Active: conflict)
//   Active --token refused--> AuthorizationError --re-authorize--> Active
//
// Decisions beyond the vendor diagram (each tested in connector_test.cpp):
// * authorize is also allowed again while Authorizing (a new popup) and from AuthorizationError
//   (re-authorisation); it leaves AuthorizationError as it is until consent arrives, so a
//   cancelled re-authorisation does not hide that the connector is broken.
// * delete is allowed from every configured status except Active, so that an abandoned set-up
//   (Authorizing) or a broken connector (AuthorizationError) can be removed without first
//   consenting again.
// * authorization_failed applies to Active (health check, Graph refusing tokens) and to
//   Inactive (reactivate found the token refused).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/ids.hpp"
#include "core/presence.hpp"
#include "core/result.hpp"
#include "core/time.hpp"

namespace ccteams {

enum class ConnectorStatus : std::uint8_t {
  not_configured,
  authorizing,
  active,
  inactive,
  authorization_error,
};

// "NotConfigured", "Authorizing", "Active", "Inactive", "AuthorizationError" (API and store).
std::string_view connector_status_name(ConnectorStatus s);
std::optional<ConnectorStatus> parse_connector_status(std::string_view name);

enum class ConnectorEvent : std::uint8_t {
  authorize,         // an admin pressed Set up / Re-authorise
  consent_accepted,  // the consent callback confirmed the tenant with an app token
  deactivate,
  reactivate,            // the app token was confirmed first
  remove,                // delete
  authorization_failed,  // Entra refused our app token (consent revoked, app deleted)
};

std::string_view connector_event_name(ConnectorEvent e);  // "authorize", "delete", ...

// The status after event, or conflict with a message an admin can act on (e.g. "Deactivate
// the Microsoft Teams connector before deleting it"); not_found for any event but authorize on
// a connector that is not configured.
Result<ConnectorStatus> next_connector_status(ConnectorStatus from, ConnectorEvent event);

// The connector of one organisation (at most one per organisation).
struct TeamsConnector {
  OrgId org;
  ConnectorStatus status = ConnectorStatus::not_configured;
  std::string tenant_id;  // confirmed by an app token's tid; empty before the first consent
  std::optional<UserId> consented_by;  // the ccteams admin who started the consent
  std::string consented_by_username;   // kept when that account is later removed
  std::optional<Timestamp> consented_at;
  // The Microsoft Entra account that signed in and consented (from its verified ID token).
  std::string consented_by_entra_upn;
  std::string consented_by_entra_oid;
  std::vector<std::string> granted_permissions;  // app roles of the confirming token
  bool show_user_details = true;
  bool presence_sync = true;
  PresenceMapping mapping;
  std::string last_error;  // the last authorisation failure, for the admin; "" when none
  Timestamp updated_at{};
  // Optimistic concurrency: bumped by every store write; a write naming an older version is
  // refused, so two concurrent lifecycle steps cannot both win.
  std::int64_t version = 0;

  friend bool operator==(const TeamsConnector&, const TeamsConnector&) = default;
};

}  // namespace ccteams
