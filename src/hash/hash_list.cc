// Hash lists as text (include/neardup/hash_list.h).
#include "neardup/hash_list.h"

#include <algorithm>
#include <unordered_map>

#include "neardup/text.h"

namespace neardup {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The bad line as quoted in an error: escaped, at most kHashListErrorText bytes.
std::string Quote(std::string_view line) {
  std::string out;
  for (size_t i = 0; i < line.size();) {
    size_t n = 1;
    std::string piece;
    const unsigned char c = static_cast<unsigned char>(line[i]);
    if (c >= 0x80) n = std::max<size_t>(1, Utf8SequenceLength(line, i));
    piece = EscapeId(line.substr(i, n));
    if (out.size() + piece.size() > kHashListErrorText) return out + "...";
    out += piece;
    i += n;
  }
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string EscapeId(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (size_t i = 0; i < bytes.size();) {
    const unsigned char c = static_cast<unsigned char>(bytes[i]);
    if (c >= 0x80) {
      const size_t n = Utf8SequenceLength(bytes, i);
      // C1 controls (U+0080..U+009F) are escaped byte by byte: a terminal could act on them.
      const bool c1 = n == 2 && c == 0xc2 && static_cast<unsigned char>(bytes[i + 1]) < 0xa0;
      if (n > 0 && !c1) {
        out.append(bytes.substr(i, n));
        i += n;
        continue;
      }
    }
    ++i;
    switch (c) {
      case '\\':
        out += "\\\\";
        continue;
      case '\n':
        out += "\\n";
        continue;
      case '\r':
        out += "\\r";
        continue;
      case '\t':
        out += "\\t";
        continue;
      default:
        break;
    }
    if (c < 0x20 || c >= 0x7f) {
      out += "\\x";
      out += kHexDigits[c >> 4];
      out += kHexDigits[c & 15];
    } else {
      out += char(c);
    }
  }
  return out;
}

StatusOr<std::string> UnescapeId(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\') {
      out += s[i];
      continue;
    }
    if (i + 1 >= s.size()) return InvalidArgumentError("a backslash ends the ID (write \\\\)");
    const char e = s[++i];
    switch (e) {
      case '\\':
        out += '\\';
        continue;
      case 'n':
        out += '\n';
        continue;
      case 'r':
        out += '\r';
        continue;
      case 't':
        out += '\t';
        continue;
      case 'x': {
        const int hi = i + 1 < s.size() ? HexValue(s[i + 1]) : -1;
        const int lo = i + 2 < s.size() ? HexValue(s[i + 2]) : -1;
        if (hi < 0 || lo < 0) return InvalidArgumentError("\\x needs two hex digits");
        out += char(hi * 16 + lo);
        i += 2;
        continue;
      }
      default:
        return InvalidArgumentError("unknown escape \\" + EscapeId(std::string_view(&e, 1)) +
                                    " (write a backslash as \\\\)");
    }
  }
  return out;
}

std::string FormatHashListLine(const Hash256& hash, std::string_view id) {
  return ToHex(hash) + "," + EscapeId(id) + "\n";
}

HashList ParseHashList(std::string_view text) {
  HashList out;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  // id -> index in out.entries, or -1 once two lines gave it different hashes.
  std::unordered_map<std::string, int64_t> seen;
  std::vector<bool> dropped;  // entries removed by a later conflicting line
  int no = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find_first_of("\r\n", pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end;
    if (pos < text.size()) pos += (text.substr(pos, 2) == "\r\n") ? 2 : 1;
    ++no;
    if (Trim(line).empty() || line[0] == '#') continue;
    const auto fail = [&](std::string reason) {
      out.errors.push_back({no, std::move(reason), Quote(line)});
    };
    const size_t comma = line.find(',');
    const std::string_view hex = Trim(line.substr(0, comma));
    StatusOr<Hash256> hash = Hash256FromHex(hex);
    if (!hash.ok()) {
      fail("not a PDQ hash (64 hex digits)");
      continue;
    }
    std::string id;
    if (comma == std::string_view::npos) {
      id = ToHex(*hash);
    } else {
      StatusOr<std::string> unescaped = UnescapeId(line.substr(comma + 1));
      if (!unescaped.ok()) {
        fail(unescaped.status().message());
        continue;
      }
      id = std::move(unescaped).value();
      if (id.empty()) {
        fail("empty ID after the comma");
        continue;
      }
      if (id.size() > kMaxHashListId) {
        fail("ID longer than " + std::to_string(kMaxHashListId) + " bytes");
        continue;
      }
    }
    auto [it, fresh] = seen.emplace(id, int64_t(out.entries.size()));
    if (fresh) {
      out.entries.push_back({no, std::move(id), *hash});
      dropped.push_back(false);
      continue;
    }
    if (it->second < 0) {
      fail("ID " + Quote(id) + " is given different hashes on earlier lines; none is imported");
      continue;
    }
    const HashListEntry& first = out.entries[size_t(it->second)];
    if (first.hash == *hash) {
      ++out.duplicates;
      continue;
    }
    fail("ID " + Quote(id) + " has another hash on line " + std::to_string(first.line) +
         "; neither line is imported");
    dropped[size_t(it->second)] = true;
    it->second = -1;
  }
  std::vector<HashListEntry> kept;
  kept.reserve(out.entries.size());
  for (size_t i = 0; i < out.entries.size(); ++i) {
    if (!dropped[i]) kept.push_back(std::move(out.entries[i]));
  }
  out.entries = std::move(kept);
  return out;
}

}  // namespace neardup
