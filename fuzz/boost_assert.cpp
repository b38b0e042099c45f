// BOOST_ASSERT in the fuzz builds (scripts/fuzz.sh defines BOOST_ENABLE_ASSERT_HANDLER): every
// failed assertion in Boost stops the run as a crash, except one known false assertion.
//
// Boost.Beast before 1.86 asserts `n >= 5` in basic_parser::parse_chunk_header when the last
// chunk of a chunked body ("0\r\n") has arrived and one more byte comes in a later read: the
// assertion assumes a CRLF before the chunk size that is not there, and the code after it
// handles the 4 bytes correctly (it looks for the end of the message and asks for more).
// Upstream fixed the assertion (boostorg/beast pull request 2861); Debian 12 ships Boost 1.81.
// Release builds define NDEBUG, so the server never stops there; a debug build would, for a
// client that sends its last chunk a byte at a time.

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace boost {

namespace {

bool known_false_assertion(const char* expr, const char* function) {
  return std::strcmp(expr, "n >= 5") == 0 && std::strstr(function, "parse_chunk_header") != nullptr;
}

}  // namespace

void assertion_failed_msg(const char* expr, const char* msg, const char* function,
                          const char* file, long line) {
  if (known_false_assertion(expr, function)) return;
  std::fprintf(stderr, "%s:%ld: %s: Boost assertion `%s' failed%s%s\n", file, line, function,
               expr, msg != nullptr ? ": " : "", msg != nullptr ? msg : "");
  std::abort();
}

void assertion_failed(const char* expr, const char* function, const char* file, long line) {
  assertion_failed_msg(expr, nullptr, function, file, line);
}

}  // namespace boost
