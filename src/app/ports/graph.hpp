#pragma once
// The Microsoft Graph / Entra ID port: what the app layer asks of Microsoft, in plain values,
// split into small roles so that each consumer names only what it calls:
//   EntraTokens          (entra.hpp)                app, code and refresh tokens; directory roles
//   GraphDirectory       (graph_directory.hpp)      users list and delta
//   GraphPresenceReader  (graph_presence.hpp)       bulk presence reads
//   GraphPresenceWriter  (graph_presence.hpp)       set / clear the app's presence session
//   GraphSubscriptions   (graph_subscriptions.hpp)  presence subscriptions; notifications
// and the one error type of every call (graph_error.hpp). Implemented by adapters/graph
// (HttpGraphClient), which plays every role; tests fake the role they need. Every wire detail
// (paths, $select and $filter, JSON names, form fields, retries, throttling budget, Entra's
// error codes) lives in the adapter, not here: the app branches on GraphErrorKind,
// EntraErrorKind and LifecycleEvent. Reference: shared/graph-protocol.md (sections cited as §n).

#include "app/ports/entra.hpp"
#include "app/ports/graph_directory.hpp"
#include "app/ports/graph_error.hpp"
#include "app/ports/graph_presence.hpp"
#include "app/ports/graph_subscriptions.hpp"

namespace ccteams {

// Every role in one: what the adapter implements and what wiring passes around (it converts to
// each role). One GraphClient serves every tenant; calls name the tenant. App-token calls
// authenticate with the client-credentials token the client caches per tenant (refreshed ahead
// of expiry); delegated calls take the caller's access token (a sync account's), which the app
// keeps fresh through refresh_token(). Retries (429/503 Retry-After, 5xx backoff) and the per-
// tenant request budget are applied inside; a GraphError is what remains after them.
// Thread-safety: implementations must allow concurrent calls from any executor.
class GraphClient : public EntraTokens,
                    public GraphDirectory,
                    public GraphPresenceReader,
                    public GraphPresenceWriter,
                    public GraphSubscriptions {
 public:
  ~GraphClient() override = default;
  template <class T>
  using Async = GraphAsync<T>;
};

}  // namespace ccteams
