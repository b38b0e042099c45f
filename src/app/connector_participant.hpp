#pragma once
// The services that hang off an organisation's Teams connector (sync accounts, presence sync,
// the directory mirror) learn about its lifecycle through this interface, so that the connector
// service does not depend on them and each removes what it created when the connector goes.
//
// The connector service calls every registered participant, in registration order, after the
// connector's new status is stored. Participants must not call back into the connector service
// from these calls (it may hold its per-organisation lock).
// Thread-safety: calls for different organisations may run concurrently.

#include <boost/asio/awaitable.hpp>
#include <string>
#include <string_view>

#include "core/ids.hpp"
#include "core/result.hpp"

namespace ccteams {

class ConnectorParticipant {
 public:
  virtual ~ConnectorParticipant() = default;

  // A short name for messages and the audit log: "sync accounts", "directory mirror".
  virtual std::string_view participant_name() const = 0;

  // The connector of org became Active for the Entra tenant (set up, reactivated or
  // re-authorised). Start working; failures are the participant's own to report and retry.
  virtual boost::asio::awaitable<void> connector_active(OrgId org, std::string tenant) = 0;

  // The connector of org stopped being Active (deactivated, or AuthorizationError). Stop
  // calling Graph for org; keep local data (a reactivation resumes from it).
  virtual boost::asio::awaitable<void> connector_inactive(OrgId org) = 0;

  // The connector of org is being deleted: remove every artefact this participant created,
  // in Graph first (subscriptions, presence sessions; best effort, Graph may refuse us by now)
  // and then locally (mirrored rows, stored tokens). Returns a one-line summary for the admin,
  // e.g. "2 sync accounts and their tokens removed". An error stops the deletion and is shown.
  virtual boost::asio::awaitable<Result<std::string>> remove_connector_artefacts(
      OrgId org, std::string tenant) = 0;

  // The Active connector's settings changed (showUserDetails, presenceSync, the presence
  // mapping). Synchronous and quick: read ConnectorService::active(org) later, on your own
  // executor. Default: nothing.
  virtual void connector_changed(OrgId /*org*/) {}
};

}  // namespace ccteams
