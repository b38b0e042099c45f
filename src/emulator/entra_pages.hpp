#pragma once
// The HTML of Entra's interactive pages as the emulator renders them: a sign-in page with a
// field labelled "Email" and a button "Next", a consent page listing the requested
// permissions with "Accept" and "Cancel", an error page, and the form_post response.
// Every value is HTML-escaped.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "adapters/http/http_types.hpp"

namespace ccteams::emulator {

std::string html_escape(std::string_view text);

// Posts {flow, login} to action.
http::Response sign_in_page(std::string_view action, std::string_view flow,
                            std::string_view login_hint, std::string_view error);
// Posts {flow, decision=accept|cancel, consent_for_org?} to action.
http::Response consent_page(std::string_view action, std::string_view flow,
                            std::string_view app_name, std::string_view user_upn,
                            const std::vector<std::string>& permissions, bool admin_consent,
                            bool offer_org_checkbox);
http::Response error_page(int status, int aadsts, std::string_view message);
// response_mode=form_post: a page that POSTs params to redirect_uri at once.
http::Response form_post_page(std::string_view redirect_uri,
                              const std::vector<std::pair<std::string, std::string>>& params);

}  // namespace ccteams::emulator
