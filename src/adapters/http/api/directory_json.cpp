#include "adapters/http/api/directory_json.hpp"

#include <boost/json.hpp>

namespace ccteams::http {

namespace json = boost::json;

json::object presence_to_json(const GraphPresence& p) {
  json::object o{{"availability", p.availability}, {"activity", p.activity}};
  if (p.out_of_office) o["outOfOffice"] = *p.out_of_office;
  return o;
}

json::object directory_item_to_json(const DirectorySearchItem& item, bool show_user_details) {
  const DirectoryUser& d = item.hit.user;
  const TeamsUser& u = d.user;
  json::object o{{"id", u.id},
                 {"displayName", u.display_name},
                 {"givenName", u.given_name},
                 {"surname", u.surname},
                 {"mail", u.mail},
                 {"userPrincipalName", u.user_principal_name},
                 {"phone", d.phone.empty() ? json::value(nullptr) : json::value(d.phone)},
                 {"dialable", d.dialability == Dialability::dialable},
                 {"dialability", dialability_name(d.dialability)},
                 {"match", directory_match_name(item.hit.match)}};
  const auto reason = not_dialable_reason(d.dialability);
  o["notDialableReason"] = reason.empty() ? json::value(nullptr) : json::value(reason);
  if (show_user_details) {
    o["jobTitle"] = u.job_title;
    o["department"] = u.department;
    o["presence"] = item.presence ? json::value(presence_to_json(*item.presence)) : nullptr;
  }
  return o;
}

json::object directory_page_to_json(const DirectorySearchResult& r) {
  json::array items;
  items.reserve(r.items.size());
  for (const auto& i : r.items) items.emplace_back(directory_item_to_json(i, r.show_user_details));
  return {{"items", std::move(items)},
          {"nextCursor", r.next_cursor.empty() ? json::value(nullptr) : json::value(r.next_cursor)},
          {"total", r.total},
          {"showUserDetails", r.show_user_details},
          {"presenceUnavailable", r.presence_unavailable}};
}

json::object sync_report_to_json(const DirectorySyncReport& r) {
  return {{"full", r.full}, {"users", r.users}, {"upserted", r.upserted}, {"removed", r.removed}};
}

json::array warnings_to_json(const std::vector<DirectoryWarning>& warnings) {
  json::array out;
  for (const auto& w : warnings) out.emplace_back(json::object{{"code", w.code}, {"message", w.message}});
  return out;
}

Response not_dialable_response(const DirectoryUser& user) {
  Response r = error_response(make_error(
      Errc::conflict, user.user.display_name + " cannot be dialed: " +
                          std::string(not_dialable_reason(user.dialability))));
  // The standard body, with the dialability as the machine-readable reason.
  json::value body = json::parse(r.body);
  body.as_object()["error"].as_object()["reason"] = dialability_name(user.dialability);
  r.body = json::serialize(body);
  return r;
}

}  // namespace ccteams::http
