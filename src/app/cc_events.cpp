#include "app/cc_events.hpp"

namespace ccteams {

std::string_view cc_event_type(const CcEvent& event) {
  struct Name {
    std::string_view operator()(const AgentStateChanged&) const { return "agent.state"; }
    std::string_view operator()(const ContactChanged&) const { return "contact"; }
    std::string_view operator()(const WrapUpRecorded&) const { return "contact.wrapup"; }
    std::string_view operator()(const QueueStatsChanged&) const { return "queue.stats"; }
  };
  return std::visit(Name{}, event);
}

}  // namespace ccteams
