#pragma once
// A set of directory slots as a bitmap (issue 18): what DirectoryIndex::search computes its
// match classes with. At 100,000 users a set is 12.5 KB, so AND, OR, AND NOT and a count over
// whole sets cost about a microsecond each, and marking a postings list costs one write per
// slot: a query's cost follows the length of its postings lists, never a per-candidate check of
// text. Iteration is in ascending slot order, which is also the order of the rows in memory.
//
// Value type, no I/O; not thread-safe for writes (each search owns its sets).

#include <bit>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/directory_dictionary.hpp"

namespace ccteams {

class SlotBitmap {
 public:
  // An empty set able to hold slots 0 .. slots-1.
  explicit SlotBitmap(std::size_t slots) : words_((slots + 63) / 64, 0) {}

  void set(DirectorySlot s) { words_[s >> 6] |= bit(s); }
  bool test(DirectorySlot s) const { return (words_[s >> 6] & bit(s)) != 0; }
  void set_all(const DirectoryPostings& postings) {
    for (const DirectorySlot s : postings) set(s);
  }

  // The sets must have been made for the same slot count.
  SlotBitmap& operator&=(const SlotBitmap& other) {
    for (std::size_t i = 0; i < words_.size(); ++i) words_[i] &= other.words_[i];
    return *this;
  }
  SlotBitmap& operator|=(const SlotBitmap& other) {
    for (std::size_t i = 0; i < words_.size(); ++i) words_[i] |= other.words_[i];
    return *this;
  }
  // Removes every slot of other.
  void subtract(const SlotBitmap& other) {
    for (std::size_t i = 0; i < words_.size(); ++i) words_[i] &= ~other.words_[i];
  }

  std::size_t count() const {
    std::size_t n = 0;
    for (const std::uint64_t w : words_) n += static_cast<std::size_t>(std::popcount(w));
    return n;
  }
  bool empty() const {
    for (const std::uint64_t w : words_) {
      if (w != 0) return false;
    }
    return true;
  }

  // Calls f(slot) for every slot of the set, ascending.
  template <class F>
  void for_each(F&& f) const {
    for (std::size_t i = 0; i < words_.size(); ++i) {
      std::uint64_t w = words_[i];
      while (w != 0) {
        f(static_cast<DirectorySlot>(i * 64 + static_cast<std::size_t>(std::countr_zero(w))));
        w &= w - 1;
      }
    }
  }

 private:
  static std::uint64_t bit(DirectorySlot s) { return std::uint64_t{1} << (s & 63); }

  std::vector<std::uint64_t> words_;
};

}  // namespace ccteams
