#pragma once
// Text folding and tokenising for the Teams directory search (issue 7). One rule, used for the
// users at insert time and for the query, so that both sides always fold the same way.
//
// Folding (UTF-8 in, UTF-8 out):
//   * ASCII letters are lower-cased; digits are kept;
//   * Latin-1 Supplement and Latin Extended-A letters lose their accents and are lower-cased
//     (é->e, Ł->l, ø->o, ß->ss, æ->ae, œ->oe, þ->th, ĳ->ij), as are Romanian Ș/Ț (U+0218-021B);
//   * combining diacritical marks (U+0300-036F: decomposed input such as "e" + U+0301) vanish;
//   * Greek and Cyrillic capitals are lower-cased; any other letter or ideograph is kept as is;
//   * apostrophes (' U+2019 U+02BC) join: "O'Brien" is the single token "obrien";
//   * everything else (spaces, punctuation, symbols, Latin-1 signs, general punctuation, invalid
//     UTF-8) separates tokens.
// Pure functions, no locale, safe from any thread.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace ccteams {

// The folded tokens of `text`, in order (duplicates kept). "Zoë O'Brien-Łukasz" ->
// {"zoe", "obrien", "lukasz"}.
std::vector<std::string> directory_tokens(std::string_view text);

// The tokens of a mail address's local part ("anna.lena_schmidt-2@contoso.com" ->
// {"anna", "lena", "schmidt", "2"}); the domain is left out because every user of a tenant
// shares it, so it would match everyone.
std::vector<std::string> directory_mail_tokens(std::string_view mail);

// The folded tokens joined by single spaces: the comparable form of a name or a filter value
// ("  Émile   ZOLA " -> "emile zola").
std::string directory_fold(std::string_view text);

// Number of Unicode code points in `text` (an invalid byte counts as one): how query length
// limits are expressed to a human.
std::size_t utf8_length(std::string_view text);

}  // namespace ccteams
