// The RFC 4180 record reader under the pairs and truth readers (src/eval/csv_reader.cc).
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "eval/csv_reader.h"
#include "fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  neardup::eval::CsvReader reader(text);
  std::vector<std::string_view> fields;
  int64_t last_line = 0;
  size_t records = 0;
  for (;;) {
    const auto r = reader.Next(&fields);
    if (r == neardup::eval::CsvReader::Result::kEnd) break;
    FUZZ_CHECK(++records <= size);  // every record consumes at least one byte
    FUZZ_CHECK(reader.line() > last_line);
    last_line = reader.line();
    if (r == neardup::eval::CsvReader::Result::kMalformed) {
      FUZZ_CHECK(*reader.error() != '\0');
      continue;
    }
    FUZZ_CHECK(!fields.empty());
    for (std::string_view f : fields) {
      volatile char sink = 0;  // touch every byte: ASan checks the views
      for (char c : f) sink = sink ^ c;
      (void)sink;
      FUZZ_CHECK(f.size() <= size);
    }
  }
  return 0;
}
