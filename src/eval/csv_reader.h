// A fast RFC 4180 record reader over a byte buffer (private to the eval layer): fields separated
// by ',', records by LF or CRLF, a field that starts with '"' is quoted ("" is a quote inside,
// and it may span lines). A quote inside an unquoted field is kept as it is. A UTF-8 byte order
// mark at the start is skipped; blank lines are skipped.
#ifndef NEARDUP_SRC_EVAL_CSV_READER_H_
#define NEARDUP_SRC_EVAL_CSV_READER_H_

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace neardup::eval {

class CsvReader {
 public:
  enum class Result { kEnd, kRecord, kMalformed };

  explicit CsvReader(std::string_view data);
  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;

  // Reads the next record into `fields` (cleared first). The views point into the data or into
  // the reader's scratch space and stay valid until the next call. kMalformed (bad quoting: an
  // unterminated quote, or bytes after a closing quote) skips to the end of that line; error()
  // says why.
  Result Next(std::vector<std::string_view>* fields);

  // 1-based line on which the last record returned by Next() started.
  int64_t line() const { return line_; }
  const char* error() const { return error_; }

 private:
  const char* p_;
  const char* end_;
  int64_t line_ = 0;
  int64_t next_line_ = 1;
  const char* error_ = "";
  std::deque<std::string> scratch_;  // unescaped quoted fields; a deque keeps them in place
};

// Removes leading and trailing spaces and tabs.
std::string_view TrimBlanks(std::string_view s);

// A field quoted in a message: at most `max_bytes` bytes of it (cut at a UTF-8 character
// boundary, then "..." and the field's size), with control bytes written \xNN and a backslash
// \\, so the message stays on one line and short however long the field was.
std::string Excerpt(std::string_view s, size_t max_bytes = 60);

}  // namespace neardup::eval

#endif  // NEARDUP_SRC_EVAL_CSV_READER_H_
