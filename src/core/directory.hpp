#pragma once
// The Teams directory as mirrored locally, and its search index (issue 7): agents find the
// right expert by name, mail, department and job title, case and accent insensitive.
//
// DirectoryIndex holds the ENABLED Teams users of one organisation; a disabled account
// (accountEnabled=false) is dropped on upsert and never appears in results or lookups.
//
// Search (see search() for the contract):
//   * searchable tokens: display name, given name, surname, the mail's local part (split on
//     . _ - and any other punctuation; the userPrincipalName's when there is no mail), and,
//     only with showUserDetails, job title and department; all folded by
//     core/directory_text.hpp (é->e, ß->ss, Ł->l, case);
//   * each query word must match some token of the user (AND), as a prefix, or as an infix for
//     words of 3+ characters;
//   * ranking, best first: exact full name, full-name prefix, every word a prefix of a name
//     token, the query equal to the whole department or job title ("billing" puts the Billing
//     department before a "Billing Specialist" of Sales), every word a prefix of some token
//     (mail, title, department), infix; ties by folded display name, then id, so the order is
//     total and stable;
//   * filters by department and job title compare the folded values exactly.
//
// Paging is keyset paging: next_cursor encodes the (rank, folded display name, id) of the last
// user returned plus a fingerprint of the query, and the next page starts strictly after that
// key. An offset would shift whenever the mirror changes between two pages (a delta sync adds
// a user ahead of it: the next page repeats one); with the key, a user that did not change is
// never repeated nor skipped whatever happens to others. A user renamed between two pages may
// move across the boundary, which is the truth at that moment.
//
// Cost (issue 18): upsert/remove are O(t log V + t·p) for t tokens per user, V distinct tokens
// and p the postings moved; a changed user moves only the tokens, department and title that
// changed. search marks the postings of each query word's tokens (through the sorted
// dictionaries and the trigram index) and of the filters in slot bitmaps
// (core/directory_bitmap.hpp); AND, OR and AND NOT of those sets give the total and every match
// class at once, with no text read but for the users whose name starts with the first word.
// The classes are then ranked best first and only until the page is full, with a heap on the
// precomputed 8-byte sort key. The cost grows with the length of the postings lists touched
// (plus about a microsecond per set per 100,000 users), not with a per-candidate check.
// bench/directory_bench.cpp measures it at 100,000 users against SQLite FTS5.
//
// Pure: no I/O, clocks or threads. Thread-safety: writes (upsert, remove, clear,
// set_show_user_details) need exclusive access; the const members only read and keep no hidden
// state, so any number of const calls may run concurrently (e.g. under a shared_mutex's shared
// lock) while no write runs.

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/directory_bitmap.hpp"
#include "core/directory_dictionary.hpp"
#include "core/e164.hpp"
#include "core/result.hpp"

namespace ccteams {

// A user of the organisation's Entra directory, as Graph returns it (the $select of the mirror).
struct TeamsUser {
  std::string id;  // Entra object id (a GUID string)
  std::string display_name;
  std::string given_name;
  std::string surname;
  std::string mail;
  std::string user_principal_name;
  std::string job_title;
  std::string department;
  std::vector<std::string> business_phones;
  bool account_enabled = true;
  friend bool operator==(const TeamsUser&, const TeamsUser&) = default;
};

// A mirrored user with its dialability, computed once when the user enters the mirror.
struct DirectoryUser {
  TeamsUser user;
  Dialability dialability = Dialability::missing;  // dialable, missing or not_e164
  std::string phone;  // E.164 ("+14255550100") when dialable, empty otherwise
  friend bool operator==(const DirectoryUser&, const DirectoryUser&) = default;
};

// Normalises the business phone: the first entry of business_phones that is a valid E.164
// number wins; otherwise not_e164 when some entry is non-blank, missing when none is.
// default_country_code as in check_e164 (empty: only international numbers are dialable).
DirectoryUser make_directory_user(TeamsUser user, std::string_view default_country_code = {});

// A sentence for a human explaining why the user cannot be dialed ("" when dialable). The
// machine code is dialability_name(): "missing" or "not_e164".
std::string_view not_dialable_reason(Dialability d);

inline constexpr std::size_t kDirectoryMaxQueryChars = 200;  // code points, over the raw query
inline constexpr std::size_t kDirectoryMaxQueryWords = 10;   // folded words
inline constexpr std::size_t kDirectoryMaxFilterChars = 200;
inline constexpr std::size_t kDirectoryDefaultLimit = 25;
inline constexpr std::size_t kDirectoryMaxLimit = 100;
inline constexpr std::size_t kDirectoryMaxIdBytes = 256;

struct DirectoryQuery {
  std::string text;        // free text ("q"); a word's "@domain" part is ignored
  std::string department;  // empty: any; else equal after folding
  std::string job_title;   // empty: any; else equal after folding
  std::size_t limit = kDirectoryDefaultLimit;  // 1..kDirectoryMaxLimit
  std::string cursor;  // empty: first page; else a next_cursor of the same query
};

// How a hit matched, best first; the rank of the ordering. filter_only: no text, filters only.
enum class DirectoryMatch : std::uint8_t {
  exact_name,
  name_prefix,
  name_token_prefix,
  exact_field,  // the whole query equals the folded department or job title
  other_prefix,
  infix,
  filter_only,
};
std::string_view directory_match_name(DirectoryMatch m);  // "exact_name", "name_prefix"…

struct DirectoryHit {
  DirectoryUser user;
  DirectoryMatch match = DirectoryMatch::infix;
};

struct DirectoryPage {
  std::vector<DirectoryHit> items;  // at most limit, best first
  std::string next_cursor;          // empty when this is the last page
  std::size_t total = 0;            // matches of the whole query, all pages together
};

struct DirectoryOptions {
  // The connector's showUserDetails: when false, job title and department are neither searched
  // nor filterable (the vendor's rule); search() refuses filters with invalid_input.
  bool show_user_details = true;
  // Applied to business phones written without an international prefix (see check_e164).
  std::string default_country_code;
};

class DirectoryIndex {
 public:
  explicit DirectoryIndex(DirectoryOptions options = {});
  // Rows point at nodes of the index's own maps: a copy would point into the original, so
  // there is none. Moving keeps every node where it is.
  DirectoryIndex(const DirectoryIndex&) = delete;
  DirectoryIndex& operator=(const DirectoryIndex&) = delete;
  DirectoryIndex(DirectoryIndex&&) = default;
  DirectoryIndex& operator=(DirectoryIndex&&) = default;

  // Inserts the user or replaces the one with the same id (its old tokens, department and
  // title are forgotten). A disabled account is removed instead. Errors: invalid_input for an
  // empty id or one over kDirectoryMaxIdBytes (the index is unchanged).
  Result<void> upsert(TeamsUser user);
  // Removes the user; returns false when the id was not in the index.
  bool remove(std::string_view id);
  // Drops every user (the connector was deleted).
  void clear();

  // The user with this id, or nullptr. The pointer is valid until the next write.
  const DirectoryUser* find(std::string_view id) const;
  std::size_t size() const { return by_id_.size(); }
  // Increases on every change that can alter a search result (for caches above the index).
  std::uint64_t version() const { return version_; }
  std::size_t distinct_token_count() const;

  // Takes effect for the next search; no re-indexing is needed (every field stays indexed, the
  // gate applies when reading).
  void set_show_user_details(bool on);
  bool show_user_details() const { return options_.show_user_details; }

  // One page of matching users, best first (see the file comment for matching and ranking).
  // Errors, all invalid_input with a sentence naming the limit:
  //   * text over kDirectoryMaxQueryChars code points or over kDirectoryMaxQueryWords words;
  //   * no word and no filter (nothing to search for), or a filter without letters or digits,
  //     or over kDirectoryMaxFilterChars;
  //   * a department or job title filter while show_user_details is off;
  //   * limit outside 1..kDirectoryMaxLimit;
  //   * a cursor that is malformed or was issued for another query or gate setting.
  Result<DirectoryPage> search(const DirectoryQuery& query) const;

 private:
  using FieldPostings = std::unordered_map<std::string, DirectoryPostings>;
  static constexpr char kNameMark = '\x01';    // display name, given name, surname
  static constexpr char kMailMark = '\x02';    // mail (or UPN) local part
  static constexpr char kDetailMark = '\x03';  // job title and department
  // What search reads for one user, kept apart from the (larger) DirectoryUser and small, so
  // that checking thousands of candidates costs few cache misses. Its text lives in text_.
  struct Row {
    std::size_t offset = 0;       // in text_: sort_name, then alt_name, then tokens
    std::uint32_t sort_size = 0;  // folded display name: the tie-break and the exact-name form
    std::uint32_t alt_size = 0;   // folded "given surname": the other exact-name form
    // Every searchable token once per field, each preceded by its field's marker byte
    // (kNameMark, kMailMark, kDetailMark; folded tokens never contain bytes below 0x20).
    std::uint32_t tokens_size = 0;
    bool live = false;  // here, in the padding before the pointers: 48 bytes a row, not 56
    const std::string* department = nullptr;  // its key in departments_; nullptr when empty
    const std::string* title = nullptr;       // its key in titles_
    std::uint64_t sort_key = 0;               // the first 8 bytes of the sort name, big-endian
  };
  struct Ranked {
    std::uint64_t sort_key;
    DirectoryMatch match;
    DirectorySlot slot;
  };

  // First tokens of the folded display name and "given surname" -> slots: the users a phrase
  // can be the start of the name of (name_prefix, exact_name), found without reading text.
  using FirstTokens = std::map<std::string, DirectoryPostings, std::less<>>;
  // Where a page starts: strictly after this key (within its match class).
  struct Cursor {
    DirectoryMatch match;
    std::string sort_name;
    std::string id;
    std::uint64_t sort_key;
  };

  void unindex(DirectorySlot slot);
  TokenDictionary& dictionary(char mark) {
    return mark == kNameMark ? names_ : mark == kMailMark ? mails_ : details_;
  }
  void index_first_tokens(const Row& r, DirectorySlot slot, bool add);
  static const std::string* add_posting(FieldPostings& map, const std::string& key,
                                        DirectorySlot slot);
  static void remove_posting(FieldPostings& map, const std::string* key, DirectorySlot slot);
  // Moves slot from the postings of *previous (nullptr: none) to those of key; returns the
  // node key now pointed at (nullptr for an empty key).
  static const std::string* replace_posting(FieldPostings& map, const std::string* previous,
                                            const std::string& key, DirectorySlot slot);
  // Indexes slot under the tokens of `new_tokens` that `old_tokens` lacks and forgets those
  // only in `old_tokens` (both Row::tokens strings).
  void update_tokens(std::string_view old_tokens, std::string_view new_tokens, DirectorySlot slot);
  std::string_view sort_name(const Row& r) const { return {text_.data() + r.offset, r.sort_size}; }
  std::string_view alt_name(const Row& r) const {
    return {text_.data() + r.offset + r.sort_size, r.alt_size};
  }
  std::string_view tokens(const Row& r) const {
    return {text_.data() + r.offset + r.sort_size + r.alt_size, r.tokens_size};
  }
  void release_text(Row& r);
  void compact_text();
  static std::uint64_t sort_key_of(std::string_view sort_name);
  bool before(const Ranked& a, const Ranked& b) const;
  // Appends to `out` the best `count` users of `bits` (all of class `match`) in ranking order,
  // only those after `after` when it is given.
  bool is_after(const Ranked& r, const Cursor& c) const;
  void take_best(const SlotBitmap& bits, DirectoryMatch match, std::size_t count,
                 const Cursor* after, std::vector<Ranked>& out) const;

  DirectoryOptions options_;
  std::vector<Row> rows_;             // by slot
  std::vector<DirectoryUser> users_;  // by slot, parallel to rows_
  // The rows' text, back to back in slot order (after a compaction), so that a scan over
  // candidates in slot order reads memory sequentially. Replaced text becomes garbage until
  // the next compaction, which runs when garbage passes half of the arena (amortised O(1)).
  std::string text_;
  std::size_t text_garbage_ = 0;
  std::vector<DirectorySlot> free_slots_;
  std::unordered_map<std::string, DirectorySlot> by_id_;
  TokenDictionary names_;  // display, given and surname tokens: always searchable
  TokenDictionary mails_;  // mail tokens that are not also name tokens: always searchable
  FirstTokens firsts_;
  TokenDictionary details_;    // job title and department tokens: only with show_user_details
  FieldPostings departments_;  // folded value -> slots; node keys are what Row points at
  FieldPostings titles_;
  std::uint64_t version_ = 0;
};

}  // namespace ccteams
