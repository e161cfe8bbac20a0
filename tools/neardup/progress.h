// Time on the terminal: a stopwatch for the summaries and the progress bar of a scan.
#ifndef NEARDUP_TOOLS_PROGRESS_H_
#define NEARDUP_TOOLS_PROGRESS_H_

#include <chrono>
#include <cstdint>

namespace neardup::cli {

// Seconds since construction (steady clock).
class Stopwatch {
 public:
  double Seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

// Draws "[=====>    ] 120/400 images  85.3/s" on stderr, at most ten times a second, and clears
// the line when done == total. Not thread-safe: calls must be serialised (as ScanOptions::progress
// calls are).
class ProgressBar {
 public:
  void Update(int64_t done, int64_t total);

 private:
  Stopwatch clock_;
  double last_ = -1;
};

}  // namespace neardup::cli

#endif  // NEARDUP_TOOLS_PROGRESS_H_
