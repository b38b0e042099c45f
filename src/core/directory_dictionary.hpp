#pragma once
// The token dictionary behind DirectoryIndex (issue 7): folded token -> postings (the slots of
// the users carrying it), kept sorted so that every token with a given prefix is one contiguous
// range, plus a trigram index over the DISTINCT tokens so that an infix word only has to look at
// the tokens sharing its rarest trigram instead of scanning the whole vocabulary.
//
// Why over tokens and not over users: a tenant's vocabulary (names, departments, titles) is far
// smaller than its user count, so trigram lists stay short and infix cost grows with the
// vocabulary, not with the directory.
//
// Pure data structure, no I/O. Not thread-safe for writes; const members only read, so several
// const calls may run concurrently while no write runs.

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ccteams {

// Dense position of a user inside DirectoryIndex; reused after a removal.
using DirectorySlot = std::uint32_t;
using DirectoryPostings = std::vector<DirectorySlot>;  // ascending, no duplicates

// Words shorter than this match only as a prefix: one or two letters inside a word match almost
// everybody, which is noise for a person search, and the trigram index cannot serve them.
inline constexpr std::size_t kDirectoryMinInfix = 3;

class TokenDictionary {
 public:
  TokenDictionary() = default;
  // The trigram lists point at the map's nodes: copying would point into the original.
  TokenDictionary(const TokenDictionary&) = delete;
  TokenDictionary& operator=(const TokenDictionary&) = delete;
  TokenDictionary(TokenDictionary&&) = default;
  TokenDictionary& operator=(TokenDictionary&&) = default;

  // Records that `slot` carries `token` (already folded, non-empty). Adding twice is harmless.
  void add(std::string_view token, DirectorySlot slot);
  // Forgets that `slot` carries `token`; a token left without slots disappears with its trigrams.
  // Unknown pairs are ignored.
  void remove(std::string_view token, DirectorySlot slot);

  // Appends to `out` the postings of every token that starts with `word` and, when `infix` and
  // word.size() >= kDirectoryMinInfix, of every other token that contains it. Each token is
  // reported once. Returns the sum of the appended lists' sizes (an upper bound on the distinct
  // users matched, used to pick the most selective word). The pointers stay valid until the next
  // write.
  std::size_t collect(std::string_view word, bool infix,
                      std::vector<const DirectoryPostings*>& out) const;
  // The two halves of collect: the tokens starting with `word`, and the other tokens containing
  // it (none when word.size() < kDirectoryMinInfix). Same return value and validity.
  std::size_t collect_prefix(std::string_view word,
                             std::vector<const DirectoryPostings*>& out) const;
  std::size_t collect_infix(std::string_view word,
                            std::vector<const DirectoryPostings*>& out) const;

  std::size_t token_count() const { return tokens_.size(); }
  void clear();

 private:
  using TokenMap = std::map<std::string, DirectoryPostings, std::less<>>;
  using Entry = TokenMap::value_type;

  static std::vector<std::uint32_t> trigrams_of(std::string_view token);

  TokenMap tokens_;
  // Map nodes never move, so the trigram lists can point at them.
  std::unordered_map<std::uint32_t, std::vector<const Entry*>> trigrams_;
};

}  // namespace ccteams
