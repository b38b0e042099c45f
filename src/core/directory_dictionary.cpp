#include "core/directory_dictionary.hpp"

#include <algorithm>

namespace ccteams {

std::vector<std::uint32_t> TokenDictionary::trigrams_of(std::string_view token) {
  std::vector<std::uint32_t> grams;
  if (token.size() < 3) return grams;
  grams.reserve(token.size() - 2);
  for (std::size_t i = 0; i + 3 <= token.size(); ++i) {
    grams.push_back(static_cast<std::uint32_t>(static_cast<unsigned char>(token[i])) << 16 |
                    static_cast<std::uint32_t>(static_cast<unsigned char>(token[i + 1])) << 8 |
                    static_cast<std::uint32_t>(static_cast<unsigned char>(token[i + 2])));
  }
  // "anna" and "aaaa" repeat trigrams; each token must be listed once per trigram.
  std::sort(grams.begin(), grams.end());
  grams.erase(std::unique(grams.begin(), grams.end()), grams.end());
  return grams;
}

void TokenDictionary::add(std::string_view token, DirectorySlot slot) {
  auto [it, inserted] = tokens_.try_emplace(std::string(token));
  DirectoryPostings& postings = it->second;
  // Slots are mostly handed out in increasing order, so this is usually an append.
  if (postings.empty() || postings.back() < slot) {
    postings.push_back(slot);
  } else {
    const auto pos = std::lower_bound(postings.begin(), postings.end(), slot);
    if (pos == postings.end() || *pos != slot) postings.insert(pos, slot);
  }
  if (inserted) {
    for (const std::uint32_t g : trigrams_of(token)) trigrams_[g].push_back(&*it);
  }
}

void TokenDictionary::remove(std::string_view token, DirectorySlot slot) {
  const auto it = tokens_.find(token);
  if (it == tokens_.end()) return;
  DirectoryPostings& postings = it->second;
  const auto pos = std::lower_bound(postings.begin(), postings.end(), slot);
  if (pos == postings.end() || *pos != slot) return;
  postings.erase(pos);
  if (!postings.empty()) return;
  for (const std::uint32_t g : trigrams_of(token)) {
    const auto list = trigrams_.find(g);
    if (list == trigrams_.end()) continue;
    auto& entries = list->second;
    const auto e = std::find(entries.begin(), entries.end(), &*it);
    if (e != entries.end()) {
      *e = entries.back();
      entries.pop_back();
    }
    if (entries.empty()) trigrams_.erase(list);
  }
  tokens_.erase(it);
}

std::size_t TokenDictionary::collect(std::string_view word, bool infix,
                                     std::vector<const DirectoryPostings*>& out) const {
  const std::size_t total = collect_prefix(word, out);
  return infix ? total + collect_infix(word, out) : total;
}

std::size_t TokenDictionary::collect_prefix(std::string_view word,
                                            std::vector<const DirectoryPostings*>& out) const {
  std::size_t total = 0;
  for (auto it = tokens_.lower_bound(word); it != tokens_.end() && it->first.starts_with(word);
       ++it) {
    out.push_back(&it->second);
    total += it->second.size();
  }
  return total;
}

std::size_t TokenDictionary::collect_infix(std::string_view word,
                                           std::vector<const DirectoryPostings*>& out) const {
  std::size_t total = 0;
  if (word.size() < kDirectoryMinInfix) return total;
  // Every token containing `word` contains each of its trigrams: scanning the shortest list
  // and checking the candidates is exact.
  const std::vector<const Entry*>* shortest = nullptr;
  for (const std::uint32_t g : trigrams_of(word)) {
    const auto list = trigrams_.find(g);
    if (list == trigrams_.end()) return total;  // some trigram occurs nowhere: no infix match
    if (shortest == nullptr || list->second.size() < shortest->size()) shortest = &list->second;
  }
  for (const Entry* e : *shortest) {
    const std::string& token = e->first;
    if (token.starts_with(word)) continue;  // already reported by the prefix range
    if (token.find(word) == std::string::npos) continue;
    out.push_back(&e->second);
    total += e->second.size();
  }
  return total;
}

void TokenDictionary::clear() {
  trigrams_.clear();
  tokens_.clear();
}

}  // namespace ccteams
