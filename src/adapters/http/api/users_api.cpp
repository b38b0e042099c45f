// /api/v1/users: accounts of the caller's organisation (admin only).
#include <boost/asio/awaitable.hpp>
#include <boost/json.hpp>
#include <charconv>
#include <optional>

#include "adapters/http/api/account_json.hpp"
#include "adapters/http/api/api_context.hpp"
#include "adapters/http/api/request_auth.hpp"
#include "adapters/http/json_io.hpp"
#include "adapters/http/sync_handler.hpp"

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

Response list_users(ApiContext& ctx, Request& req) {
  auto caller = authorize_request(req, ctx.auth, {Role::admin});
  if (!caller) return error_response(caller.error());
  auto users = ctx.users.list(caller->org_id);
  if (!users) return error_response(users.error());
  json::array items;
  for (const auto& u : *users) items.emplace_back(user_to_json(u));
  return json_response(200, json::object{{"items", std::move(items)}});
}

Response create_user(ApiContext& ctx, Request& req) {
  auto caller = authorize_request(req, ctx.auth, {Role::admin});
  if (!caller) return error_response(caller.error());
  auto body = parse_json_object(req);
  if (!body) return error_response(body.error());
  auto user = new_user_from_json(*body);
  if (!user) return error_response(user.error());
  auto created = ctx.users.create(caller->org_id, *user);
  if (!created) return error_response(created.error());
  Response r = json_response(201, user_to_json(*created));
  r.set_header("Location", "/api/v1/users/" + std::to_string(created->id.value));
  return r;
}

Response get_user(ApiContext& ctx, Request& req) {
  auto caller = authorize_request(req, ctx.auth, {Role::admin});
  if (!caller) return error_response(caller.error());
  auto id = user_id_param(req);
  if (!id) return error_response(id.error());
  auto user = ctx.users.get(caller->org_id, *id);
  if (!user) return error_response(user.error());
  return json_response(200, user_to_json(*user));
}

Response patch_user(ApiContext& ctx, Request& req) {
  auto caller = authorize_request(req, ctx.auth, {Role::admin});
  if (!caller) return error_response(caller.error());
  auto id = user_id_param(req);
  if (!id) return error_response(id.error());
  auto body = parse_json_object(req);
  if (!body) return error_response(body.error());
  auto changes = user_changes_from_json(*body);
  if (!changes) return error_response(changes.error());
  auto user = ctx.users.update(*caller, *id, *changes);
  if (!user) return error_response(user.error());
  return json_response(200, user_to_json(*user));
}

Response delete_user(ApiContext& ctx, Request& req) {
  auto caller = authorize_request(req, ctx.auth, {Role::admin});
  if (!caller) return error_response(caller.error());
  auto id = user_id_param(req);
  if (!id) return error_response(id.error());
  if (auto r = ctx.users.remove(*caller, *id); !r) return error_response(r.error());
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
Handler on_password_workers(ApiContext& ctx, SyncHandler fn, bool (*hashes)(const Request&)) {
  return [&ctx, fn = std::move(fn), hashes](Request& req) -> asio::awaitable<Response> {
    if (ctx.password_workers == nullptr || !hashes(req)) co_return fn(req);
    std::optional<Response> response;
    auto ran = co_await ctx.password_workers->run([&] { response = fn(req); });
    if (!ran) co_return error_response(ran.error());
    co_return std::move(*response);
  };
}

}  // namespace

void register_user_routes(Router& router, ApiContext& ctx) {
  router.add("GET", "/api/v1/users", sync_handler([&ctx](Request& r) { return list_users(ctx, r); }));
  router.add("POST", "/api/v1/users",
             on_password_workers(
                 ctx, [&ctx](Request& r) { return create_user(ctx, r); },
                 [](const Request&) { return true; }));
  router.add("GET", "/api/v1/users/{id}", sync_handler([&ctx](Request& r) { return get_user(ctx, r); }));
  router.add("PATCH", "/api/v1/users/{id}",
             on_password_workers(
                 ctx, [&ctx](Request& r) { return patch_user(ctx, r); }, sets_password));
  router.add("DELETE", "/api/v1/users/{id}", sync_handler([&ctx](Request& r) { return delete_user(ctx, r); }));
}

}  // namespace ccteams::http
