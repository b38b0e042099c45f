#include "emulator/entra_pages.hpp"

namespace ccteams::emulator {

namespace {

constexpr std::string_view kHead =
    "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    "<title>Sign in to your account</title><style>"
    "body{font-family:'Segoe UI',sans-serif;background:#f2f2f2;margin:0}"
    ".box{max-width:440px;margin:60px auto;background:#fff;padding:44px;"
    "box-shadow:0 2px 6px rgba(0,0,0,.2)}"
    "h1{font-size:24px;font-weight:600}label{display:block;margin:16px 0 4px}"
    "input[type=email]{width:100%;padding:6px;font-size:15px;border:0;"
    "border-bottom:1px solid #666}.err{color:#e81123}"
    "button{min-width:108px;padding:6px 12px;margin:24px 8px 0 0;font-size:15px;"
    "border:1px solid #0067b8;background:#0067b8;color:#fff}"
    "button.secondary{background:#ccc;border-color:#ccc;color:#000}"
    "ul{padding-left:20px}li{margin:6px 0}</style></head><body><div class=\"box\">"
    "<div>Microsoft (emulated)</div>";
constexpr std::string_view kTail = "</div></body></html>";

http::Response page(int status, std::string body) {
  auto r = http::text_response(status, "text/html; charset=utf-8",
                               std::string(kHead) + body + std::string(kTail));
  r.set_header("Cache-Control", "no-store, no-cache");
  r.set_header("X-Frame-Options", "DENY");
  return r;
}

}  // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

http::Response sign_in_page(std::string_view action, std::string_view flow,
                            std::string_view login_hint, std::string_view error) {
  std::string b = "<h1>Sign in</h1><form method=\"post\" action=\"" + html_escape(action) + "\">";
  b += "<input type=\"hidden\" name=\"flow\" value=\"" + html_escape(flow) + "\">";
  b += "<label for=\"i0116\">Email</label>";
  b += "<input id=\"i0116\" type=\"email\" name=\"login\" autocomplete=\"username\" required "
       "value=\"" + html_escape(login_hint) + "\">";
  if (!error.empty()) b += "<p class=\"err\" role=\"alert\">" + html_escape(error) + "</p>";
  b += "<button type=\"submit\" id=\"idSIButton9\">Next</button></form>";
  return page(200, std::move(b));
}

http::Response consent_page(std::string_view action, std::string_view flow,
                            std::string_view app_name, std::string_view user_upn,
                            const std::vector<std::string>& permissions, bool admin_consent,
                            bool offer_org_checkbox) {
  std::string b = "<div>" + html_escape(user_upn) + "</div><h1>Permissions requested</h1>";
  if (admin_consent) b += "<p>Accept for your organization</p>";
  b += "<p><strong>" + html_escape(app_name) + "</strong></p><p>This app would like to:</p><ul>";
  for (const auto& p : permissions) b += "<li>" + html_escape(p) + "</li>";
  b += "</ul><form method=\"post\" action=\"" + html_escape(action) + "\">";
  b += "<input type=\"hidden\" name=\"flow\" value=\"" + html_escape(flow) + "\">";
  if (offer_org_checkbox) {
    b += "<p><input type=\"checkbox\" id=\"org\" name=\"consent_for_org\" value=\"true\">"
         "<label for=\"org\" style=\"display:inline\">Consent on behalf of your "
         "organization</label></p>";
  }
  b += "<button type=\"submit\" name=\"decision\" value=\"cancel\" class=\"secondary\">Cancel"
       "</button><button type=\"submit\" name=\"decision\" value=\"accept\">Accept</button>"
       "</form>";
  return page(200, std::move(b));
}

http::Response error_page(int status, int aadsts, std::string_view message) {
  return page(status, "<h1>Sorry, but we're having trouble signing you in.</h1><p class=\"err\">"
                          "AADSTS" + std::to_string(aadsts) + ": " + html_escape(message) +
                          "</p>");
}

http::Response form_post_page(std::string_view redirect_uri,
                              const std::vector<std::pair<std::string, std::string>>& params) {
  std::string b = "<form method=\"post\" id=\"f\" action=\"" + html_escape(redirect_uri) + "\">";
  for (const auto& [k, v] : params) {
    b += "<input type=\"hidden\" name=\"" + html_escape(k) + "\" value=\"" + html_escape(v) +
         "\">";
  }
  b += "<noscript><button type=\"submit\">Continue</button></noscript></form>"
       "<script>document.getElementById('f').submit()</script>";
  return page(200, std::move(b));
}

}  // namespace ccteams::emulator
