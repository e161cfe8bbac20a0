// Hash lists as text (src/hash/hash_list.cc): line ends, BOM, bad lines with their numbers and an
// escaped excerpt, duplicate IDs, and ID escaping that round-trips any bytes.
#include "neardup/hash_list.h"

#include <gtest/gtest.h>

#include <random>

namespace neardup {
namespace {

const std::string kH1 = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";
const std::string kH2 = "0000000000000000000000000000000000000000000000000000000000000001";
const std::string kH3 = "ABCDEF0000000000000000000000000000000000000000000000000000000000";

std::vector<std::string> Ids(const HashList& l) {
  std::vector<std::string> out;
  for (const HashListEntry& e : l.entries) out.push_back(e.id);
  return out;
}

TEST(HashListTest, LfCrlfAndOldMacCrLinesAndABom) {
  for (const std::string& eol : std::vector<std::string>{"\n", "\r\n", "\r"}) {
    const std::string text =
        "\xEF\xBB\xBF" + kH1 + ",a" + eol + "# comment" + eol + eol + kH2 + ",b" + eol + kH3;
    HashList l = ParseHashList(text);
    EXPECT_TRUE(l.errors.empty()) << "eol " << EscapeId(eol) << ": " << l.errors[0].reason;
    ASSERT_EQ(Ids(l), (std::vector<std::string>{"a", "b", ToHex(*Hash256FromHex(kH3))}))
        << EscapeId(eol);
    EXPECT_EQ(l.entries[0].line, 1);
    EXPECT_EQ(l.entries[1].line, 4);
    EXPECT_EQ(l.entries[2].line, 5);
    EXPECT_EQ(ToHex(l.entries[0].hash), kH1);
  }
  // Mixed: a CR then an LF is one line end, an LF then a CR two.
  HashList l = ParseHashList(kH1 + ",a\n\r" + kH2 + ",b\r\n");
  EXPECT_EQ(l.entries[1].line, 3);
}

TEST(HashListTest, BadLinesAreNumberedWithAnEscapedShortExcerpt) {
  std::string nul_line = "not-hex";
  nul_line += '\0';
  nul_line += "after the NUL";
  const std::string long_line = kH1 + "," + std::string(200, 'x') + "\\q";
  HashList l =
      ParseHashList(kH1 + ",good\n" + nul_line + "\n" + long_line + "\n" + kH2 + ",\n" + kH2 +
                    ",trailing\\\n" + "zz" + kH1.substr(2) + ",y\n" + kH2 + ",also good\n");
  EXPECT_EQ(Ids(l), (std::vector<std::string>{"good", "also good"}));
  ASSERT_EQ(l.errors.size(), 5u);
  EXPECT_EQ(l.errors[0].line, 2);
  // The NUL is shown, and what follows it is not lost.
  EXPECT_EQ(l.errors[0].text, "not-hex\\x00after the NUL");
  EXPECT_EQ(l.errors[1].line, 3);
  EXPECT_NE(l.errors[1].reason.find("\\q"), std::string::npos) << l.errors[1].reason;
  EXPECT_LE(l.errors[1].text.size(), kHashListErrorText + 3);
  EXPECT_EQ(l.errors[1].text.substr(l.errors[1].text.size() - 3), "...");
  EXPECT_NE(l.errors[2].reason.find("empty ID"), std::string::npos);
  EXPECT_EQ(l.errors[3].line, 5);
  EXPECT_EQ(l.errors[4].line, 6);
}

TEST(HashListTest, OneIdWithTwoHashesIsAnErrorNamingBothLines) {
  HashList l =
      ParseHashList(kH1 + ",x\n" + kH2 + ",y\n" + kH2 + ",x\n" + kH1 + ",x\n" + kH2 + ",y\n");
  EXPECT_EQ(Ids(l), std::vector<std::string>{"y"});  // neither x is kept
  EXPECT_EQ(l.duplicates, 1);                        // line 5 repeats line 2: merged
  ASSERT_EQ(l.errors.size(), 2u);
  EXPECT_EQ(l.errors[0].line, 3);
  EXPECT_NE(l.errors[0].reason.find("line 1"), std::string::npos) << l.errors[0].reason;
  EXPECT_EQ(l.errors[1].line, 4);
}

TEST(HashListTest, EscapedIdsRoundTripAnyBytes) {
  const std::vector<std::string> ids = {
      "plain.jpg",
      "/photos/a,b.jpg",
      "line\nbreak",
      "back\\slash\\x0A",
      std::string("nul\0byte", 8),
      "caf\xC3\xA9 \xE2\x82\xAC",  // valid UTF-8 is kept as it is
      "latin1 \xE9\xFF",           // not UTF-8
      "c1 \xC2\x85 control",
      "cr\rtab\t",
      "#not a comment",
  };
  std::string text;
  for (size_t i = 0; i < ids.size(); ++i) {
    Hash256 h;
    h.w[0] = i;
    const std::string line = FormatHashListLine(h, ids[i]);
    EXPECT_EQ(line.find_first_of("\r\n"), line.size() - 1) << "one line: " << line;
    text += line;
  }
  EXPECT_NE(text.find("caf\xC3\xA9"), std::string::npos);
  EXPECT_NE(text.find("\\xe9\\xff"), std::string::npos);
  EXPECT_NE(text.find("\\xc2\\x85"), std::string::npos);
  HashList l = ParseHashList(text);
  EXPECT_TRUE(l.errors.empty());
  EXPECT_EQ(Ids(l), ids);
  for (size_t i = 0; i < l.entries.size(); ++i) EXPECT_EQ(l.entries[i].hash.w[0], i);

  std::mt19937 rng(3);
  for (int round = 0; round < 2000; ++round) {
    std::string bytes(rng() % 12, '\0');
    for (char& c : bytes) c = char(rng());
    auto back = UnescapeId(EscapeId(bytes));
    ASSERT_TRUE(back.ok());
    ASSERT_EQ(*back, bytes);
  }
  EXPECT_FALSE(UnescapeId("a\\").ok());
  EXPECT_FALSE(UnescapeId("\\x4").ok());
  EXPECT_FALSE(UnescapeId("C:\\photos").ok());
}

}  // namespace
}  // namespace neardup
