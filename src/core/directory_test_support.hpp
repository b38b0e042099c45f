#pragma once
// Helpers shared by the directory index tests (not part of the library).

#include <string>
#include <vector>

#include "core/directory.hpp"

namespace ccteams::directory_test {

// A Teams user whose given name is the first word of display_name and whose surname is the
// rest; mail "given.surname@contoso.com" (lower case, spaces as dots), as Entra usually has it.
inline TeamsUser teams_user(std::string id, std::string display_name, std::string department = {},
                            std::string job_title = {}) {
  TeamsUser u;
  u.id = std::move(id);
  u.display_name = std::move(display_name);
  const std::size_t space = u.display_name.find(' ');
  u.given_name = u.display_name.substr(0, space);
  u.surname = space == std::string::npos ? std::string() : u.display_name.substr(space + 1);
  std::string local = u.display_name;
  for (char& c : local) {
    if (c == ' ') c = '.';
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  u.mail = local + "@contoso.com";
  u.user_principal_name = u.mail;
  u.department = std::move(department);
  u.job_title = std::move(job_title);
  u.business_phones = {"+1 425 555 0100"};
  return u;
}

inline DirectoryQuery query(std::string text, std::string department = {},
                            std::string job_title = {}, std::size_t limit = kDirectoryMaxLimit) {
  DirectoryQuery q;
  q.text = std::move(text);
  q.department = std::move(department);
  q.job_title = std::move(job_title);
  q.limit = limit;
  return q;
}

// The ids of one page, best first; a failed search gives {"error: <message>"} so that an
// expectation on ids fails loudly instead of passing on an empty list.
inline std::vector<std::string> ids_of(const DirectoryIndex& index, const DirectoryQuery& q) {
  auto page = index.search(q);
  if (!page) return {"error: " + page.error().message};
  std::vector<std::string> ids;
  for (const DirectoryHit& h : page->items) ids.push_back(h.user.user.id);
  return ids;
}

}  // namespace ccteams::directory_test
