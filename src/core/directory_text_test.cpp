#include "core/directory_text.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ccteams {
namespace {

using Tokens = std::vector<std::string>;

struct TokenCase {
  const char* text;
  Tokens want;
};
void PrintTo(const TokenCase& c, std::ostream* os) { *os << '"' << c.text << '"'; }

class DirectoryTokens : public ::testing::TestWithParam<TokenCase> {};

TEST_P(DirectoryTokens, Table) { EXPECT_EQ(directory_tokens(GetParam().text), GetParam().want); }

// One case per line reads better than the packed layout.
// clang-format off
INSTANTIATE_TEST_SUITE_P(
    Table, DirectoryTokens,
    ::testing::Values(
        TokenCase{"", {}},
        TokenCase{"   \t ", {}},
        TokenCase{"Anna Smith", {"anna", "smith"}},
        TokenCase{"  ANNA   smith  ", {"anna", "smith"}},
        TokenCase{"Jean-Luc Picard", {"jean", "luc", "picard"}},
        TokenCase{"O'Brien", {"obrien"}},
        TokenCase{"O\u2019Brien", {"obrien"}},                     // typographic apostrophe
        TokenCase{"Level 2 Support (EMEA)", {"level", "2", "support", "emea"}},
        TokenCase{"Billing & Collections", {"billing", "collections"}},
        TokenCase{"José Álvarez", {"jose", "alvarez"}},
        TokenCase{"François Müller", {"francois", "muller"}},
        TokenCase{"Straße", {"strasse"}},                           // ß -> ss
        TokenCase{"Søren Ørsted", {"soren", "orsted"}},             // ø Ø -> o
        TokenCase{"Łukasz Żółć", {"lukasz", "zolc"}},               // Latin Extended-A
        TokenCase{"Ştefan Țiriac Ș", {"stefan", "tiriac", "s"}},    // ş (Ext-A) and ț ș (Ext-B)
        TokenCase{"Æsir Œuvre Ĳssel", {"aesir", "oeuvre", "ijssel"}},
        TokenCase{"Þór Ðuro", {"thor", "duro"}},
        TokenCase{"Ärger ÖL ÜBER", {"arger", "ol", "uber"}},
        TokenCase{"Ŀlorenç Ħal", {"llorenc", "hal"}},
        TokenCase{"Re\xCC\x81mi", {"remi"}},                        // e + combining acute (NFD)
        TokenCase{"\xCE\x91\xCE\xBB\xCE\xAD\xCE\xBE\xCE\xB7\xCF\x82",  // Αλέξης
                  {"\xCE\xB1\xCE\xBB\xCE\xAD\xCE\xBE\xCE\xB7\xCF\x82"}},
        TokenCase{"\xD0\x98\xD0\xB2\xD0\xB0\xD0\xBD",  // Иван -> иван
                  {"\xD0\xB8\xD0\xB2\xD0\xB0\xD0\xBD"}},
        TokenCase{"\xE5\xB1\xB1\xE7\x94\xB0 \xE5\xA4\xAA\xE9\x83\x8E",  // 山田 太郎, kept
                  {"\xE5\xB1\xB1\xE7\x94\xB0", "\xE5\xA4\xAA\xE9\x83\x8E"}},
        TokenCase{"a\xC2\xA0" "b", {"a", "b"}},                     // no-break space
        TokenCase{"a\xE2\x80\x94" "b", {"a", "b"}},                 // em dash
        TokenCase{"2\xC3\x97" "3", {"2", "3"}},                     // multiplication sign
        TokenCase{"ab\xFF" "cd", {"ab", "cd"}},                     // invalid byte separates
        TokenCase{"ab\xC3", {"ab"}},                                // truncated sequence
        TokenCase{"\xC0\x80x", {"x"}},                              // overlong NUL
        TokenCase{"x\xED\xA0\x80y", {"x", "y"}}));                  // surrogate
// clang-format on

TEST(DirectoryText, MailTokensUseOnlyTheLocalPart) {
  EXPECT_EQ(directory_mail_tokens("anna.lena_schmidt-2@contoso.com"),
            (Tokens{"anna", "lena", "schmidt", "2"}));
  EXPECT_EQ(directory_mail_tokens("JOSÉ.Álvarez@contoso.com"), (Tokens{"jose", "alvarez"}));
  EXPECT_EQ(directory_mail_tokens("no-domain"), (Tokens{"no", "domain"}));
  EXPECT_EQ(directory_mail_tokens("@contoso.com"), Tokens{});
  EXPECT_EQ(directory_mail_tokens(""), Tokens{});
}

TEST(DirectoryText, FoldJoinsTokensWithSingleSpaces) {
  EXPECT_EQ(directory_fold("  Émile   ZOLA "), "emile zola");
  EXPECT_EQ(directory_fold("Billing"), "billing");
  EXPECT_EQ(directory_fold("Sales & Marketing"), "sales marketing");
  EXPECT_EQ(directory_fold("!!!"), "");
  EXPECT_EQ(directory_fold("Ångström-Öberg"), directory_fold("angstrom OBERG"));
}

TEST(DirectoryText, Utf8LengthCountsCodePoints) {
  EXPECT_EQ(utf8_length(""), 0u);
  EXPECT_EQ(utf8_length("abc"), 3u);
  EXPECT_EQ(utf8_length("Łódź"), 4u);
  EXPECT_EQ(utf8_length("\xE5\xB1\xB1\xE7\x94\xB0"), 2u);
  EXPECT_EQ(utf8_length(std::string{'a', '\xFF', 'b'}), 3u);  // an invalid byte counts as one
}

// Every letter of Latin-1 Supplement and Latin Extended-A folds to ASCII a-z only.
TEST(DirectoryText, EveryLatin1AndExtendedALetterFoldsToAscii) {
  for (char32_t cp = 0xC0; cp <= 0x17F; ++cp) {
    if (cp == 0xD7 || cp == 0xF7) continue;  // × ÷ are signs
    std::string utf8;
    utf8.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    utf8.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    const Tokens tokens = directory_tokens(utf8);
    ASSERT_EQ(tokens.size(), 1u) << std::hex << static_cast<unsigned>(cp);
    for (const char c : tokens[0]) {
      EXPECT_TRUE(c >= 'a' && c <= 'z') << std::hex << static_cast<unsigned>(cp);
    }
  }
}

}  // namespace
}  // namespace ccteams
