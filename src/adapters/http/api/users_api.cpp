// /api/v1/users: accounts of the caller's organisation (admin only).
#include <boost/asio/awaitable.hpp>
#include <boost/json.hpp>
#include <charconv>
#include <optional>

#include "adapters/http/api/account_json.hpp"
#include "adapters/http/api/api_context.hpp"
#include "adapters/http/api/request_auth.hpp"
#include "adapters/http/json_io.hpp"

namespace ccteams::http {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

Result<UserId> user_id_param(const Request& req) {
  const auto text = req.path_param("id");
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size() || v <= 0) {
    // Not a number cannot name a user of this organisation: same answer as an unknown id.
    return make_error(Errc::not_found, "no such user");
  }
  return UserId{v};
}

Response list_users(ApiContext& ctx, const Caller& caller) {
  auto users = ctx.users.list(caller.org_id);
  if (!users) return error_response(users.error());
  json::array items;
  for (const auto& u : *users) items.emplace_back(user_to_json(u));
  return json_response(200, json::object{{"items", std::move(items)}});
}

Response create_user(ApiContext& ctx, const Caller& caller, Request& req) {
  auto body = parse_json_object(req);
  if (!body) return error_response(body.error());
  auto user = new_user_from_json(*body);
  if (!user) return error_response(user.error());
  auto created = ctx.users.create(caller.org_id, *user);
  if (!created) return error_response(created.error());
  Response r = json_response(201, user_to_json(*created));
  r.set_header("Location", "/api/v1/users/" + std::to_string(created->id.value));
  return r;
}

Response get_user(ApiContext& ctx, const Caller& caller, Request& req) {
  auto id = user_id_param(req);
  if (!id) return error_response(id.error());
  auto user = ctx.users.get(caller.org_id, *id);
  if (!user) return error_response(user.error());
  return json_response(200, user_to_json(*user));
}

Response patch_user(ApiContext& ctx, const Caller& caller, Request& req) {
  auto id = user_id_param(req);
  if (!id) return error_response(id.error());
  auto body = parse_json_object(req);
  if (!body) return error_response(body.error());
  auto changes = user_changes_from_json(*body);
  if (!changes) return error_response(changes.error());
  auto user = ctx.users.update(caller, *id, *changes);
  if (!user) return error_response(user.error());
  return json_response(200, user_to_json(*user));
}

Response delete_user(ApiContext& ctx, const Caller& caller, Request& req) {
  auto id = user_id_param(req);
  if (!id) return error_response(id.error());
  if (auto r = ctx.users.remove(caller, *id); !r) return error_response(r.error());
  return empty_response(204);
}

// Whether a PATCH sets a password (only then is it worth a worker).
bool sets_password(const Request& req) {
  auto body = parse_json_object(req);
  return body && body->contains("password");
}

// Creating a user and setting a password hash with Argon2id: the whole handler then runs on the
// password workers (the store is thread-safe), never on an I/O thread; other changes (disabling
// an account during a sign-in flood) do not wait for the workers.
AsyncCallerHandler on_password_workers(ApiContext& ctx, CallerHandler fn,
                                       bool (*hashes)(const Request&)) {
  return [&ctx, fn = std::move(fn), hashes](const Caller& caller,
                                            Request& req) -> asio::awaitable<Response> {
    if (!hashes(req)) co_return fn(caller, req);
    std::optional<Response> response;
    auto ran = co_await ctx.password_workers.run([&] { response = fn(caller, req); });
    if (!ran) co_return error_response(ran.error());
    co_return std::move(*response);
  };
}

}  // namespace

void register_user_routes(Router& router, ApiContext& ctx) {
  const std::vector<Role> admin{Role::admin};
  router.add("GET", "/api/v1/users",
             with_caller(ctx.auth, admin,
                         [&ctx](const Caller& c, Request&) { return list_users(ctx, c); }));
  router.add("POST", "/api/v1/users",
             with_caller_async(
                 ctx.auth, admin,
                 on_password_workers(
                     ctx, [&ctx](const Caller& c, Request& r) { return create_user(ctx, c, r); },
                     [](const Request&) { return true; })));
  router.add("GET", "/api/v1/users/{id}",
             with_caller(ctx.auth, admin,
                         [&ctx](const Caller& c, Request& r) { return get_user(ctx, c, r); }));
  router.add("PATCH", "/api/v1/users/{id}",
             with_caller_async(
                 ctx.auth, admin,
                 on_password_workers(
                     ctx, [&ctx](const Caller& c, Request& r) { return patch_user(ctx, c, r); },
                     sets_password)));
  router.add("DELETE", "/api/v1/users/{id}",
             with_caller(ctx.auth, admin,
                         [&ctx](const Caller& c, Request& r) { return delete_user(ctx, c, r); }));
}

}  // namespace ccteams::http
