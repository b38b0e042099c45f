// DirectoryIndex::search: candidate selection, ranking and keyset paging (contract in
// directory.hpp).

#include <algorithm>
#include <charconv>
#include <optional>
#include <tuple>

#include "core/directory.hpp"
#include "core/directory_text.hpp"

namespace ccteams {
namespace {

constexpr std::size_t kMaxCursorChars = 2048;
constexpr std::string_view kHex = "0123456789abcdef";

Error invalid(std::string message) { return make_error(Errc::invalid_input, std::move(message)); }

// "jane.doe@contoso.com" typed as a query: the domain is not indexed (every user shares it).
std::string without_mail_domains(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool in_domain = false;
  for (const char c : text) {
    if (c == '@') in_domain = true;
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') in_domain = false;
    if (!in_domain) out.push_back(c);
  }
  return out;
}

std::uint64_t fnv1a(std::string_view s, std::uint64_t h) {
  for (const char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return h;
}

// Binds a cursor to the query it was issued for: a cursor replayed against other words, other
// filters or the other gate setting would page through a different ordering.
std::uint64_t fingerprint(const std::string& phrase, const std::string& department,
                          const std::string& title, bool details) {
  std::uint64_t h = 14695981039346656037ULL;
  h = fnv1a(phrase, h);
  h = fnv1a("\x1f", h);
  h = fnv1a(department, h);
  h = fnv1a("\x1f", h);
  h = fnv1a(title, h);
  h = fnv1a("\x1f", h);
  return fnv1a(details ? "1" : "0", h);
}

struct CursorKey {
  std::uint64_t fingerprint = 0;
  DirectoryMatch match = DirectoryMatch::infix;
  std::string sort_name;
  std::string id;
};

// Payload "<fingerprint hex16>.<match digit>.<name bytes>.<name><id>", hex-encoded so that the
// cursor is one opaque URL-safe token that clients cannot be tempted to parse.
std::string encode_cursor(const CursorKey& k) {
  std::string payload;
  for (int shift = 60; shift >= 0; shift -= 4)
    payload.push_back(kHex[(k.fingerprint >> shift) & 0xF]);
  payload += '.';
  payload += static_cast<char>('0' + static_cast<int>(k.match));
  payload += '.';
  payload += std::to_string(k.sort_name.size());
  payload += '.';
  payload += k.sort_name;
  payload += k.id;
  std::string out;
  out.reserve(payload.size() * 2);
  for (const char c : payload) {
    const auto b = static_cast<unsigned char>(c);
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0xF]);
  }
  return out;
}

std::optional<CursorKey> decode_cursor(std::string_view cursor) {
  if (cursor.size() > kMaxCursorChars || cursor.size() % 2 != 0) return std::nullopt;
  std::string payload;
  payload.reserve(cursor.size() / 2);
  for (std::size_t i = 0; i < cursor.size(); i += 2) {
    const auto hi = kHex.find(cursor[i]);
    const auto lo = kHex.find(cursor[i + 1]);
    if (hi == std::string_view::npos || lo == std::string_view::npos) return std::nullopt;
    payload.push_back(static_cast<char>(hi << 4 | lo));
  }
  CursorKey k;
  const std::string_view p = payload;
  if (p.size() < 20 || p[16] != '.' || p[18] != '.') return std::nullopt;
  const auto [fp_end, fp_ec] = std::from_chars(p.data(), p.data() + 16, k.fingerprint, 16);
  if (fp_ec != std::errc{} || fp_end != p.data() + 16) return std::nullopt;
  const int match = p[17] - '0';
  if (match < 0 || match > static_cast<int>(DirectoryMatch::filter_only)) return std::nullopt;
  k.match = static_cast<DirectoryMatch>(match);
  const std::string_view rest = p.substr(19);
  const std::size_t dot = rest.find('.');
  if (dot == std::string_view::npos || dot == 0) return std::nullopt;
  std::size_t name_size = 0;
  const auto [n_end, n_ec] = std::from_chars(rest.data(), rest.data() + dot, name_size);
  if (n_ec != std::errc{} || n_end != rest.data() + dot) return std::nullopt;
  const std::string_view tail = rest.substr(dot + 1);
  if (name_size > tail.size() || tail.size() - name_size == 0) return std::nullopt;  // id needed
  k.sort_name = std::string(tail.substr(0, name_size));
  k.id = std::string(tail.substr(name_size));
  return k;
}

}  // namespace

bool DirectoryIndex::match_of(const Row& r, const std::vector<std::string>& words,
                              const std::string& phrase, DirectoryMatch& match) const {
  const std::string_view name = sort_name(r);
  const std::string_view alt = alt_name(r);
  if (phrase == name || phrase == alt) {
    match = DirectoryMatch::exact_name;
    return true;
  }
  // Every word but the last is then a whole name token and the last a prefix of the next one.
  if (name.starts_with(phrase) || alt.starts_with(phrase)) {
    match = DirectoryMatch::name_prefix;
    return true;
  }
  const bool details = options_.show_user_details;
  const std::string_view tokens = this->tokens(r);
  // Per word, the best way some token matches it: 3 name prefix, 2 other prefix, 1 infix.
  int worst = 3;
  for (const std::string& w : words) {
    const bool infix_allowed = w.size() >= kDirectoryMinInfix;
    int best = 0;
    for (std::size_t i = 0; i < tokens.size() && best < 3;) {
      const char mark = tokens[i];
      std::size_t end = i + 1;
      while (end < tokens.size() && static_cast<unsigned char>(tokens[end]) >= 0x20) ++end;
      if (mark != kDetailMark || details) {
        const std::string_view token = tokens.substr(i + 1, end - i - 1);
        if (token.starts_with(w)) {
          best = std::max(best, mark == kNameMark ? 3 : 2);
        } else if (infix_allowed && best == 0 && token.find(w) != std::string_view::npos) {
          best = 1;
        }
      }
      i = end;
    }
    if (best == 0) return false;  // AND: every word must match
    worst = std::min(worst, best);
  }
  if (worst == 3) {
    match = DirectoryMatch::name_token_prefix;
  } else if (details && ((r.department != nullptr && phrase == *r.department) ||
                         (r.title != nullptr && phrase == *r.title))) {
    match = DirectoryMatch::exact_field;
  } else {
    match = worst == 2 ? DirectoryMatch::other_prefix : DirectoryMatch::infix;
  }
  return true;
}

bool DirectoryIndex::before(const Ranked& a, const Ranked& b) const {
  if (a.match != b.match) return a.match < b.match;
  if (a.sort_key != b.sort_key) return a.sort_key < b.sort_key;
  const std::string_view name_a = sort_name(rows_[a.slot]);
  const std::string_view name_b = sort_name(rows_[b.slot]);
  if (name_a != name_b) return name_a < name_b;
  return users_[a.slot].user.id < users_[b.slot].user.id;
}

Result<DirectoryPage> DirectoryIndex::search(const DirectoryQuery& query) const {
  if (utf8_length(query.text) > kDirectoryMaxQueryChars) {
    return invalid("The search text is limited to " + std::to_string(kDirectoryMaxQueryChars) +
                   " characters.");
  }
  const std::vector<std::string> words = directory_tokens(without_mail_domains(query.text));
  if (words.size() > kDirectoryMaxQueryWords) {
    return invalid("The search text is limited to " + std::to_string(kDirectoryMaxQueryWords) +
                   " words.");
  }
  if (query.limit < 1 || query.limit > kDirectoryMaxLimit) {
    return invalid("limit must be between 1 and " + std::to_string(kDirectoryMaxLimit) + ".");
  }
  const bool details = options_.show_user_details;
  if (!details && (!query.department.empty() || !query.job_title.empty())) {
    return invalid(
        "Filtering by department or job title is not available: the Microsoft Teams "
        "connector does not show user details (showUserDetails is off).");
  }
  if (utf8_length(query.department) > kDirectoryMaxFilterChars ||
      utf8_length(query.job_title) > kDirectoryMaxFilterChars) {
    return invalid("The department and job title filters are limited to " +
                   std::to_string(kDirectoryMaxFilterChars) + " characters.");
  }
  const std::string department = directory_fold(query.department);
  const std::string title = directory_fold(query.job_title);
  if ((!query.department.empty() && department.empty()) ||
      (!query.job_title.empty() && title.empty())) {
    return invalid("A department or job title filter needs at least one letter or digit.");
  }
  if (words.empty() && department.empty() && title.empty()) {
    return invalid("Type at least one letter or digit of a name or mail to search for.");
  }
  std::string phrase;
  for (const std::string& w : words) {
    if (!phrase.empty()) phrase += ' ';
    phrase += w;
  }
  const std::uint64_t fp = fingerprint(phrase, department, title, details);
  std::optional<CursorKey> after;
  if (!query.cursor.empty()) {
    after = decode_cursor(query.cursor);
    if (!after) return invalid("The paging cursor is malformed; start again without it.");
    if (after->fingerprint != fp) {
      return invalid("The paging cursor belongs to another search; start again without it.");
    }
  }

  // Candidates come from the most selective source: a filter's postings or one word's tokens.
  // Every other condition is then checked on the candidate's own tokens, which costs less
  // than intersecting large postings lists.
  DirectoryPage page;
  std::vector<const DirectoryPostings*> best;
  std::size_t best_size = 0;
  bool have_source = false;
  const auto consider = [&](std::vector<const DirectoryPostings*>& lists, std::size_t n) {
    if (!have_source || n < best_size) {
      best.swap(lists);
      best_size = n;
      have_source = true;
    }
  };
  // A filter is then a pointer comparison: each Row points at its value's node in the map.
  const std::string* department_node = nullptr;
  const std::string* title_node = nullptr;
  for (auto [key, map, node] : {std::tuple{&department, &departments_, &department_node},
                                std::tuple{&title, &titles_, &title_node}}) {
    if (key->empty()) continue;
    const auto it = map->find(*key);
    if (it == map->end()) return page;
    *node = &it->first;
    std::vector<const DirectoryPostings*> lists{&it->second};
    consider(lists, it->second.size());
  }
  for (const std::string& w : words) {
    std::vector<const DirectoryPostings*> lists;
    std::size_t n = names_.collect(w, true, lists);
    if (details) n += details_.collect(w, true, lists);
    if (n == 0) return page;  // AND: one word matching nobody empties the result
    consider(lists, n);
  }

  std::vector<DirectorySlot> merged;
  const DirectoryPostings* candidates = nullptr;
  if (best.size() == 1) {
    candidates = best.front();
  } else {
    // A user carries several tokens with the same prefix ("jo": john, jones); dedupe with a
    // bitmap, which is linear whatever the overlap.
    std::vector<std::uint64_t> seen((rows_.size() + 63) / 64, 0);
    merged.reserve(best_size);
    for (const DirectoryPostings* list : best) {
      for (const DirectorySlot s : *list) {
        std::uint64_t& bits = seen[s / 64];
        const std::uint64_t bit = std::uint64_t{1} << (s % 64);
        if ((bits & bit) != 0) continue;
        bits |= bit;
        merged.push_back(s);
      }
    }
    candidates = &merged;
  }

  std::vector<Ranked> ranked;
  // Checking a candidate is a couple of cache misses (its row, then its text) and little work;
  // asking for both ahead of use overlaps the misses instead of paying them one by one.
  constexpr std::size_t kRowAhead = 16;
  constexpr std::size_t kTextAhead = 8;
  const std::vector<DirectorySlot>& slots = *candidates;
  for (std::size_t i = 0; i < slots.size(); ++i) {
    if (i + kRowAhead < slots.size()) __builtin_prefetch(&rows_[slots[i + kRowAhead]]);
    if (i + kTextAhead < slots.size()) {
      __builtin_prefetch(text_.data() + rows_[slots[i + kTextAhead]].offset);
    }
    const DirectorySlot slot = slots[i];
    const Row& r = rows_[slot];
    if (!r.live) continue;
    if (department_node != nullptr && r.department != department_node) continue;
    if (title_node != nullptr && r.title != title_node) continue;
    DirectoryMatch match = DirectoryMatch::filter_only;
    if (!words.empty() && !match_of(r, words, phrase, match)) continue;
    ++page.total;
    if (after && std::make_tuple(match, sort_name(r), std::string_view(users_[slot].user.id)) <=
                     std::make_tuple(after->match, std::string_view(after->sort_name),
                                     std::string_view(after->id))) {
      continue;
    }
    ranked.push_back(Ranked{r.sort_key, match, slot});
  }

  const auto less = [this](const Ranked& a, const Ranked& b) { return before(a, b); };
  const bool more = ranked.size() > query.limit;
  if (more) {
    std::nth_element(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(query.limit),
                     ranked.end(), less);
    ranked.resize(query.limit);
  }
  std::sort(ranked.begin(), ranked.end(), less);
  page.items.reserve(ranked.size());
  for (const Ranked& h : ranked) page.items.push_back(DirectoryHit{users_[h.slot], h.match});
  if (more) {
    const Ranked& last = ranked.back();
    page.next_cursor = encode_cursor(CursorKey{
        fp, last.match, std::string(sort_name(rows_[last.slot])), users_[last.slot].user.id});
  }
  return page;
}

}  // namespace ccteams
