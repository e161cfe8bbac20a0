// Printing helpers shared by the subcommands: paths that are not UTF-8, CSV quoting, errors on
// stderr, the progress bar.
#ifndef NEARDUP_TOOLS_OUTPUT_H_
#define NEARDUP_TOOLS_OUTPUT_H_

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "neardup/cache.h"
#include "neardup/find.h"
#include "neardup/registry.h"

namespace neardup::cli {

bool IsValidUtf8(const std::string& s);

// A path for a terminal, one line and unambiguous (as `ls -b`): invalid UTF-8 bytes and control
// characters (C0, DEL, C1) become \xNN and a backslash becomes \\, so a name holding a newline
// and one holding the four characters \x0A print differently.
std::string DisplayPath(const std::string& path);

// A message for a terminal, on one line: invalid UTF-8 bytes and control characters become \xNN;
// backslashes are kept, since library messages quote inputs already escaped (eval's Excerpt).
std::string DisplayText(const std::string& message);

// DisplayPath of at most the first `max_bytes` bytes of `s` (cut at a character boundary),
// followed by "..." when it was cut: for echoing what a user typed or a file held.
std::string DisplayExcerpt(const std::string& s, size_t max_bytes = 60);

// Sets j["path"] to the path; when it is not valid UTF-8, the invalid bytes are replaced by
// U+FFFD there and j["path_hex"] carries the exact bytes in hex.
void SetJsonPath(nlohmann::ordered_json& j, const std::string& path, const char* key = "path");

// Serialises JSON, replacing any invalid UTF-8 left in strings (never throws).
std::string DumpJson(const nlohmann::ordered_json& j, int indent = 2);

// The evidence on a pair as JSON (what each source said, the verification, the matched region in
// both images' pixels), without the paths: the caller names the pair.
nlohmann::ordered_json EvidenceJson(const PairEvidence& e);

// RFC 4180 field: quoted when it holds a comma, quote, CR or LF. Bytes are kept as they are.
std::string CsvField(const std::string& s);

// "neardup: <path>: <reason>" for each error and "neardup: warning: ..." for each warning.
void PrintProblems(const ScanResult& scan);

// The common options of commands that scan folders (find, pairs).
struct ScanFlags {
  std::vector<std::string> inputs;
  bool recursive = false;
  std::string method = kDefaultMethod;
  int threads = 0;
  std::string cache;
  bool no_cache = false;
  bool quiet = false;
  bool cross_devices = false;
  int max_memory_mb = int(kDefaultDecodeMemoryBudget >> 20);  // decode.h's budget, in MiB
};
void AddScanFlags(CLI::App* cmd, ScanFlags* flags);
// Fills ScanOptions from the flags, with a progress bar on stderr when it is a terminal.
ScanOptions MakeScanOptions(const ScanFlags& flags);

// "12 files read (10 decoded, 2 from cache), 1 error, 3 skipped (not images), 0.52 s".
std::string ScanSummary(const ScanResult& scan, double seconds);

class Stopwatch {
 public:
  double Seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace neardup::cli

#endif  // NEARDUP_TOOLS_OUTPUT_H_
