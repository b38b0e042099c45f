// /api/v1/users: accounts of the caller's organisation (admin only).
#include <boost/asio/awaitable.hpp>
#include <boost/json.hpp>
#include <charconv>

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

asio::awaitable<Response> list_users(ApiContext& ctx, Caller caller) {
  auto users = co_await ctx.users.list(caller.org_id);
  if (!users) co_return error_response(users.error());
  json::array items;
  for (const auto& u : *users) items.emplace_back(user_to_json(u));
  co_return json_response(200, json::object{{"items", std::move(items)}});
}

// The service hashes a new password on the password workers, never on an I/O thread.
asio::awaitable<Response> create_user(ApiContext& ctx, Caller caller, Request& req) {
  auto body = parse_json_object(req);
  if (!body) co_return error_response(body.error());
  auto user = new_user_from_json(*body);
  if (!user) co_return error_response(user.error());
  auto created = co_await ctx.users.create(caller.org_id, std::move(*user));
  if (!created) co_return error_response(created.error());
  Response r = json_response(201, user_to_json(*created));
  r.set_header("Location", "/api/v1/users/" + std::to_string(created->id.value));
  co_return r;
}

asio::awaitable<Response> get_user(ApiContext& ctx, Caller caller, Request& req) {
  auto id = user_id_param(req);
  if (!id) co_return error_response(id.error());
  auto user = co_await ctx.users.get(caller.org_id, *id);
  if (!user) co_return error_response(user.error());
  co_return json_response(200, user_to_json(*user));
}

asio::awaitable<Response> patch_user(ApiContext& ctx, Caller caller, Request& req) {
  auto id = user_id_param(req);
  if (!id) co_return error_response(id.error());
  auto body = parse_json_object(req);
  if (!body) co_return error_response(body.error());
  auto changes = user_changes_from_json(*body);
  if (!changes) co_return error_response(changes.error());
  auto user = co_await ctx.users.update(std::move(caller), *id, std::move(*changes));
  if (!user) co_return error_response(user.error());
  co_return json_response(200, user_to_json(*user));
}

asio::awaitable<Response> delete_user(ApiContext& ctx, Caller caller, Request& req) {
  auto id = user_id_param(req);
  if (!id) co_return error_response(id.error());
  if (auto r = co_await ctx.users.remove(std::move(caller), *id); !r) {
    co_return error_response(r.error());
  }
  co_return empty_response(204);
}

}  // namespace

void register_user_routes(Router& router, ApiContext& ctx) {
  const std::vector<Role> admin{Role::admin};
  router.add("GET", "/api/v1/users",
             with_caller_async(ctx.auth, admin,
                               [&ctx](const Caller& c, Request&) { return list_users(ctx, c); }));
  router.add("POST", "/api/v1/users",
             with_caller_async(ctx.auth, admin, [&ctx](const Caller& c, Request& r) {
               return create_user(ctx, c, r);
             }));
  router.add("GET", "/api/v1/users/{id}",
             with_caller_async(ctx.auth, admin, [&ctx](const Caller& c, Request& r) {
               return get_user(ctx, c, r);
             }));
  router.add("PATCH", "/api/v1/users/{id}",
             with_caller_async(ctx.auth, admin, [&ctx](const Caller& c, Request& r) {
               return patch_user(ctx, c, r);
             }));
  router.add("DELETE", "/api/v1/users/{id}",
             with_caller_async(ctx.auth, admin, [&ctx](const Caller& c, Request& r) {
               return delete_user(ctx, c, r);
             }));
}

}  // namespace ccteams::http
