#include "core/connector.hpp"

namespace ccteams {

std::string_view connector_status_name(ConnectorStatus s) {
  switch (s) {
    case ConnectorStatus::not_configured:
      return "NotConfigured";
    case ConnectorStatus::authorizing:
      return "Authorizing";
    case ConnectorStatus::active:
      return "Active";
    case ConnectorStatus::inactive:
      return "Inactive";
    case ConnectorStatus::authorization_error:
      return "AuthorizationError";
  }
  return "NotConfigured";
}

std::optional<ConnectorStatus> parse_connector_status(std::string_view name) {
  for (auto s :
       {ConnectorStatus::not_configured, ConnectorStatus::authorizing, ConnectorStatus::active,
        ConnectorStatus::inactive, ConnectorStatus::authorization_error}) {
    if (connector_status_name(s) == name) return s;
  }
  return std::nullopt;
}

std::string_view connector_event_name(ConnectorEvent e) {
  switch (e) {
    case ConnectorEvent::authorize:
      return "authorize";
    case ConnectorEvent::consent_accepted:
      return "consent accepted";
    case ConnectorEvent::deactivate:
      return "deactivate";
    case ConnectorEvent::reactivate:
      return "reactivate";
    case ConnectorEvent::remove:
      return "delete";
    case ConnectorEvent::authorization_failed:
      return "authorization failed";
  }
  return "authorize";
}

namespace {

Error refused(std::string message) { return make_error(Errc::conflict, std::move(message)); }

}  // namespace

Result<ConnectorStatus> next_connector_status(ConnectorStatus from, ConnectorEvent event) {
  using S = ConnectorStatus;
  if (from == S::not_configured && event != ConnectorEvent::authorize) {
    return make_error(Errc::not_found,
                      "The Microsoft Teams connector is not set up; start with Set up");
  }
  switch (event) {
    case ConnectorEvent::authorize:
      switch (from) {
        case S::not_configured:
        case S::authorizing:
          return S::authorizing;
        case S::authorization_error:
          return S::authorization_error;
        case S::active:
          return refused("The Microsoft Teams connector is already Active");
        case S::inactive:
          return refused("The Microsoft Teams connector is Inactive; reactivate it instead");
      }
      break;
    case ConnectorEvent::consent_accepted:
      if (from == S::authorizing || from == S::authorization_error) return S::active;
      return refused("The Microsoft Teams connector is " +
                     std::string(connector_status_name(from)) +
                     "; this consent is no longer expected");
    case ConnectorEvent::deactivate:
      if (from == S::active) return S::inactive;
      return refused("Only an Active Microsoft Teams connector can be deactivated (it is " +
                     std::string(connector_status_name(from)) + ")");
    case ConnectorEvent::reactivate:
      if (from == S::inactive) return S::active;
      return refused("Only an Inactive Microsoft Teams connector can be reactivated (it is " +
                     std::string(connector_status_name(from)) + ")");
    case ConnectorEvent::remove:
      if (from == S::active) {
        return refused("Deactivate the Microsoft Teams connector before deleting it");
      }
      return S::not_configured;
    case ConnectorEvent::authorization_failed:
      if (from == S::active || from == S::inactive) return S::authorization_error;
      return refused("The Microsoft Teams connector is " +
                     std::string(connector_status_name(from)) +
                     "; an authorisation failure does not apply");
  }
  return refused("unknown connector event");
}

}  // namespace ccteams
