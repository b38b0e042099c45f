#include "adapters/http/router.hpp"

#include <algorithm>
#include <cassert>

namespace ccteams::http {

namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  while (!path.empty()) {
    if (path.front() == '/') {
      path.remove_prefix(1);
      continue;
    }
    const auto slash = path.find('/');
    parts.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash);
  }
  return parts;
}

bool is_param(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

void Router::add(std::string_view method, std::string_view pattern, Handler handler) {
  assert(!method.empty());
  // The REST API takes JSON only: checked here, once for every route, so that a handler that
  // ignores its body (a POST that only acts) cannot be reached by a cross-site form either.
  if (pattern.starts_with(kJsonApiPrefix) &&
      (method == "POST" || method == "PUT" || method == "PATCH")) {
    handler = [inner = std::move(handler)](Request& req) -> boost::asio::awaitable<Response> {
      if (auto r = require_json_body(req); !r) co_return error_response(r.error());
      co_return co_await inner(req);
    };
  }
  Route r;
  r.method = std::string(method);
  r.pattern = std::string(pattern);
  for (auto s : split_path(pattern)) r.segments.emplace_back(s);
  r.handler = std::move(handler);
  routes_.push_back(std::move(r));
}

void Router::add_websocket(std::string_view pattern, WsHandler handler) {
  Route r;
  r.pattern = std::string(pattern);
  for (auto s : split_path(pattern)) r.segments.emplace_back(s);
  r.ws_handler = std::move(handler);
  routes_.push_back(std::move(r));
}

std::vector<RouteInfo> Router::routes() const {
  std::vector<RouteInfo> out;
  out.reserve(routes_.size());
  for (const auto& r : routes_) {
    out.push_back({r.method.empty() ? std::string("WEBSOCKET") : r.method, r.pattern});
  }
  return out;
}

bool Router::matches(const Route& route, const std::vector<std::string_view>& parts,
                     std::map<std::string, std::string, std::less<>>* params, int* score) {
  if (route.segments.size() != parts.size()) return false;
  int literal = 0;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const auto& seg = route.segments[i];
    if (is_param(seg)) {
      if (parts[i].empty()) return false;
      if (params) (*params)[seg.substr(1, seg.size() - 2)] = std::string(parts[i]);
    } else if (seg != parts[i]) {
      return false;
    } else {
      // Earlier literal segments weigh more, so "/a/b/{x}" beats "/a/{y}/c" for "/a/b/c".
      literal += 1 << (16 - std::min<std::size_t>(i, 15));
    }
  }
  *score = literal;
  return true;
}

Router::Match Router::match(std::string_view method, std::string_view path) const {
  const auto parts = split_path(path);
  Match best;
  int best_score = -1;
  const Route* best_route = nullptr;
  const bool head = method == "HEAD";
  for (const auto& route : routes_) {
    int score = 0;
    if (!matches(route, parts, nullptr, &score)) continue;
    const bool is_ws = route.method.empty();
    const std::string_view route_method = is_ws ? std::string_view{"GET"} : route.method;
    if (route_method == method || (head && route_method == "GET")) {
      if (score > best_score) {
        best_score = score;
        best_route = &route;
      }
    } else {
      // A GET route answers HEAD as well, so Allow must say so.
      for (std::string_view allowed : {route_method, route_method == "GET" ? std::string_view{"HEAD"}
                                                                           : std::string_view{}}) {
        if (!allowed.empty() &&
            std::find(best.allowed.begin(), best.allowed.end(), allowed) == best.allowed.end()) {
          best.allowed.emplace_back(allowed);
        }
      }
    }
  }
  if (best_route == nullptr) return best;
  Match m;
  int score = 0;
  matches(*best_route, parts, &m.params, &score);
  m.pattern = best_route->pattern;
  if (best_route->method.empty()) {
    m.ws_handler = &best_route->ws_handler;
  } else {
    m.handler = &best_route->handler;
  }
  return m;
}

}  // namespace ccteams::http
