// What the scanning commands print about the scan itself: its errors and warnings, its summary.
#ifndef NEARDUP_TOOLS_SCAN_REPORT_H_
#define NEARDUP_TOOLS_SCAN_REPORT_H_

#include <string>

#include "neardup/find.h"

namespace neardup::cli {

// "neardup: <path>: <reason>" for each error and "neardup: warning: ..." for each warning, on
// stderr.
void PrintProblems(const ScanResult& scan);

// "12 images read (10 decoded, 2 from cache), 1 unreadable, 3 skipped (not images), 0.52 s".
std::string ScanSummary(const ScanResult& scan, double seconds);

}  // namespace neardup::cli

#endif  // NEARDUP_TOOLS_SCAN_REPORT_H_
