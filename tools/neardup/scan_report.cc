#include "scan_report.h"

#include <cstdio>

#include "display.h"

namespace neardup::cli {

void PrintProblems(const ScanResult& scan) {
  for (const std::string& w : scan.warnings)
    std::fprintf(stderr, "neardup: warning: %s\n", DisplayText(w).c_str());
  for (const InputError& e : scan.errors) {
    std::fprintf(stderr, "neardup: %s: %s\n", DisplayPath(e.path).c_str(),
                 DisplayText(e.status.message()).c_str());
  }
}

std::string ScanSummary(const ScanResult& scan, double seconds) {
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "%zu images read (%lld decoded, %lld from cache), %zu unreadable, "
                "%lld skipped (not images), %.2f s",
                scan.files.size(), static_cast<long long>(scan.decoded),
                static_cast<long long>(scan.cached), scan.errors.size(),
                static_cast<long long>(scan.skipped_non_images), seconds);
  return buf;
}

}  // namespace neardup::cli
