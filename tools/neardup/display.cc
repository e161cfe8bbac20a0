#include "display.h"

#include <algorithm>
#include <cstdio>

#include "neardup/text.h"

namespace neardup::cli {
namespace {

// Escapes control characters and invalid UTF-8 of `s` as \xNN, and backslashes as \\ when
// `escape_backslash`; stops after `max_bytes` input bytes (at a character boundary).
std::string Escape(const std::string& s, bool escape_backslash, size_t max_bytes, bool* cut) {
  std::string out;
  size_t i = 0;
  for (; i < s.size();) {
    size_t n = Utf8SequenceLength(s, i);
    if (n > 0 && i + n > max_bytes) break;
    if (n == 0 && i + 1 > max_bytes) break;
    const unsigned char c = static_cast<unsigned char>(s[i]);
    const bool c1 = n == 2 && c == 0xC2 && static_cast<unsigned char>(s[i + 1]) < 0xA0;
    if (n == 0 || (n == 1 && (c < 0x20 || c == 0x7F)) || c1) {
      // A C1 control (U+0080..U+009F) is escaped byte by byte, as a terminal could act on it.
      for (size_t k = 0; k < std::max<size_t>(n, 1); ++k) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\x%02X", static_cast<unsigned char>(s[i + k]));
        out += buf;
      }
      i += std::max<size_t>(n, 1);
    } else {
      if (escape_backslash && c == '\\') out += '\\';
      out.append(s, i, n);
      i += n;
    }
  }
  if (cut != nullptr) *cut = i < s.size();
  return out;
}

}  // namespace

std::string DisplayPath(const std::string& path) {
  return Escape(path, /*escape_backslash=*/true, path.size(), nullptr);
}

std::string DisplayText(const std::string& message) {
  return Escape(message, /*escape_backslash=*/false, message.size(), nullptr);
}

std::string DisplayExcerpt(const std::string& s, size_t max_bytes) {
  bool cut = false;
  std::string out = Escape(s, /*escape_backslash=*/true, max_bytes, &cut);
  return cut ? out + "..." : out;
}

}  // namespace neardup::cli
