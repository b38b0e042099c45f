// DirectoryIndex::search: candidate selection, ranking and keyset paging (contract in
// directory.hpp).

#include <algorithm>
#include <charconv>
#include <optional>
#include <tuple>
#include <utility>

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

  DirectoryPage page;
  const std::size_t slots = rows_.size();
  // Every set below is computed over whole postings lists (core/directory_bitmap.hpp): the
  // cost follows their length, and no candidate's text is read except the few users whose
  // name starts with the first word.
  std::optional<SlotBitmap> filter;
  for (auto [key, map] : {std::pair{&department, &departments_}, std::pair{&title, &titles_}}) {
    if (key->empty()) continue;
    const auto it = map->find(*key);
    if (it == map->end()) return page;
    SlotBitmap bits(slots);
    bits.set_all(it->second);
    if (filter) {
      *filter &= bits;
    } else {
      filter.emplace(std::move(bits));
    }
  }

  // The match classes in ranking order; a user is in exactly one.
  std::vector<std::pair<DirectoryMatch, SlotBitmap>> classes;
  if (words.empty()) {
    page.total = filter->count();
    classes.emplace_back(DirectoryMatch::filter_only, std::move(*filter));
  } else {
    // Per word, the users it matches as a name-token prefix, as a prefix of any searchable
    // token, and at all (infix included); each query word must match (AND).
    std::optional<SlotBitmap> names, prefixes, matches;
    std::vector<const DirectoryPostings*> lists;
    const auto mark = [&lists](SlotBitmap& bits) {
      for (const DirectoryPostings* list : lists) bits.set_all(*list);
      lists.clear();
    };
    for (const std::string& w : words) {
      SlotBitmap name(slots);
      names_.collect_prefix(w, lists);
      mark(name);
      SlotBitmap prefix = name;
      mails_.collect_prefix(w, lists);
      if (details) details_.collect_prefix(w, lists);
      mark(prefix);
      SlotBitmap any = prefix;
      names_.collect_infix(w, lists);
      mails_.collect_infix(w, lists);
      if (details) details_.collect_infix(w, lists);
      mark(any);
      if (!names) {
        names.emplace(std::move(name));
        prefixes.emplace(std::move(prefix));
        matches.emplace(std::move(any));
      } else {
        *names &= name;
        *prefixes &= prefix;
        *matches &= any;
      }
    }
    if (filter) {
      *names &= *filter;
      *prefixes &= *filter;
      *matches &= *filter;
    }
    page.total = matches->count();
    if (page.total == 0) return page;

    // The name starting with the phrase: its first token is the first word (a whole token when
    // more words follow, a prefix of it when it is the only word).
    SlotBitmap exact(slots);
    SlotBitmap name_start(slots);
    const std::string& first = words.front();
    for (auto it = firsts_.lower_bound(first); it != firsts_.end() && it->first.starts_with(first);
         ++it) {
      const bool whole = it->first.size() == first.size();
      if (!whole && words.size() > 1) break;  // the whole token sorts first
      for (const DirectorySlot slot : it->second) {
        if (!names->test(slot)) continue;  // filtered out, or some other word is missing
        const Row& r = rows_[slot];
        if (whole && (sort_name(r) == phrase || alt_name(r) == phrase)) {
          exact.set(slot);
        } else if (words.size() == 1 || sort_name(r).starts_with(phrase) ||
                   alt_name(r).starts_with(phrase)) {
          name_start.set(slot);
        }
      }
    }
    SlotBitmap token_prefix = *names;
    token_prefix.subtract(exact);
    token_prefix.subtract(name_start);
    // The whole phrase equal to the department or job title ranks before other prefixes.
    SlotBitmap field(slots);
    if (details) {
      for (const FieldPostings* map : {&departments_, &titles_}) {
        if (const auto it = map->find(phrase); it != map->end()) field.set_all(it->second);
      }
      field &= *matches;
      field.subtract(*names);
    }
    SlotBitmap other = *prefixes;
    other.subtract(*names);
    other.subtract(field);
    SlotBitmap infix = std::move(*matches);
    infix.subtract(*prefixes);
    classes.emplace_back(DirectoryMatch::exact_name, std::move(exact));
    classes.emplace_back(DirectoryMatch::name_prefix, std::move(name_start));
    classes.emplace_back(DirectoryMatch::name_token_prefix, std::move(token_prefix));
    classes.emplace_back(DirectoryMatch::exact_field, std::move(field));
    classes.emplace_back(DirectoryMatch::other_prefix, std::move(other));
    classes.emplace_back(DirectoryMatch::infix, std::move(infix));
  }

  // One more than the page tells whether a next page exists; the classes are taken best first
  // until it is full, so a large class after a full page is never ranked.
  const std::size_t wanted = query.limit + 1;
  std::optional<Cursor> cursor;
  if (after)
    cursor.emplace(
        Cursor{after->match, after->sort_name, after->id, sort_key_of(after->sort_name)});
  std::vector<Ranked> ranked;
  ranked.reserve(wanted);
  for (const auto& [match, bits] : classes) {
    if (ranked.size() == wanted) break;
    if (cursor && match < cursor->match) continue;
    const bool at_cursor = cursor && match == cursor->match;
    take_best(bits, match, wanted - ranked.size(), at_cursor ? &*cursor : nullptr, ranked);
  }
  const bool more = ranked.size() > query.limit;
  if (more) ranked.resize(query.limit);
  page.items.reserve(ranked.size());
  for (const Ranked& h : ranked) page.items.push_back(DirectoryHit{users_[h.slot], h.match});
  if (more) {
    const Ranked& last = ranked.back();
    page.next_cursor = encode_cursor(CursorKey{
        fp, last.match, std::string(sort_name(rows_[last.slot])), users_[last.slot].user.id});
  }
  return page;
}

void DirectoryIndex::take_best(const SlotBitmap& bits, DirectoryMatch match, std::size_t count,
                               const Cursor* after, std::vector<Ranked>& out) const {
  const auto less = [this](const Ranked& a, const Ranked& b) { return before(a, b); };
  // A max-heap of the best `count` so far: most candidates lose against its top on the
  // 8-byte sort key alone.
  std::vector<Ranked> heap;
  heap.reserve(count);
  std::vector<DirectorySlot> slots;
  bits.for_each([&slots](DirectorySlot slot) { slots.push_back(slot); });
  // Each candidate's sort key is a cache miss of its own (the class's rows are scattered);
  // asking for them ahead of use overlaps the misses instead of paying them one by one.
  constexpr std::size_t kAhead = 16;
  for (std::size_t i = 0; i < slots.size(); ++i) {
    if (i + kAhead < slots.size()) __builtin_prefetch(&rows_[slots[i + kAhead]].sort_key);
    const Ranked candidate{rows_[slots[i]].sort_key, match, slots[i]};
    if (after != nullptr && !is_after(candidate, *after)) continue;
    if (heap.size() < count) {
      heap.push_back(candidate);
      std::push_heap(heap.begin(), heap.end(), less);
    } else if (less(candidate, heap.front())) {
      std::pop_heap(heap.begin(), heap.end(), less);
      heap.back() = candidate;
      std::push_heap(heap.begin(), heap.end(), less);
    }
  }
  std::sort_heap(heap.begin(), heap.end(), less);
  out.insert(out.end(), heap.begin(), heap.end());
}

bool DirectoryIndex::is_after(const Ranked& r, const Cursor& c) const {
  if (r.sort_key != c.sort_key) return r.sort_key > c.sort_key;
  const std::string_view name = sort_name(rows_[r.slot]);
  if (name != c.sort_name) return name > c.sort_name;
  return users_[r.slot].user.id > c.id;
}

}  // namespace ccteams
