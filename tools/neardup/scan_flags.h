// The common options of commands that scan folders (find, pairs, index add), and the scan's
// options built from them.
#ifndef NEARDUP_TOOLS_SCAN_FLAGS_H_
#define NEARDUP_TOOLS_SCAN_FLAGS_H_

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "neardup/decode.h"
#include "neardup/descriptor.h"
#include "neardup/find.h"

namespace neardup::cli {

struct ScanFlags {
  std::vector<std::string> inputs;
  bool recursive = false;
  std::string method = kDefaultMethod;  // AddScanFlags sets DefaultMethod()
  int threads = 0;
  std::string cache;
  bool no_cache = false;
  bool quiet = false;
  bool cross_devices = false;
  int max_memory_mb = int(kDefaultDecodeMemoryBudget >> 20);  // decode.h's budget, in MiB
};
void AddScanFlags(CLI::App* cmd, ScanFlags* flags);
// Fills ScanOptions from the flags, with a progress bar on stderr when it is a terminal. Sets the
// process's decoding memory budget (SetDecodeMemoryBudget) from --max-memory.
ScanOptions MakeScanOptions(const ScanFlags& flags);

}  // namespace neardup::cli

#endif  // NEARDUP_TOOLS_SCAN_FLAGS_H_
