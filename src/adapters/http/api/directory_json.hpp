#pragma once
// JSON of the Teams directory API (issue 7): results, presence, warnings, and the refusal of a
// consult/transfer to a user who cannot be dialed. The only home of these codecs.

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "adapters/http/http_types.hpp"
#include "app/directory_service.hpp"

namespace ccteams::http {

// {"availability","activity"} (+"outOfOffice" when Graph said).
boost::json::object presence_to_json(const GraphPresence& p);

// One search result: {"id","displayName","givenName","surname","mail","userPrincipalName",
// "phone","dialable","dialability","notDialableReason","match"} and, with showUserDetails,
// "jobTitle", "department" and "presence" (null when Graph gave none).
boost::json::object directory_item_to_json(const DirectorySearchItem& item, bool show_user_details);

// {"items","nextCursor","total","showUserDetails","presenceUnavailable"}.
boost::json::object directory_page_to_json(const DirectorySearchResult& r);

// {"full","users","upserted","removed"}.
boost::json::object sync_report_to_json(const DirectorySyncReport& r);

// [{"code","message"}…]
boost::json::array warnings_to_json(const std::vector<DirectoryWarning>& warnings);

// 409 conflict, the standard error body plus "reason": "missing" or "not_e164" (the machine-
// readable dialability), naming the user in the message.
Response not_dialable_response(const DirectoryUser& user);

}  // namespace ccteams::http
