// Lists of PDQ hashes exchanged as text (`neardup index import --pdq-hex`, `index export`): one
// hash a line, "HEX" or "HEX,ID".
//
// Format read by ParseHashList:
//  - HEX is 64 hex digits (either case, Hash256FromHex); spaces or tabs around it are ignored.
//  - ID is every byte after the first comma, in the escaped form EscapeId writes (below); a line
//    without a comma is named by its hex digits (lowercase).
//  - Lines end with LF, CRLF or a lone CR (old Mac files); a UTF-8 byte order mark before the
//    first line is skipped; blank lines and lines whose first byte is '#' are skipped.
//  - Two lines with one ID and different hashes are an error naming both lines, and neither is
//    kept (which one is meant cannot be known); the same ID with the same hash again is merged.
// Escaping of IDs (EscapeId / UnescapeId), so that any byte string survives a line of text:
//   backslash -> \\ ; LF -> \n ; CR -> \r ; TAB -> \t ; any other byte below 0x20, DEL (0x7f),
//   the bytes of C1 controls (U+0080..U+009F) and every byte that is not part of a valid UTF-8
//   sequence -> \xHH (two lowercase hex digits).
//   Printable ASCII (commas included) and valid UTF-8 are written as they are. Reading, a
//   backslash followed by anything else is an error: write a literal backslash as \\.
// Thread safety: all functions are pure and may be called concurrently.
#ifndef NEARDUP_HASH_LIST_H_
#define NEARDUP_HASH_LIST_H_

#include <string>
#include <string_view>
#include <vector>

#include "neardup/hash.h"
#include "neardup/status.h"

namespace neardup {

struct HashListEntry {
  int line = 0;    // 1-based line number
  std::string id;  // unescaped: the exact bytes of the ID
  Hash256 hash;
};

struct HashListError {
  int line = 0;        // 1-based line number
  std::string reason;  // e.g. "not 64 hex digits"
  std::string text;    // the line, escaped (EscapeId) and shortened to kHashListErrorText bytes
};

struct HashList {
  std::vector<HashListEntry> entries;  // in line order, one per distinct ID
  std::vector<HashListError> errors;   // in line order
  int duplicates = 0;                  // lines repeating an earlier line's ID and hash
};

// The most bytes of a bad line quoted in HashListError::text ("..." marks a shortened one).
inline constexpr size_t kHashListErrorText = 60;
// The longest ID accepted, in bytes once unescaped.
inline constexpr size_t kMaxHashListId = 4096;

// Parses the whole text of a hash list (any bytes; NUL bytes are data, reported escaped).
HashList ParseHashList(std::string_view text);

// "HEX,ESCAPED-ID\n": the line ParseHashList reads back as (hash, id).
std::string FormatHashListLine(const Hash256& hash, std::string_view id);

// The escaped form of `bytes` (see the top of this file) and its inverse. UnescapeId returns
// InvalidArgument naming the bad escape.
std::string EscapeId(std::string_view bytes);
StatusOr<std::string> UnescapeId(std::string_view escaped);

}  // namespace neardup

#endif  // NEARDUP_HASH_LIST_H_
