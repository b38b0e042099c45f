#pragma once
// Maps (method, path) to a handler. Patterns are literal segments and "{name}" parameters:
// "/api/v1/users/{id}". Literal segments win over parameters. Registration happens before
// the server starts; match() is then read-only and safe from any thread.

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "adapters/http/http_types.hpp"

namespace ccteams::http {

using Handler = std::function<boost::asio::awaitable<Response>(Request&)>;

// RFC 6455 close codes handlers use: a rule refuses the connection (its session ended), and
// the server is overloaded for this client (try again later).
inline constexpr std::uint16_t kWsClosePolicy = 1008;
inline constexpr std::uint16_t kWsCloseTryAgainLater = 1013;

// A WebSocket as handlers see it (implemented by the server).
class WebSocket {
 public:
  virtual ~WebSocket() = default;
  // Queues a text message. Thread-safe. Returns false, and starts closing the connection,
  // when the outbox is full (a slow client is disconnected rather than buffered without bound).
  virtual bool send(std::string text) = 0;
  // Starts a normal close. Thread-safe; idempotent.
  virtual void close(std::string reason) = 0;
  // Starts a close with an RFC 6455 code (e.g. kWsClosePolicy). Thread-safe; the first close wins.
  virtual void close(std::uint16_t code, std::string reason) = 0;
  virtual const std::string& remote_address() const = 0;
};

struct WsCallbacks {
  std::function<void(std::shared_ptr<WebSocket>)> on_open;  // after the handshake
  std::function<void(std::string_view)> on_message;         // each text message received
  std::function<void()> on_close;                            // once, however it ended
};

// Runs before the upgrade: return a Response (e.g. 401) to refuse, callbacks to accept.
using WsHandler =
    std::function<boost::asio::awaitable<std::variant<Response, WsCallbacks>>(Request&)>;

// A registered route as listed by Router::routes().
struct RouteInfo {
  std::string method;   // "GET", ...; "WEBSOCKET" for a WebSocket route (a GET with Upgrade)
  std::string pattern;  // as registered: "/api/v1/users/{id}"
  friend bool operator==(const RouteInfo&, const RouteInfo&) = default;
};

// Routes under this prefix taking a body (POST, PUT, PATCH) answer 415 to a body that is not
// Content-Type: application/json, before their handler runs (require_json_body).
inline constexpr std::string_view kJsonApiPrefix = "/api/";

class Router {
 public:
  void add(std::string_view method, std::string_view pattern, Handler handler);
  void add_websocket(std::string_view pattern, WsHandler handler);

  struct Match {
    const Handler* handler = nullptr;      // set when found
    const WsHandler* ws_handler = nullptr; // set for a WebSocket route (GET)
    std::map<std::string, std::string, std::less<>> params;
    // The registered pattern of the matched route, e.g. "/api/v1/users/{id}" (a bounded metric
    // label, unlike the path). Points into the router; empty when nothing matched.
    std::string_view pattern;
    // When handler and ws_handler are null: 404 if allowed is empty, else 405 with Allow.
    std::vector<std::string> allowed;
  };
  Match match(std::string_view method, std::string_view path) const;

  // Every route in registration order: what the server answers (e.g. for the authorization
  // matrix test, which fails when a route has no entry in its table).
  std::vector<RouteInfo> routes() const;

 private:
  struct Route {
    std::string method;              // "" for WebSocket routes
    std::string pattern;
    std::vector<std::string> segments;
    Handler handler;
    WsHandler ws_handler;
  };
  static bool matches(const Route& route, const std::vector<std::string_view>& parts,
                      std::map<std::string, std::string, std::less<>>* params, int* score);
  std::vector<Route> routes_;
};

}  // namespace ccteams::http
