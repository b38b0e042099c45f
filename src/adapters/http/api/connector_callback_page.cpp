// The consent popup's last page (see connector_api.hpp).
#include <boost/json.hpp>

#include "adapters/crypto/encoding.hpp"
#include "adapters/http/api/connector_api.hpp"
#include "adapters/http/message_codes.hpp"

namespace ccteams::http {

namespace json = boost::json;

namespace {

std::string html_escape(std::string_view in) {
  std::string out;
  for (char c : in) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

// JSON placed inside a <script type="application/json"> block: "<" is escaped so that no text
// can close the element ("</script>") however the message reads.
std::string embedded_json(const boost::json::object& o) {
  std::string out;
  for (char c : boost::json::serialize(o)) {
    if (c == '<') {
      out += "\\u003c";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// Posts to the opener with this page's own origin as the target: a window of another origin
// that opened the popup receives nothing. Success closes the popup; an error stays readable.
constexpr std::string_view kScript = R"js(
(function () {
  var result = JSON.parse(document.getElementById('result').textContent);
  if (window.opener) {
    try { window.opener.postMessage(result, window.location.origin); } catch (e) {}
  }
  var button = document.getElementById('close');
  if (button) button.addEventListener('click', function () { window.close(); });
  if (result.status === 'Active') window.close();
})();
)js";

}  // namespace

Response consent_result_page(const Result<TeamsConnector>& result) {
  const bool ok = result.has_value();
  const std::string status = ok ? std::string(connector_status_name(result->status)) : "error";
  const std::string message =
      ok ? "Microsoft Teams is connected. The connector is Active for tenant " + result->tenant_id +
               (result->consented_by_entra_upn.empty()
                    ? std::string()
                    : ", consented by " + result->consented_by_entra_upn) +
               ". You can close this window."
         : result.error().message;
  const std::string nonce = random_token(18);
  std::string body =
      "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<title>Microsoft Teams connector</title></head><body>\n<h1>" +
      std::string(ok ? "Microsoft Teams connected" : "Microsoft Teams was not connected") +
      "</h1>\n<p id=\"message\">" + html_escape(message) + "</p>\n" +
      (ok ? "" : "<p><button id=\"close\" type=\"button\">Close</button></p>\n") +
      "<script type=\"application/json\" id=\"result\">" +
      embedded_json(boost::json::object{
          {"type", "ccteams-connector"},
          {"status", status},
          {"message", message},
          {"messageCode", ok ? json::value(nullptr) : message_code_json(message)}}) +
      "</script>\n<script nonce=\"" + nonce + "\">" + std::string(kScript) +
      "</script>\n</body></html>\n";
  Response r = text_response(ok ? 200 : to_http_status(result.error().code),
                             "text/html; charset=utf-8", std::move(body));
  r.set_header("Content-Security-Policy",
               "default-src 'none'; script-src 'nonce-" + nonce +
                   "'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
  r.set_header("Cache-Control", "no-store");
  return r;
}

}  // namespace ccteams::http
