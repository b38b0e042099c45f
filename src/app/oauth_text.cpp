#include "app/oauth_text.hpp"

#include <algorithm>
#include <cctype>

#include "app/ports/token_source.hpp"

namespace ccteams {

namespace {

bool unreserved(unsigned char c) {
  return std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_' || c == '~';
}

}  // namespace

std::string new_code_verifier(const TokenSource& tokens) {
  constexpr std::size_t kMin = 64;
  constexpr std::size_t kMax = 128;
  std::string v;
  while (v.size() < kMin) {
    for (char c : tokens.new_token()) {
      if (unreserved(static_cast<unsigned char>(c))) v.push_back(c);
    }
  }
  if (v.size() > kMax) v.resize(kMax);
  return v;
}

bool same_id(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string first_line(std::string_view text) {
  constexpr std::size_t kMax = 300;
  std::string out;
  for (char c : text) {
    if (c == '\r' || c == '\n') break;
    if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f) out.push_back(c);
    if (out.size() >= kMax) break;
  }
  return out;
}

std::string aadsts_code(std::string_view description) {
  const auto p = description.find("AADSTS");
  if (p == std::string_view::npos) return {};
  std::size_t end = p + 6;
  while (end < description.size() && std::isdigit(static_cast<unsigned char>(description[end]))) {
    ++end;
  }
  return end > p + 6 ? std::string(description.substr(p, end - p)) : std::string{};
}

}  // namespace ccteams
