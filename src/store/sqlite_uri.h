// How the stores name a file to SQLite when they open it read-only and immutable (a file on a
// read-only mount, where SQLite cannot create the WAL's shared-memory file). Private to the
// library.
#ifndef NEARDUP_SRC_STORE_SQLITE_URI_H_
#define NEARDUP_SRC_STORE_SQLITE_URI_H_

#include <string>

namespace neardup::store {

// "file:<path>?immutable=1", for sqlite3_open_v2 with SQLITE_OPEN_URI: every byte of `path`
// other than RFC 3986's unreserved ones and '/' is percent-encoded, so '?', '#', '%', spaces
// and non-UTF-8 bytes name the same file.
inline std::string ImmutableFileUri(const std::string& path) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string uri = "file:";
  for (unsigned char c : path) {
    const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                            (c >= '0' && c <= '9') || c == '/' || c == '-' || c == '.' ||
                            c == '_' || c == '~';
    if (unreserved) {
      uri += char(c);
    } else {
      uri += '%';
      uri += kHex[c >> 4];
      uri += kHex[c & 15];
    }
  }
  return uri + "?immutable=1";
}

}  // namespace neardup::store

#endif  // NEARDUP_SRC_STORE_SQLITE_URI_H_
