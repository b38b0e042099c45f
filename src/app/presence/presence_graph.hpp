#pragma once
// What presence sync asks of Microsoft Graph: bulk reads (the read pump), the app's presence
// session writes (the outbound writer) and the change-notification subscriptions (the keeper).
// One GraphClient plays all three in the service and converts implicitly; a test may hand in
// one fake per role. Not owned: each role must outlive the presence sync.

#include <concepts>

#include "app/ports/graph_presence.hpp"
#include "app/ports/graph_subscriptions.hpp"

namespace ccteams::presence {

struct PresenceGraph {
  PresenceGraph(GraphPresenceReader& r, GraphPresenceWriter& w, GraphSubscriptions& s)
      : reads(r), writes(w), subscriptions(s) {}
  // One object playing every role (GraphClient, or a fake of all three).
  template <class G>
  requires std::derived_from<G, GraphPresenceReader> && std::derived_from<G, GraphPresenceWriter> &&
      std::derived_from<G, GraphSubscriptions>
      PresenceGraph(G& all)  // NOLINT(google-explicit-constructor): converts like the roles do
      : reads(all), writes(all), subscriptions(all) {}

  GraphPresenceReader& reads;
  GraphPresenceWriter& writes;
  GraphSubscriptions& subscriptions;
};

}  // namespace ccteams::presence
