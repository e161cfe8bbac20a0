// Running descriptor methods on a benchmark folder and reporting them side by side
// (`neardup bench run`).
//
// For each method, RunBenchmark does what `neardup pairs --k K` followed by `neardup bench eval`
// would, timing the two stages on their own: every image of BENCH_DIR/images is decoded and
// described without the descriptor cache (so the speed is the real decode + describe speed), then
// each image's K nearest other images are searched exactly; those neighbour pairs, scored with the
// method's Score (1 - bits / code bits for hashes), are evaluated against the truth (eval.h).
// It also picks the pairs worth looking at: the positives with the lowest scores (worst misses)
// and the listed negatives with the highest (worst false positives). Pairs are scored under both
// protocols of eval.h (all pairs, query-side); BenchRunOptions::protocol picks the one of the
// detailed figures (curves, families, worst pairs).
//
// It also builds, from the same descriptors, the groups `neardup find` would print at the
// method's default threshold (the same join, quality rule and default GroupMode as Find) and
// scores them with EvaluateGroups under both protocols. A pair-pipeline method (fused) scores
// its candidates once for both the k-NN lists and the join.
//
// WriteBenchReport turns a result into a folder a person reads: index.html (self-contained, inline
// CSS and SVG charts, thumbnails beside it), report.json (every number) and summary.md (tables to
// paste into a README).
//
// Thread safety: RunBenchmark uses `threads` worker threads internally; the functions may be called
// concurrently on different inputs.
#ifndef NEARDUP_BENCH_RUN_H_
#define NEARDUP_BENCH_RUN_H_

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "neardup/eval.h"
#include "neardup/status.h"

namespace neardup {

struct BenchRunOptions {
  std::string bench_dir;             // holds images/, truth.csv and optionally ignore.csv
  std::vector<std::string> methods;  // method strings (descriptor.h); empty = every MethodNames()
  int k = 20;                        // neighbours searched per image (>= 1)
  int threads = 0;                   // 0 = one per hardware thread
  int examples = 8;                  // worst misses and worst false positives kept per method
  // The protocol of the detailed figures; the headline figures of both are always reported.
  EvalProtocol protocol = EvalProtocol::kAllPairs;
  // Called with a line of progress ("pdq8: 2700 images described in 3.1 s"), optional.
  std::function<void(const std::string&)> log;
};

// One pair picked for a person to look at. Ids index BenchRunResult::benchmark.images().
struct PairExample {
  int32_t a = 0;  // for positives the original (or natural), for negatives the lower id
  int32_t b = 0;
  double distance = 0;    // method's unit (bits for hashes)
  double score = 0;       // method->Score(distance), what was ranked
  std::string family;     // positives: the family (eval.h); negatives: empty
  bool retrieved = true;  // false: not in either image's k-NN list, score computed directly
};

// An image that could not be described (decode or descriptor error).
struct BenchImageError {
  std::string path;     // relative to images/ when it is a benchmark image, else as found
  std::string message;  // the reason, without the path
};

struct MethodRun {
  std::string method;     // the method string, e.g. "pdq8"
  EvalReport report;      // Evaluate() under BenchRunOptions::protocol (both in report.protocols)
  int64_t described = 0;  // images described
  int64_t failed = 0;     // images that could not be described
  double describe_seconds = 0;   // wall time of decode + describe of all images
  double images_per_second = 0;  // (described + failed) / describe_seconds
  // Wall time of the k-NN search; for a pair pipeline, of its one scoring of the candidates,
  // which the join reuses.
  double search_seconds = 0;
  // The groups of `neardup find` at the method's default threshold (method's unit).
  double group_threshold = 0;
  int64_t matched_pairs = 0;  // pairs of the join at that threshold
  double join_seconds = 0;    // wall time of the join and the grouping (a pipeline: grouping only)
  std::array<GroupEvalReport, kNumEvalProtocols> groups;  // by int(EvalProtocol)
  std::vector<PairExample> worst_misses;                  // lowest-scoring positives, worst first
  std::vector<PairExample> worst_false_positives;  // highest-scoring listed negatives, worst first
};

struct BenchRunResult {
  explicit BenchRunResult(Benchmark b) : benchmark(std::move(b)) {}

  Benchmark benchmark;
  std::string bench_dir;
  std::string date;  // when the run started, "YYYY-MM-DD HH:MM UTC"
  int k = 0;
  int threads = 0;                                  // resolved thread count
  EvalProtocol protocol = EvalProtocol::kAllPairs;  // of the detailed figures
  // Facts of the truth.
  int64_t originals = 0, copies = 0, naturals = 0, distractors = 0;
  int64_t positives = 0;              // positive pairs (after ignore.csv)
  std::vector<std::string> families;  // as in EvalReport::families, sorted, natural last
  std::vector<MethodRun> methods;     // in BenchRunOptions::methods order
  // Images that failed with any method (each once, sorted by path), and files found under
  // images/ that truth.csv does not name (not scored).
  std::vector<BenchImageError> errors;
  std::vector<std::string> unknown_files;
};

// Runs every method of `options` on the benchmark. Errors (the run stops): those of LoadBenchmark,
// NotFound for an unknown method, InvalidArgument for k < 1 or an empty benchmark. Images that
// cannot be described are not errors: they are listed in BenchRunResult::errors and every pair
// they are part of counts as not found.
StatusOr<BenchRunResult> RunBenchmark(const BenchRunOptions& options);

// Writes OUT/index.html, OUT/report.json, OUT/summary.md and OUT/thumbs/*.jpg (the example pairs'
// images, at most 160 px per side) for `result`, creating `out_dir` when needed; existing files of
// those names are replaced. The benchmark's images must still be readable (thumbnails); one that
// is not gets a placeholder. Errors: IOError when a file cannot be written.
Status WriteBenchReport(const BenchRunResult& result, const std::string& out_dir);

// The Markdown of summary.md: a table of the methods (µAP and recall at precision 0.99 and 0.999
// under both protocols, best F1, group precision under both and group recall, describe speed), one
// of the groups at the default threshold and, when `with_families`, one of each family's recall at
// P >= 0.99 with families as rows and methods as columns.
std::string BenchSummaryMarkdown(const BenchRunResult& result, bool with_families = true);

}  // namespace neardup

#endif  // NEARDUP_BENCH_RUN_H_
