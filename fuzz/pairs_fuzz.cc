// The detector's pairs CSV (ParsePairsCsv, src/eval/pairs_csv.cc) against a fixed small
// benchmark, then the evaluation of what was read (Evaluate), as `neardup bench eval` does.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/fuzz_util.h"
#include "neardup/eval.h"

namespace {

neardup::Benchmark MakeBench() {
  using neardup::BenchRole;
  std::vector<neardup::BenchImage> images = {
      {"g1/original.jpg", "g1", BenchRole::kOriginal, ""},
      {"g1/crop.jpg", "g1", BenchRole::kCopy, "crop"},
      {"g1/rot.jpg", "g1", BenchRole::kCopy, "rotate"},
      {"g2/a.png", "g2", BenchRole::kNatural, ""},
      {"g2/b.png", "g2", BenchRole::kNatural, ""},
      {"x/distractor 1.jpg", "", BenchRole::kDistractor, ""},
      {"x/d,2.jpg", "", BenchRole::kDistractor, ""},
      {"x/\"q\".jpg", "", BenchRole::kDistractor, ""},
  };
  auto b = neardup::Benchmark::Create("/bench/images", std::move(images),
                                      {{"g1/crop.jpg", "x/d,2.jpg"}});
  neardup::fuzz::CheckSetup(b.status(), "Benchmark::Create");
  return std::move(b).value();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const neardup::Benchmark bench = MakeBench();
  const std::string_view csv(reinterpret_cast<const char*>(data), size);
  neardup::PairsInput input = neardup::ParsePairsCsv(csv, bench, "pairs.csv");
  const int32_t n = int32_t(bench.images().size());
  FUZZ_CHECK(input.problems.size() <= size_t(neardup::kMaxProblems));
  FUZZ_CHECK(int64_t(input.pairs.size()) + input.unmatched_lines + input.malformed_lines ==
             input.lines);
  for (const neardup::ListedPair& p : input.pairs) {
    FUZZ_CHECK(p.a >= 0 && p.a < n && p.b >= 0 && p.b < n && std::isfinite(p.score));
  }
  for (const std::string& problem : input.problems) FUZZ_CHECK(problem.starts_with("pairs.csv:"));
  neardup::EvalOptions options;
  options.threshold = 0.5;
  options.max_curve_points = 4;
  const neardup::EvalReport report = neardup::Evaluate(bench, std::move(input), options);
  FUZZ_CHECK(report.micro_ap >= 0 && report.micro_ap <= 1 + 1e-9);
  FUZZ_CHECK(int64_t(report.pr_curve.size()) <= 4);
  return 0;
}
