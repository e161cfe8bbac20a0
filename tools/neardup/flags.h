// Checks of the CLI's numeric options, shared by every subcommand. NaN and infinities are never
// accepted; a value outside its range is a usage error (exit 1) whose message names the option,
// the value and the valid range, e.g. "neardup: --k: 0 is out of range (1..10000)".
// Options that may be left out bind a std::optional, so "not given" is never a value a user can
// type (no -1 sentinels).
#ifndef NEARDUP_TOOLS_FLAGS_H_
#define NEARDUP_TOOLS_FLAGS_H_

#include <CLI/CLI.hpp>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include "neardup/descriptor.h"
#include "neardup/status.h"

namespace neardup::cli {

// -j/--threads of every command (0 = all cores): more than this is a typo, not a machine.
inline constexpr int kMaxThreads = 1024;
// -k/--k of `pairs`, `bench run` and `index query`: neighbours listed per image.
inline constexpr int kMaxNeighbors = 10000;

// A CLI11 check for an integer option: the text is a whole number in [lo, hi] (decimal; "1e3"
// is read as 1000). It rewrites the text in plain decimal, so CLI11 does not read "010" as octal.
CLI::Validator WholeNumberIn(uint64_t lo, uint64_t hi);

// A CLI11 check for a floating-point option: a finite number in [lo, hi], or in (lo, hi] when
// `lo_open`. hi = infinity leaves it unbounded above (the value must still be finite).
CLI::Validator FiniteIn(double lo, double hi = std::numeric_limits<double>::infinity(),
                        bool lo_open = false);

// A CLI11 check for a floating-point option that may be any finite number.
CLI::Validator Finite();

// Adds -j/--threads (0 = all cores, at most kMaxThreads) bound to `threads`.
CLI::Option* AddThreadsOption(CLI::App* cmd, int* threads,
                              const std::string& help = "Worker threads (0 = all cores)");

// Adds an optional floating-point option: `value` stays empty unless it is given, and what is
// given must be finite (a range that depends on other options is checked later, e.g. by
// CheckThreshold).
CLI::Option* AddOptionalNumber(CLI::App* cmd, const std::string& names,
                               std::optional<double>* value, const std::string& help);

// Adds an optional integer option in [lo, hi]: `value` stays empty unless it is given.
CLI::Option* AddOptionalCount(CLI::App* cmd, const std::string& names, std::optional<int>* value,
                              int lo, int hi, const std::string& help);

// InvalidArgument "--threshold: 1000 is out of range for method pdq8 (0..256 bits)" when
// `threshold` is outside Method::threshold_range() or not finite; `option` names the option.
Status CheckThreshold(const Method& method, double threshold,
                      const std::string& option = "--threshold");

}  // namespace neardup::cli

#endif  // NEARDUP_TOOLS_FLAGS_H_
