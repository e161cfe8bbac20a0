// `neardup bench make SRC_DIR... OUT_DIR`: a copy-detection benchmark folder from source images.
#include <cstdio>

#include "commands.h"
#include "display.h"
#include "flags.h"
#include "neardup/augment.h"
#include "neardup/bench_maker.h"
#include "progress.h"

namespace neardup::cli {
namespace {

// Upper bounds of the counts and sizes; beyond them a value is a typo (10 million copies of a
// benchmark would fill a disk).
constexpr int kMaxOriginals = 1000000;
constexpr int kMaxDistractors = 10000000;
constexpr int kMaxSide = 16384;
constexpr int kMaxHardNegatives = 100;

struct BenchMakeFlags {
  std::vector<std::string> paths;  // SRC_DIR... OUT_DIR
  std::vector<std::string> distractors;
  std::vector<std::string> families;
  uint64_t seed = 1;
  int originals = 100;
  std::optional<int> distractor_count;  // empty: 4 per original
  int hard_negatives = BenchMakeOptions{}.hard_negatives_per_original;
  int max_side = 1024;
  int threads = 0;
  bool quiet = false;
  bool held_out = false;
};

int Run(const BenchMakeFlags& f) {
  if (f.paths.size() < 2) {
    std::fprintf(stderr, "neardup: bench make needs at least one SRC_DIR and an OUT_DIR\n");
    return kExitUsage;
  }
  BenchMakeOptions o;
  o.sources.assign(f.paths.begin(), f.paths.end() - 1);
  o.out_dir = f.paths.back();
  o.distractors = f.distractors;
  o.seed = f.seed;
  o.originals = f.originals;
  if (f.distractor_count) o.distractor_count = *f.distractor_count;
  o.hard_negatives_per_original = f.hard_negatives;
  o.max_side = f.max_side;
  o.threads = f.threads;
  o.held_out_only = f.held_out;
  if (!f.families.empty()) {
    o.families.clear();
    for (const std::string& name : f.families) {
      std::optional<Family> fam = FamilyFromName(name);
      if (!fam) {
        std::string known;
        for (Family k : AllFamilies())
          known += std::string(known.empty() ? "" : ", ") + FamilyName(k);
        std::fprintf(stderr, "neardup: unknown family '%s' (known: %s)\n", name.c_str(),
                     known.c_str());
        return kExitUsage;
      }
      o.families.push_back(*fam);
    }
  }
  if (!f.quiet)
    o.log = [](const std::string& line) { std::fprintf(stderr, "neardup: %s\n", line.c_str()); };
  Stopwatch clock;
  StatusOr<BenchMakeSummary> s = MakeBenchmark(o);
  if (!s.ok()) {
    std::fprintf(stderr, "neardup: %s\n", DisplayText(s.status().message()).c_str());
    return s.status().code() == StatusCode::kIOError ? kExitSomeFailed : kExitUsage;
  }
  std::printf(
      "%s: %d originals, %d copies (%zu families), %d distractors, %d hard negatives (%d overlay "
      "sets); %d sources looked at, %d skipped; %.1f s\n",
      o.out_dir.c_str(), s->originals, s->copies, o.families.size(), s->distractors,
      s->hard_negatives, s->overlay_sets, s->sources_seen, s->sources_skipped, clock.Seconds());
  return kExitOk;
}

}  // namespace

void AddBenchMakeCommand(CLI::App& bench, std::vector<Command>* out) {
  auto f = std::make_shared<BenchMakeFlags>();
  CLI::App* cmd = bench.add_subcommand(
      "make", "Write a benchmark folder (images/, truth.csv, transforms.jsonl) from source images");
  cmd->add_option("paths", f->paths, "SRC_DIR... OUT_DIR (OUT_DIR must not exist or be empty)")
      ->required();
  cmd->add_option("--seed", f->seed, "Random seed (same seed and sources = same folder)")
      ->check(WholeNumberIn(0, UINT64_MAX))
      ->capture_default_str();
  cmd->add_option("--originals", f->originals, "Number of originals")
      ->check(WholeNumberIn(1, kMaxOriginals))
      ->capture_default_str();
  cmd->add_option("--distractors", f->distractors,
                  "Folders to draw distractors from (default: the sources)");
  AddOptionalCount(cmd, "--distractor-count", &f->distractor_count, 0, kMaxDistractors,
                   "Number of distractors (default: 4 per original)");
  cmd->add_option("--hard-negatives", f->hard_negatives,
                  "Hard negatives per original: unrelated pictures sharing an overlay (caption, "
                  "sticker, frame, ...) with its copy or each other; 0 = none")
      ->check(WholeNumberIn(0, kMaxHardNegatives))
      ->capture_default_str();
  cmd->add_option("--families", f->families, "Transform families (default: all)")->delimiter(',');
  cmd->add_option("--max-side", f->max_side, "Downscale sources to this long side")
      ->check(WholeNumberIn(4 * kMinAugmentSide, kMaxSide))
      ->capture_default_str();
  AddThreadsOption(cmd, &f->threads);
  cmd->add_flag("--held-out", f->held_out,
                "Use only the held-out split of the sources (files `neardup train` never uses)");
  cmd->add_flag("-q,--quiet", f->quiet, "No progress lines");
  out->push_back({cmd, [f] { return Run(*f); }});
}

}  // namespace neardup::cli
