#include "neardup/text.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace neardup {
namespace {

TEST(Utf8Test, AcceptsEveryLengthAndTheExtremes) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ascii\n"));
  EXPECT_TRUE(IsValidUtf8("\xC2\x80"));          // U+0080, smallest 2-byte
  EXPECT_TRUE(IsValidUtf8("caf\xC3\xA9"));       // é
  EXPECT_TRUE(IsValidUtf8("\xE0\xA0\x80"));      // U+0800, smallest 3-byte
  EXPECT_TRUE(IsValidUtf8("\xED\x9F\xBF"));      // U+D7FF, just below the surrogates
  EXPECT_TRUE(IsValidUtf8("\xEE\x80\x80"));      // U+E000, just above them
  EXPECT_TRUE(IsValidUtf8("\xEF\xBF\xBD"));      // U+FFFD
  EXPECT_TRUE(IsValidUtf8("\xF0\x90\x80\x80"));  // U+10000, smallest 4-byte
  EXPECT_TRUE(IsValidUtf8("\xF4\x8F\xBF\xBF"));  // U+10FFFF, the largest code point
  EXPECT_EQ(Utf8SequenceLength("a\xC3\xA9", 1), 2u);
  EXPECT_EQ(Utf8SequenceLength("\xF0\x9F\x98\x80", 0), 4u);
}

TEST(Utf8Test, RejectsOverlongForms) {
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // '/' in 2 bytes
  EXPECT_FALSE(IsValidUtf8("\xC1\xBF"));          // U+007F in 2 bytes
  EXPECT_FALSE(IsValidUtf8("\xE0\x80\xAF"));      // '/' in 3 bytes
  EXPECT_FALSE(IsValidUtf8("\xE0\x9F\xBF"));      // U+07FF in 3 bytes
  EXPECT_FALSE(IsValidUtf8("\xF0\x80\x80\xAF"));  // '/' in 4 bytes
  EXPECT_FALSE(IsValidUtf8("\xF0\x8F\xBF\xBF"));  // U+FFFF in 4 bytes
}

TEST(Utf8Test, RejectsSurrogatesAndCodePointsAboveTheRange) {
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));              // U+D800
  EXPECT_FALSE(IsValidUtf8("\xED\xBF\xBF"));              // U+DFFF
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\xBD\xED\xB8\x80"));  // a CESU-8 surrogate pair
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));          // U+110000
  EXPECT_FALSE(IsValidUtf8("\xF5\x80\x80\x80"));          // lead byte beyond F4
  EXPECT_FALSE(IsValidUtf8("\xF7\xBF\xBF\xBF"));
  EXPECT_FALSE(IsValidUtf8("\xFF"));
}

TEST(Utf8Test, RejectsTruncatedAndBrokenSequences) {
  EXPECT_FALSE(IsValidUtf8("\xC3"));          // lead byte at the end
  EXPECT_FALSE(IsValidUtf8("\xE2\x82"));      // 3-byte sequence cut after 2
  EXPECT_FALSE(IsValidUtf8("\xF0\x9F\x98"));  // 4-byte sequence cut after 3
  EXPECT_FALSE(IsValidUtf8("\xE2\x82x"));     // continuation replaced by ASCII
  EXPECT_FALSE(IsValidUtf8("\x80"));          // lone continuation byte
  EXPECT_FALSE(IsValidUtf8("ok\xA9"));
  EXPECT_EQ(Utf8SequenceLength("\xF0\x9F\x98", 0), 0u);
  EXPECT_EQ(Utf8SequenceLength("\xE2\x82\xAC", 1), 0u);  // inside a sequence
}

TEST(Utf8Test, ToValidUtf8ReplacesEachBadByte) {
  EXPECT_EQ(ToValidUtf8("caf\xC3\xA9"), "caf\xC3\xA9");
  EXPECT_EQ(ToValidUtf8("a\xFF"
                        "b"),
            "a\xEF\xBF\xBD"
            "b");
  // A surrogate's three bytes are three bad bytes (none starts a valid sequence).
  EXPECT_EQ(ToValidUtf8("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_TRUE(IsValidUtf8(ToValidUtf8("\xC0\xAF\xF4\x90\x80\x80 x \xE2\x82")));
}

TEST(CsvFieldTest, QuotesOnlyWhenRfc4180NeedsIt) {
  EXPECT_EQ(CsvField(""), "");
  EXPECT_EQ(CsvField("photos/a b.jpg"), "photos/a b.jpg");
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvField("\""), "\"\"\"\"");
  EXPECT_EQ(CsvField("line\nbreak"), "\"line\nbreak\"");
  EXPECT_EQ(CsvField("cr\rhere"), "\"cr\rhere\"");
  // Bytes that are not UTF-8 pass through untouched.
  EXPECT_EQ(CsvField("x\xFF"), "x\xFF");
  EXPECT_EQ(CsvField("x\xFF,"), "\"x\xFF,\"");
}

TEST(HexTest, BytesAndWords) {
  EXPECT_EQ(HexBytes(""), "");
  EXPECT_EQ(HexBytes(std::string("a\xFF\x00\x10", 4)), "61ff0010");
  const uint64_t words[] = {0x1, 0xABCDEF0123456789ull};
  EXPECT_EQ(HexWords(words, 2), "0000000000000001abcdef0123456789");
  EXPECT_EQ(HexWords(nullptr, 0), "");
}

}  // namespace
}  // namespace neardup
