// Making a copy-detection benchmark folder from source images (`neardup bench make`).
//
// The folder it writes is the format eval.h reads:
//   OUT/images/<opaque>.jpg  originals, their transformed copies and distractors, all under
//                            random-looking names (nothing in a name tells its role);
//   OUT/truth.csv            image,group,role,family;
//   OUT/transforms.jsonl     one JSON object per image: its role, group, source file and the
//                            edits applied with their drawn parameters (augment.h).
// Every original gets one copy per family (augment.h's Family), made with a seed derived from
// (seed, original, family), so the same sources and seed give the same folder, byte for byte.
// Originals and distractors are drawn (seeded) from the sources; a candidate whose dihedral PDQ
// hash is within kBenchDedupBits of an image already drawn is skipped, so unrelated images of the
// benchmark are not secretly near-duplicates of each other (common in packaged artwork: the same
// picture at several sizes); and at most one image is drawn per family of files named alike in
// one folder (split.h's FamilyKey: animation frames, sprite angles, sizes).
#ifndef NEARDUP_BENCH_MAKER_H_
#define NEARDUP_BENCH_MAKER_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "neardup/augment.h"
#include "neardup/status.h"

namespace neardup {

inline constexpr int kBenchDedupBits = 64;

struct BenchMakeOptions {
  std::vector<std::string> sources;      // folders (searched recursively) and image files
  std::vector<std::string> distractors;  // folders/files for distractors; empty = the sources
  std::string out_dir;                   // must not exist, or be an empty folder
  uint64_t seed = 1;
  int originals = 100;
  int distractor_count = -1;  // -1 = 4 per original
  std::vector<Family> families = AllFamilies();
  int max_side = 1024;  // originals and distractors are downscaled to this long side
  int min_side = 128;   // sources with a shorter side are not used
  int jpeg_quality = 92;
  // Draw only files of the held-out split (split.h), so a model trained with `neardup train` on
  // the same folders is scored on families it never saw.
  bool held_out_only = false;
  int threads = 0;  // 0 = all cores
  // Called with a line of progress or a warning (a source that failed to decode), optional.
  std::function<void(const std::string&)> log;
};

struct BenchMakeSummary {
  int originals = 0;
  int copies = 0;
  int distractors = 0;
  int sources_seen = 0;     // candidate files looked at
  int sources_skipped = 0;  // too small, undecodable, or a near-duplicate of one already drawn
};

// Writes the benchmark. Errors: InvalidArgument (bad options, out_dir not empty, fewer usable
// sources than `originals`), IOError (cannot write). Nothing outside out_dir is written.
StatusOr<BenchMakeSummary> MakeBenchmark(const BenchMakeOptions& options);

}  // namespace neardup

#endif  // NEARDUP_BENCH_MAKER_H_
