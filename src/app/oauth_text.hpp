#pragma once
// Small text helpers of the OAuth / OpenID Connect flows the app runs with Microsoft Entra ID
// (the connector's sign-in and consent, sync accounts' sign-in): one home for each rule. The
// wire side (the URLs a browser is sent to, reading tokens) is the adapter's: EntraLinks
// (app/ports/entra_links.hpp) and TokenResponse's claims (app/ports/entra.hpp).

#include <string>
#include <string_view>

namespace ccteams {

class TokenSource;

// RFC 7636 §4.1 code verifier: 64..128 unreserved characters from the token source.
std::string new_code_verifier(const TokenSource& tokens);

// GUIDs and Entra's literal values ("True") compare case-insensitively.
bool same_id(std::string_view a, std::string_view b);

// The first line of an Entra error_description ("AADSTSnnnnn: text\r\nTrace ID: ..."),
// printable characters only and bounded: it came through the browser and is shown back.
std::string first_line(std::string_view text);

// The "AADSTSnnnnn" at the start of an error_description, or "".
std::string aadsts_code(std::string_view description);

}  // namespace ccteams
