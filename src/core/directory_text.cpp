#include "core/directory_text.hpp"

#include <array>
#include <cstdint>

namespace ccteams {
namespace {

constexpr char32_t kInvalid = 0xFFFFFFFF;

// Decodes the code point at s[i] into cp and returns its length in bytes. Invalid or truncated
// sequences, overlong forms and surrogates give kInvalid with length 1, so decoding always
// advances and a bad byte only ever costs one separator.
std::size_t decode(std::string_view s, std::size_t i, char32_t& cp) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  }
  std::size_t n = 0;
  char32_t min = 0;
  if ((b0 & 0xE0) == 0xC0) {
    n = 2, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    n = 3, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    n = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    cp = kInvalid;
    return 1;
  }
  if (i + n > s.size()) {
    cp = kInvalid;
    return 1;
  }
  for (std::size_t k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) {
      cp = kInvalid;
      return 1;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    cp = kInvalid;
    return 1;
  }
  return n;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// U+00C0..U+00FF; empty entries (× and ÷) are separators.
constexpr std::array<std::string_view, 64> kLatin1 = {
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",   // C0-CF
    "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "ss",  // D0-DF
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",   // E0-EF
    "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "y",   // F0-FF
};

// U+0100..U+017F, one base letter each; the ligatures Ĳ ĳ Œ œ are handled before this table.
constexpr std::string_view kLatinExtendedA =
    "aaaaaa"
    "cccccccc"
    "dddd"
    "eeeeeeeeee"
    "gggggggg"
    "hhhh"
    "iiiiiiiiii"
    "ii"
    "jj"
    "kkk"
    "llllllllll"
    "nnnnnnnnn"
    "oooooo"
    "oo"
    "rrrrrr"
    "ssssssss"
    "tttttt"
    "uuuuuuuuuuuu"
    "ww"
    "yyy"
    "zzzzzz"
    "s";
static_assert(kLatinExtendedA.size() == 0x80);

enum class Kind : std::uint8_t { letter, join, separator };

bool is_separator_cp(char32_t cp) {
  return cp == kInvalid || cp < 0xC0 ||     // C1 controls, Latin-1 signs (¡ « ° ² ·…)
         (cp >= 0x2000 && cp <= 0x2BFF) ||  // punctuation, currency, symbols, arrows
         (cp >= 0x2E00 && cp <= 0x2E7F) ||  // supplemental punctuation
         (cp >= 0x3000 && cp <= 0x303F) ||  // CJK spaces and punctuation
         cp == 0xFEFF || cp == 0xFFFD || (cp >= 0xFE00 && cp <= 0xFE0F);
}

// Folds one non-ASCII code point: appends its folded text to `out` for a letter.
Kind fold_non_ascii(char32_t cp, std::string_view original, std::string& out) {
  if (cp == 0x2019 || cp == 0x02BC) return Kind::join;  // ’ and ʼ are apostrophes
  if (cp >= 0x0300 && cp <= 0x036F) return Kind::join;  // combining marks (decomposed accents)
  if (is_separator_cp(cp)) return Kind::separator;
  if (cp <= 0xFF) {
    const std::string_view f = kLatin1[cp - 0xC0];
    if (f.empty()) return Kind::separator;
    out.append(f);
    return Kind::letter;
  }
  if (cp <= 0x17F) {
    if (cp == 0x132 || cp == 0x133) {
      out.append("ij");
    } else if (cp == 0x152 || cp == 0x153) {
      out.append("oe");
    } else {
      out.push_back(kLatinExtendedA[cp - 0x100]);
    }
    return Kind::letter;
  }
  if (cp == 0x218 || cp == 0x219) {  // Ș ș (Romanian, often typed instead of Ş ş)
    out.push_back('s');
    return Kind::letter;
  }
  if (cp == 0x21A || cp == 0x21B) {  // Ț ț
    out.push_back('t');
    return Kind::letter;
  }
  if (cp >= 0x391 && cp <= 0x3A9 && cp != 0x3A2) {  // Greek capitals
    append_utf8(out, cp + 0x20);
  } else if (cp >= 0x410 && cp <= 0x42F) {  // Cyrillic capitals А-Я
    append_utf8(out, cp + 0x20);
  } else if (cp >= 0x400 && cp <= 0x40F) {  // Cyrillic Ѐ-Џ
    append_utf8(out, cp + 0x50);
  } else {
    out.append(original);
  }
  return Kind::letter;
}

// Calls emit(std::string&&) for every folded token of `text`.
template <class Emit>
void for_each_token(std::string_view text, Emit&& emit) {
  std::string current;
  const auto flush = [&] {
    if (!current.empty()) {
      emit(std::move(current));
      current.clear();
    }
  };
  for (std::size_t i = 0; i < text.size();) {
    char32_t cp = 0;
    const std::size_t n = decode(text, i, cp);
    const std::string_view original = text.substr(i, n);
    i += n;
    if (cp < 0x80) {
      const char c = static_cast<char>(cp);
      if (c >= 'A' && c <= 'Z') {
        current.push_back(static_cast<char>(c - 'A' + 'a'));
      } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
        current.push_back(c);
      } else if (c != '\'') {
        flush();
      }
      continue;
    }
    if (fold_non_ascii(cp, original, current) == Kind::separator) flush();
  }
  flush();
}

}  // namespace

std::vector<std::string> directory_tokens(std::string_view text) {
  std::vector<std::string> tokens;
  for_each_token(text, [&](std::string&& t) { tokens.push_back(std::move(t)); });
  return tokens;
}

std::vector<std::string> directory_mail_tokens(std::string_view mail) {
  const std::size_t at = mail.find('@');
  return directory_tokens(at == std::string_view::npos ? mail : mail.substr(0, at));
}

std::string directory_fold(std::string_view text) {
  std::string folded;
  for_each_token(text, [&](std::string&& t) {
    if (!folded.empty()) folded.push_back(' ');
    folded.append(t);
  });
  return folded;
}

std::size_t utf8_length(std::string_view text) {
  std::size_t count = 0;
  for (std::size_t i = 0; i < text.size(); ++count) {
    char32_t cp = 0;
    i += decode(text, i, cp);
  }
  return count;
}

}  // namespace ccteams
