#pragma once
// The directory role of the Graph port (app/ports/graph.hpp): the tenant's users, listed and
// followed by the users delta query (§2). Paths, $select and ConsistencyLevel are the adapter's.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "app/ports/graph_error.hpp"

namespace ccteams {

// A user as Graph returns it (§2). Absent and null are both empty optionals: Graph sends null
// for unset values, and a delta page with `Prefer: return=minimal` omits unchanged ones.
struct GraphUser {
  std::string id;  // the Entra object id (= `oid`), the only stable key
  std::optional<std::string> display_name;
  std::optional<std::string> given_name;
  std::optional<std::string> surname;
  std::optional<std::string> mail;
  std::optional<std::string> user_principal_name;
  std::optional<std::string> job_title;
  std::optional<std::string> department;     // only when $select-ed
  std::vector<std::string> business_phones;  // [] when unset
  std::optional<bool> account_enabled;       // only when $select-ed
};

// Why a delta page lists a user as removed (§2 Delta): "changed" = soft delete (restorable),
// "deleted" = permanent. Unknown reasons are kept as `other` with the raw text.
enum class RemovalReason { changed, deleted, other };

struct RemovedUser {
  std::string id;
  RemovalReason reason = RemovalReason::other;
  std::string raw_reason;  // as sent, e.g. "changed"
};

// One page of GET /users or /users/delta. At most one of next_link / delta_link is set on a
// delta page; a plain list has no delta_link. Links are opaque and must be followed verbatim.
struct UsersPage {
  std::vector<GraphUser> users;
  std::vector<RemovedUser> removed;  // delta only
  std::optional<std::string> next_link;
  std::optional<std::string> delta_link;
  std::optional<std::int64_t> count;  // @odata.count when asked for
};

// App-token calls; one GraphDirectory serves every tenant. Thread-safety: implementations
// must allow concurrent calls from any executor.
class GraphDirectory {
 public:
  virtual ~GraphDirectory() = default;
  template <class T>
  using Async = GraphAsync<T>;

  // Every user, with every GraphUser field (incl. department, accountEnabled); first page.
  virtual Async<UsersPage> list_users(std::string tenant, int page_size) = 0;
  // Any next_link of list_users or users_delta_start (or delta_link), followed verbatim.
  virtual Async<UsersPage> users_page(std::string tenant, std::string link) = 0;
  // The users delta query from the start; follow next_link with users_page until delta_link.
  virtual Async<UsersPage> users_delta_start(std::string tenant) = 0;
};

}  // namespace ccteams
