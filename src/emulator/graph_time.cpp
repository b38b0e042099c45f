#include "emulator/graph_time.hpp"

#include <array>
#include <cstdio>

namespace ccteams::emulator {

std::string format_iso8601(Timestamp t) {
  namespace chr = std::chrono;
  const chr::sys_days date = chr::floor<chr::days>(t);
  const chr::year_month_day ymd{date};
  const chr::hh_mm_ss<Millis> clock{t - date};
  std::array<char, 48> text{};
  const int n = std::snprintf(
      text.data(), text.size(), "%04d-%02u-%02uT%02ld:%02ld:%02lld.%03lldZ",
      static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
      static_cast<unsigned>(ymd.day()), static_cast<long>(clock.hours().count()),
      static_cast<long>(clock.minutes().count()), static_cast<long long>(clock.seconds().count()),
      static_cast<long long>(clock.subseconds().count()));
  return std::string(text.data(), n > 0 ? static_cast<std::size_t>(n) : 0);
}

namespace {

// Reads the text left to right; every step says whether what it wanted was there.
class Reader {
 public:
  explicit Reader(std::string_view text) : text_(text) {}

  bool done() const { return at_ == text_.size(); }
  char peek() const { return done() ? '\0' : text_[at_]; }
  bool take_any_of(std::string_view chars) {
    if (done() || chars.find(text_[at_]) == std::string_view::npos) return false;
    ++at_;
    return true;
  }
  // Exactly count decimal digits.
  bool number(int count, int& out) {
    int value = 0;
    for (int i = 0; i < count; ++i) {
      if (!is_digit(peek())) return false;
      value = value * 10 + (text_[at_++] - '0');
    }
    out = value;
    return true;
  }
  // One or more digits after the point, as milliseconds (digits past the third dropped).
  bool fraction(int& millis) {
    int value = 0;
    int seen = 0;
    while (is_digit(peek())) {
      if (seen < 3) value = value * 10 + (text_[at_] - '0');
      ++seen;
      ++at_;
    }
    if (seen == 0) return false;
    for (int i = seen; i < 3; ++i) value *= 10;
    millis = value;
    return true;
  }

 private:
  static bool is_digit(char c) { return c >= '0' && c <= '9'; }
  std::string_view text_;
  std::size_t at_ = 0;
};

}  // namespace

std::optional<Timestamp> parse_iso8601(std::string_view text) {
  namespace chr = std::chrono;
  Reader r(text);
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  const bool date_time = r.number(4, year) && r.take_any_of("-") && r.number(2, month) &&
                         r.take_any_of("-") && r.number(2, day) && r.take_any_of("Tt ") &&
                         r.number(2, hour) && r.take_any_of(":") && r.number(2, minute) &&
                         r.take_any_of(":") && r.number(2, second);
  if (!date_time) return std::nullopt;
  int millis = 0;
  if (r.take_any_of(".") && !r.fraction(millis)) return std::nullopt;
  int offset = 0;  // minutes east of UTC
  if (r.take_any_of("Zz")) {
    // UTC
  } else if (r.peek() == '+' || r.peek() == '-') {
    const int sign = r.peek() == '-' ? -1 : 1;
    r.take_any_of("+-");
    int oh = 0, om = 0;
    if (!r.number(2, oh) || !r.take_any_of(":") || !r.number(2, om)) return std::nullopt;
    offset = sign * (oh * 60 + om);
  }
  if (!r.done()) return std::nullopt;
  const chr::year_month_day ymd{chr::year{year}, chr::month{static_cast<unsigned>(month)},
                                chr::day{static_cast<unsigned>(day)}};
  if (!ymd.ok() || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  return chr::sys_days{ymd} + chr::hours{hour} + chr::minutes{minute - offset} +
         chr::seconds{second} + Millis{millis};
}

}  // namespace ccteams::emulator
