#include "eval/csv_reader.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace neardup::eval {

CsvReader::CsvReader(std::string_view data) : p_(data.data()), end_(data.data() + data.size()) {
  if (data.size() >= 3 && std::memcmp(p_, "\xEF\xBB\xBF", 3) == 0) p_ += 3;
}

CsvReader::Result CsvReader::Next(std::vector<std::string_view>* fields) {
  fields->clear();
  size_t scratch_used = 0;
  // Skip blank lines (LF or CRLF).
  for (;;) {
    if (p_ >= end_) return Result::kEnd;
    if (*p_ == '\n') {
      ++p_;
      ++next_line_;
    } else if (*p_ == '\r' && p_ + 1 < end_ && p_[1] == '\n') {
      p_ += 2;
      ++next_line_;
    } else {
      break;
    }
  }
  line_ = next_line_;
  const char* eol = static_cast<const char*>(std::memchr(p_, '\n', end_ - p_));
  if (eol == nullptr) eol = end_;

  auto malformed = [&](const char* why) {
    error_ = why;
    // Resynchronise at the end of the line the problem was found on.
    const char* nl = static_cast<const char*>(std::memchr(p_, '\n', end_ - p_));
    if (nl == nullptr) {
      p_ = end_;
    } else {
      p_ = nl + 1;
      ++next_line_;
    }
    return Result::kMalformed;
  };

  for (;;) {
    if (p_ < end_ && *p_ == '"') {
      const char* start = p_ + 1;
      const char* q = start;
      bool escaped = false;
      for (;;) {
        q = static_cast<const char*>(std::memchr(q, '"', end_ - q));
        if (q == nullptr) {
          ++p_;  // past the opening quote, so resynchronisation stays on its line
          return malformed("unterminated quoted field");
        }
        if (q + 1 < end_ && q[1] == '"') {
          escaped = true;
          q += 2;
          continue;
        }
        break;
      }
      // Lines inside the quoted field.
      for (const char* c = start; c < q; ++c) next_line_ += (*c == '\n');
      if (!escaped) {
        fields->emplace_back(start, q - start);
      } else {
        if (scratch_used == scratch_.size()) scratch_.emplace_back();
        std::string& s = scratch_[scratch_used++];
        s.clear();
        for (const char* c = start; c < q; ++c) {
          s.push_back(*c);
          if (*c == '"') ++c;  // the second quote of ""
        }
        fields->emplace_back(s);
      }
      p_ = q + 1;
      eol = static_cast<const char*>(std::memchr(p_, '\n', end_ - p_));
      if (eol == nullptr) eol = end_;
      if (p_ < end_ && *p_ == ',') {
        ++p_;
        continue;
      }
      if (p_ < end_ && *p_ == '\r' && (p_ + 1 == end_ || p_[1] == '\n')) ++p_;
      if (p_ == end_) return Result::kRecord;
      if (*p_ == '\n') {
        ++p_;
        ++next_line_;
        return Result::kRecord;
      }
      return malformed("text after a closing quote");
    }
    const char* comma = static_cast<const char*>(std::memchr(p_, ',', eol - p_));
    if (comma != nullptr) {
      fields->emplace_back(p_, comma - p_);
      p_ = comma + 1;
      continue;
    }
    const char* field_end = eol;
    if (field_end > p_ && field_end[-1] == '\r') --field_end;
    fields->emplace_back(p_, field_end - p_);
    if (eol == end_) {
      p_ = end_;
    } else {
      p_ = eol + 1;
      ++next_line_;
    }
    return Result::kRecord;
  }
}

std::string_view TrimBlanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string Excerpt(std::string_view s, size_t max_bytes) {
  size_t n = std::min(s.size(), max_bytes);
  // Back up to the start of a UTF-8 sequence (not onto a continuation byte).
  if (n < s.size()) {
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  }
  std::string out;
  out.reserve(n + 16);
  for (size_t i = 0; i < n; ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", c);
      out += buf;
    } else {
      if (c == '\\') out += '\\';
      out += char(c);
    }
  }
  if (n < s.size()) out += "... (" + std::to_string(s.size()) + " bytes)";
  return out;
}

}  // namespace neardup::eval
