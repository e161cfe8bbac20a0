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
//
// Hard negatives: real collections hold unrelated pictures that share only an overlay (one meme
// caption font, one sticker, one screenshot frame), and a detector that matches the overlay takes
// them for copies. Each original gets `hard_negatives_per_original` of them, each made from a
// picture of its own (drawn from the distractor pool after the distractors, deduplicated like
// them, never written on its own), fitted to the original's size (scaled to cover it, cropped at a
// seeded offset) and given an overlay it shares with the other members of its overlay set: 2-4
// unrelated images carrying the identical overlay (same words, font, size, position). A set's kind
// is one of kHardNegativeKinds, taken in turn from a seeded start per original:
//   hn_caption     the caption family's band    hn_text       text_overlay's words
//   hn_screenshot  paste's UI canvas            hn_border     border's frame
//   hn_sticker     sticker's emoji              hn_watermark  watermark's logo
//   hn_texture     one tiled texture, recoloured and shifted, with different pictures pasted on it
//                  (augment.h's MakeTextureVariant); these sets hold hard negatives only.
// The first set of a kind other than hn_texture holds the original's copy of that family (when
// the family is made), whose seed the hard negatives reuse, so the copy and 1-3 unrelated pictures
// share its overlay pixel for pixel (a semi-transparent watermark blends with each picture); other
// sets hold 2-3 hard negatives (a lone leftover joins the previous set). Hard negatives are
// `distractor`s in truth.csv (no group, so any match with them is a false positive) with the kind
// in the family column; under the query-side protocol, pairs of two of them are left out, pairs
// with the copy are scored. transforms.jsonl gives each its kind, overlay set, seeds and edits,
// and the copy of a set its "overlay_set". Seeds derive from (seed, original, k).
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

// The kinds of hard negative (the family column of truth.csv), in the order they are taken.
inline constexpr const char* kHardNegativeKinds[] = {"hn_caption", "hn_text",    "hn_screenshot",
                                                     "hn_border",  "hn_sticker", "hn_watermark",
                                                     "hn_texture"};

struct BenchMakeOptions {
  std::vector<std::string> sources;      // folders (searched recursively) and image files
  std::vector<std::string> distractors;  // folders/files for distractors; empty = the sources
  std::string out_dir;                   // must not exist, or be an empty folder
  uint64_t seed = 1;
  int originals = 100;
  int distractor_count = -1;  // -1 = 4 per original
  std::vector<Family> families = AllFamilies();
  // Hard negatives made per original (above); 0 = none. Fewer when the pool runs out of usable
  // pictures (a log line says so).
  int hard_negatives_per_original = 5;
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
  int distractors = 0;  // plain distractors (hard negatives not counted)
  int hard_negatives = 0;
  int overlay_sets = 0;     // sets of images sharing one overlay
  int sources_seen = 0;     // candidate files looked at
  int sources_skipped = 0;  // too small, undecodable, or a near-duplicate of one already drawn
};

// Writes the benchmark. Errors: InvalidArgument (bad options, out_dir not empty, fewer usable
// sources than `originals`), IOError (cannot write). Nothing outside out_dir is written.
StatusOr<BenchMakeSummary> MakeBenchmark(const BenchMakeOptions& options);

}  // namespace neardup

#endif  // NEARDUP_BENCH_MAKER_H_
