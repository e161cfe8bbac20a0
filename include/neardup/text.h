// Text helpers every layer shares: strict UTF-8, RFC 4180 CSV fields and hex digits. One
// definition of each, so a path the CLI calls valid UTF-8 is valid for the report writers too.
//
// UTF-8 here is RFC 3629's: overlong forms, surrogates (U+D800..U+DFFF), code points above
// U+10FFFF and truncated sequences are invalid. Strings are byte strings; nothing is normalised.
// Thread safety: all functions are pure and may be called concurrently.
#ifndef NEARDUP_TEXT_H_
#define NEARDUP_TEXT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace neardup {

// The length (1-4) of the valid UTF-8 sequence starting at s[i], or 0 when the bytes there are
// not one. Precondition: i < s.size().
size_t Utf8SequenceLength(std::string_view s, size_t i);

// True when all of `s` is valid UTF-8 (the empty string is).
bool IsValidUtf8(std::string_view s);

// `s` with each byte that does not start a valid UTF-8 sequence replaced by U+FFFD (as the JSON
// writers do with invalid input); valid input is returned unchanged.
std::string ToValidUtf8(std::string_view s);

// `s` as one RFC 4180 field: quoted when it holds a comma, a double quote, CR or LF (quotes
// inside are doubled), else as it is. Bytes are kept as they are (no UTF-8 check).
std::string CsvField(std::string_view s);

// Two lowercase hex digits per byte of `bytes`, in order: "a\xff" -> "61ff".
std::string HexBytes(std::string_view bytes);

// 16 lowercase hex digits per word, most significant digit first, words in the order given:
// {0x1, 0xab} -> "0000000000000001" "00000000000000ab". `words` may be null when count is 0.
std::string HexWords(const uint64_t* words, size_t count);

// A file size for people: "812 B", "14.2 KB", "3.1 MB".
std::string HumanBytes(int64_t bytes);

}  // namespace neardup

#endif  // NEARDUP_TEXT_H_
