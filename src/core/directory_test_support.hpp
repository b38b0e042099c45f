#pragma once
// Helpers shared by the directory index tests (not part of the library).

#include <algorithm>
#include <cstddef>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "core/directory.hpp"
#include "core/directory_text.hpp"

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

// The contract of DirectoryIndex::search (directory.hpp) written the slow, obvious way: every
// user checked against every rule, then sorted. The index's tests and directory_bench compare
// the index against it.
struct ReferenceUser {
  std::string id;
  std::string sort;  // folded display name
  std::string alt;   // folded "given surname"
  std::string department;
  std::string title;
  std::vector<std::pair<int, std::string>> tokens;  // 3 name, 2 mail, 1 job title or department
};
inline ReferenceUser reference_user(const TeamsUser& u) {
  ReferenceUser r{u.id,
                  directory_fold(u.display_name),
                  directory_fold(u.given_name + ' ' + u.surname),
                  directory_fold(u.department),
                  directory_fold(u.job_title),
                  {}};
  for (const std::string* f : {&u.display_name, &u.given_name, &u.surname}) {
    for (std::string& t : directory_tokens(*f)) r.tokens.emplace_back(3, std::move(t));
  }
  for (std::string& t : directory_mail_tokens(u.mail.empty() ? u.user_principal_name : u.mail)) {
    r.tokens.emplace_back(2, std::move(t));
  }
  for (const std::string* f : {&u.job_title, &u.department}) {
    for (std::string& t : directory_tokens(*f)) r.tokens.emplace_back(1, std::move(t));
  }
  return r;
}

struct ReferencePage {
  std::vector<std::string> ids;
  std::vector<DirectoryMatch> matches;
  std::size_t total = 0;
};
// The first page of q (its cursor is ignored) over the enabled users, and the total.
inline ReferencePage reference_search(const std::vector<ReferenceUser>& users,
                                      const DirectoryQuery& q, bool details) {
  std::string text;  // a word's "@domain" part is ignored
  bool in_domain = false;
  for (const char c : q.text) {
    if (c == '@') in_domain = true;
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') in_domain = false;
    if (!in_domain) text.push_back(c);
  }
  const std::vector<std::string> words = directory_tokens(text);
  std::string phrase;
  for (const std::string& w : words) phrase += (phrase.empty() ? "" : " ") + w;
  const std::string department = directory_fold(q.department);
  const std::string title = directory_fold(q.job_title);
  std::vector<std::tuple<DirectoryMatch, std::string, std::string>> hits;
  for (const ReferenceUser& u : users) {
    if (!department.empty() && u.department != department) continue;
    if (!title.empty() && u.title != title) continue;
    DirectoryMatch match = DirectoryMatch::filter_only;
    if (!words.empty()) {
      int worst = 3;  // per word the best way a token matches it: 3 name prefix, 2 other, 1 infix
      for (const std::string& w : words) {
        int best = 0;
        for (const auto& [kind, t] : u.tokens) {
          if (kind == 1 && !details) continue;
          if (t.starts_with(w)) {
            best = std::max(best, kind == 3 ? 3 : 2);
          } else if (w.size() >= kDirectoryMinInfix && t.find(w) != std::string::npos) {
            best = std::max(best, 1);
          }
        }
        worst = std::min(worst, best);
      }
      if (worst == 0) continue;
      if (phrase == u.sort || phrase == u.alt) {
        match = DirectoryMatch::exact_name;
      } else if (u.sort.starts_with(phrase) || u.alt.starts_with(phrase)) {
        match = DirectoryMatch::name_prefix;
      } else if (worst == 3) {
        match = DirectoryMatch::name_token_prefix;
      } else if (details && (phrase == u.department || phrase == u.title)) {
        match = DirectoryMatch::exact_field;
      } else {
        match = worst == 2 ? DirectoryMatch::other_prefix : DirectoryMatch::infix;
      }
    }
    hits.emplace_back(match, u.sort, u.id);
  }
  std::sort(hits.begin(), hits.end());
  ReferencePage page;
  page.total = hits.size();
  for (std::size_t i = 0; i < hits.size() && i < q.limit; ++i) {
    page.matches.push_back(std::get<0>(hits[i]));
    page.ids.push_back(std::get<2>(hits[i]));
  }
  return page;
}

}  // namespace ccteams::directory_test
