// The PDQ hash list importer (ParseHashList, src/hash/hash_list.cc, behind `index import`) and
// its writer: what is read is written back by FormatHashListLine and read again unchanged; IDs
// survive EscapeId / UnescapeId; Hash256FromHex accepts exactly what ToHex prints back.
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "fuzz/fuzz_util.h"
#include "neardup/hash.h"
#include "neardup/hash_list.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  neardup::StatusOr<neardup::Hash256> h = neardup::Hash256FromHex(text);
  if (h.ok()) {
    std::string lower(text);
    for (char& c : lower) c = char(std::tolower(static_cast<unsigned char>(c)));
    FUZZ_CHECK(neardup::ToHex(*h) == lower);
  } else {
    FUZZ_CHECK(h.status().code() == neardup::StatusCode::kInvalidArgument);
  }

  const std::string escaped = neardup::EscapeId(text);
  for (char c : escaped) FUZZ_CHECK(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f);
  neardup::StatusOr<std::string> back = neardup::UnescapeId(escaped);
  FUZZ_CHECK(back.ok() && *back == text);

  const neardup::HashList list = neardup::ParseHashList(text);
  std::set<std::string> ids;
  int last_line = 0;
  std::string exported;
  for (const neardup::HashListEntry& e : list.entries) {
    FUZZ_CHECK(e.line > last_line);
    last_line = e.line;
    FUZZ_CHECK(!e.id.empty() && e.id.size() <= neardup::kMaxHashListId);
    FUZZ_CHECK(ids.insert(e.id).second);
    exported += neardup::FormatHashListLine(e.hash, e.id);
  }
  for (const neardup::HashListError& e : list.errors) {
    FUZZ_CHECK(e.line >= 1 && !e.reason.empty());
    FUZZ_CHECK(e.text.size() <= neardup::kHashListErrorText + 3);
  }
  // `index export` then `index import`: the same entries, in order, and nothing else.
  const neardup::HashList again = neardup::ParseHashList(exported);
  FUZZ_CHECK(again.errors.empty() && again.duplicates == 0);
  FUZZ_CHECK(again.entries.size() == list.entries.size());
  for (size_t i = 0; i < again.entries.size(); ++i) {
    FUZZ_CHECK(again.entries[i].id == list.entries[i].id);
    FUZZ_CHECK(again.entries[i].hash == list.entries[i].hash);
    FUZZ_CHECK(again.entries[i].line == int(i) + 1);
  }
  return 0;
}
