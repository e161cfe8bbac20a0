// Evaluation of a near-duplicate detector against a benchmark folder (`neardup bench eval`).
//
// A benchmark folder holds
//   images/...   the images;
//   truth.csv    header `image,group,role,family` (columns in any order, extra columns ignored):
//                image  = path relative to images/ ('/'-separated);
//                group  = a group id, empty for distractors;
//                role   = original | copy | natural | distractor;
//                family = the transform family of a copy ("jpeg", "crop", ...), the kind of a
//                         distractor ("hn_caption", ...: bench_maker.h's hard negatives; it only
//                         labels them and changes no rule), else ignored;
//   ignore.csv   optional, header `a,b` (paths as in truth.csv): pairs left out of scoring.
//
// Which pairs of distinct images are positives (within one group; ids are unordered):
//   original <-> copy                 positive, family = the copy's family;
//   original|natural <-> original|natural   positive, family "natural" (one picture at several
//                                     resolutions; every pair of a natural group);
//   copy <-> copy, copy <-> natural   ignored: related, but neither is derived from the other;
// pairs listed in ignore.csv are ignored, and every other pair is a negative. Ignored pairs are
// neither positives nor negatives: they are dropped from the ranking and from the positive count.
//
// The detector's output is a CSV file `a,b,score` (what `neardup pairs --csv` prints), score
// higher = more similar (any finite number; [0,1] in practice). Scores are kept as doubles and a
// pair is "predicted positive" at threshold T when score >= T. Pairs are unordered; a pair listed
// several times counts once, with its highest score; self-pairs are dropped.
//
// Ranking and ties: listed pairs are ranked by score, descending; among equal scores negatives
// rank before positives, so ties never help.
//
// Protocols (EvalProtocol): all-pairs scores every listed pair as above. Query-side, as in
// Copydays and DISC21 (where only queries are searched against the references), also leaves out
// every pair whose two images are both distractors: such pairs are dropped from the ranking like
// ignored pairs. Positives are the same under both. Evaluate computes the headline figures of
// both protocols in one pass and the detailed ones (curve, families) under the chosen one.
//
// Nothing here is thread-safe against concurrent mutation, but const objects may be shared.
#ifndef NEARDUP_EVAL_H_
#define NEARDUP_EVAL_H_

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "neardup/status.h"

namespace neardup {

enum class BenchRole { kOriginal, kCopy, kNatural, kDistractor };

// "original", "copy", "natural", "distractor".
const char* BenchRoleName(BenchRole role);

// The family under which pairs inside natural groups are reported.
inline constexpr const char* kNaturalFamily = "natural";
// The family of a copy whose family column is empty.
inline constexpr const char* kUnknownFamily = "unknown";

struct BenchImage {
  std::string path;   // relative to BENCH_DIR/images/, '/'-separated, lexically normal
  std::string group;  // empty exactly for distractors
  BenchRole role = BenchRole::kDistractor;
  // A copy's family ("" is reported as kUnknownFamily) or a distractor's kind ("" for a plain
  // one); empty for other roles.
  std::string family;
};

// A benchmark's ground truth. Image ids are indices into images().
class Benchmark {
 public:
  // Validates and indexes `images`: paths must be relative, inside images/ and unique (after
  // lexical normalisation, which is applied to the stored paths); distractors must have no group
  // and other roles a group. `ignored` holds pairs of image paths (as in `images`); each must
  // name known images. `images_dir` (BENCH_DIR/images) is made absolute against the current
  // directory; it is only used to map listed paths (MapPath). Errors: InvalidArgument.
  static StatusOr<Benchmark> Create(
      std::string images_dir, std::vector<BenchImage> images,
      const std::vector<std::pair<std::string, std::string>>& ignored);

  const std::string& images_dir() const { return images_dir_; }
  const std::vector<BenchImage>& images() const { return images_; }
  // ignore.csv as image ids: a < b, sorted, unique.
  const std::vector<std::pair<int32_t, int32_t>>& ignored() const { return ignored_; }

  // The id of the image whose truth path is `relative` (already normalised), or -1.
  int32_t FindImage(std::string_view relative) const;

  // Maps a path as the detector printed it (relative to the current directory or absolute) to an
  // image id, or -1: first the path relative to images_dir() after lexical normalisation of
  // both, then the longest suffix of the normalised path, on '/' boundaries, that names an image.
  int32_t MapPath(std::string_view path) const;

 private:
  Benchmark() = default;
  std::string images_dir_;
  std::vector<BenchImage> images_;
  std::vector<std::pair<int32_t, int32_t>> ignored_;
  std::unordered_map<std::string, int32_t> ids_;  // path -> id
};

// Reads BENCH_DIR/truth.csv and, when present, BENCH_DIR/ignore.csv. Errors name the file and the
// line: NotFound / IOError when truth.csv cannot be read, InvalidArgument for a bad header, a
// malformed line, an unknown role, a duplicate image, or an ignore.csv path not in truth.csv.
StatusOr<Benchmark> LoadBenchmark(const std::string& bench_dir);

enum class EvalProtocol { kAllPairs, kQuerySide };
inline constexpr int kNumEvalProtocols = 2;

// "all", "query": the names `--protocol` takes.
const char* EvalProtocolName(EvalProtocol protocol);
// "all pairs", "query-side": for reports.
const char* EvalProtocolTitle(EvalProtocol protocol);
// The protocol named `name` ("all" or "query"); empty for anything else.
std::optional<EvalProtocol> ParseEvalProtocol(std::string_view name);
// The other protocol.
inline EvalProtocol OtherProtocol(EvalProtocol p) {
  return p == EvalProtocol::kAllPairs ? EvalProtocol::kQuerySide : EvalProtocol::kAllPairs;
}

// One listed pair: image ids into Benchmark::images() and the detector's score.
struct ListedPair {
  int32_t a = 0;
  int32_t b = 0;
  double score = 0;
};

// The usable lines of a pairs CSV file and what was wrong with the others.
struct PairsInput {
  std::vector<ListedPair> pairs;  // in file order; may repeat pairs, in either order
  int64_t lines = 0;              // data records read (the header and blank lines excluded)
  int64_t unmatched_lines = 0;    // records with a path that names no benchmark image: skipped
  int64_t malformed_lines = 0;    // not three fields with a finite numeric score: skipped
  // The first kMaxProblems problems, "<file>:<line>: <reason>" (each unmatched path once).
  std::vector<std::string> problems;
};
inline constexpr int kMaxProblems = 10;

// Parses a pairs CSV text (RFC 4180 quoting, LF or CRLF, optional header `a,b,score`) and maps
// its paths with bench.MapPath. `name` is the file name used in problem messages.
PairsInput ParsePairsCsv(std::string_view csv, const Benchmark& bench, const std::string& name);

// Reads the file at `path` (memory-mapped) and parses it. Errors: NotFound / IOError when it
// cannot be read; problems inside the file are reported in PairsInput, not as errors.
StatusOr<PairsInput> ReadPairsCsv(const std::string& path, const Benchmark& bench);

struct EvalOptions {
  // Also report precision, recall and F1 at this threshold (score >= threshold is positive),
  // and each family's recall there.
  std::optional<double> threshold;
  // Most points in EvalReport::pr_curve (at least 4).
  int max_curve_points = 500;
  // The protocol of the detailed figures (EvalReport's top-level fields); EvalReport::protocols
  // holds the headline figures of both.
  EvalProtocol protocol = EvalProtocol::kAllPairs;
};

// Precision targets of EvalReport::recall_at_p99 / recall_at_p999; the first is the operating
// point of the per-family recall table.
inline constexpr double kPrecision99 = 0.99;
inline constexpr double kPrecision999 = 0.999;

// The detector's confusion at one threshold: pairs with score >= threshold are predicted
// positive. Counts are over listed, non-ignored, deduplicated pairs; recall is over all
// positives of the truth (listed or not).
struct OperatingPoint {
  double threshold = 0;
  int64_t true_positives = 0;
  int64_t false_positives = 0;
  double precision = 0;  // NaN when nothing is predicted (tp + fp == 0)
  double recall = 0;     // 0 when the truth has no positives
  double f1 = 0;         // 0 when tp == 0
};

// One point of the precision-recall curve; the curve is the upper envelope (for each recall,
// the best precision reached at that recall or beyond is a point's precision), downsampled.
struct PrPoint {
  double recall = 0;
  double precision = 0;
  double threshold = 0;  // the lowest score predicted positive at this point
};

// Per transform family (copies of that family; natural-group pairs as kNaturalFamily).
struct FamilyStats {
  std::string family;
  int64_t positives = 0;           // positives in the truth (ignored pairs excluded)
  int64_t listed = 0;              // of those, listed in the pairs file (recall upper bound)
  int64_t found_at_p99 = 0;        // listed with score >= recall_at_p99's threshold (0 if none)
  int64_t found_at_threshold = 0;  // listed with score >= EvalOptions::threshold (0 if none)
};

// The headline figures of one protocol (the fields of EvalReport of the same names).
struct ProtocolFigures {
  EvalProtocol protocol = EvalProtocol::kAllPairs;
  int64_t negatives_listed = 0;  // distinct negatives ranked under this protocol
  double micro_ap = 0;
  std::optional<OperatingPoint> best_f1;
  std::optional<OperatingPoint> recall_at_p99;
  std::optional<OperatingPoint> recall_at_p999;
  std::optional<OperatingPoint> at_threshold;  // with EvalOptions::threshold
};

struct EvalReport {
  // The protocol of every figure below except `protocols`.
  EvalProtocol protocol = EvalProtocol::kAllPairs;
  // Counts.
  int64_t images = 0;
  int64_t positives = 0;         // all positives of the truth, listed or not (after ignore.csv)
  int64_t positives_listed = 0;  // distinct positive pairs that were listed
  int64_t negatives_listed = 0;  // distinct negative pairs that were listed (and ranked)
  // Distinct ignored pairs that were listed (not scored); under kQuerySide the
  // distractor <-> distractor pairs too.
  int64_t ignored_listed = 0;
  // Distinct listed pairs of two distractors (not in ignore.csv), under either protocol: negatives
  // under kAllPairs, left out under kQuerySide.
  int64_t distractor_pairs_listed = 0;
  int64_t listed_pairs = 0;     // usable pairs in the input, repeats included
  int64_t duplicate_pairs = 0;  // repeats (a,b again, or b,a) merged into one with max score
  int64_t self_pairs = 0;       // (a,a) pairs, dropped
  // Copied from PairsInput.
  int64_t lines = 0;
  int64_t unmatched_lines = 0;
  int64_t malformed_lines = 0;
  std::vector<std::string> problems;

  // True when the truth has no positive pair: micro_ap is then 0 (not NaN), recalls are 0 and
  // best_f1 / recall_at_* are empty. Check this flag before reading the metrics.
  bool no_positives = false;
  // Micro average precision over all listed pairs (DISC21's µAP):
  //   (1 / positives) * sum over listed positives in rank order of precision at their rank.
  // Positives never listed contribute 0.
  double micro_ap = 0;
  // The threshold (over listed scores) with the best F1; empty when no positive was listed.
  // Ties go to the higher threshold.
  std::optional<OperatingPoint> best_f1;
  // The highest recall over thresholds where precision >= kPrecision99 / kPrecision999 (ties to
  // the higher threshold); empty when no threshold reaches that precision.
  std::optional<OperatingPoint> recall_at_p99;
  std::optional<OperatingPoint> recall_at_p999;
  // At EvalOptions::threshold, when one was given.
  std::optional<OperatingPoint> at_threshold;
  // Every copy family of the truth sorted by name, then kNaturalFamily if the truth has
  // natural pairs.
  std::vector<FamilyStats> families;
  // Recall ascending, at most EvalOptions::max_curve_points points (empty without listed
  // positives).
  std::vector<PrPoint> pr_curve;
  // The headline figures under each protocol, indexed by int(EvalProtocol); the entry of
  // `protocol` repeats the fields above.
  std::array<ProtocolFigures, kNumEvalProtocols> protocols;
  const ProtocolFigures& figures(EvalProtocol p) const { return protocols[int(p)]; }
};

// Scores `input` against `bench` (the input is consumed: its memory is reused). Every id in
// input.pairs must be a valid image id (asserted).
EvalReport Evaluate(const Benchmark& bench, PairsInput input, const EvalOptions& options = {});

// The recall of family `f` of `report` at its P >= kPrecision99 operating point: found_at_p99 /
// positives; NaN when the family has no positive or no threshold reaches that precision.
double FamilyRecallAtP99(const EvalReport& report, const FamilyStats& f);

struct EvalJsonOptions {
  // When set, every operating point also carries "distance": this function of its score
  // threshold (a method's DistanceForScore, see neardup/descriptor.h).
  std::function<double(double score)> distance_for_score;
  int indent = 2;  // pretty-printing; -1 for one line
};

// The report as serialised JSON, the one form `neardup bench eval --json` prints and
// report.json of `neardup bench run` embeds per method. Keys, in this order:
//   "protocol": "all" | "query" (of the detailed figures),
//   "counts": {"images", "positives", "positives_listed", "negatives_listed", "ignored_listed",
//              "distractor_pairs_listed", "lines", "listed_pairs", "duplicate_pairs",
//              "self_pairs", "unmatched_lines", "malformed_lines"},
//   "no_positives", "micro_ap",
//   "best_f1", "recall_at_p99", "recall_at_p999", and "at_threshold" when the report has one:
//     each {"threshold", ["distance",] "precision", "recall", "f1", "true_positives",
//     "false_positives"}, or null when the point does not exist,
//   "protocols": {"all": {...}, "query": {...}}: each {"negatives_listed", "micro_ap", "best_f1",
//     "recall_at_p99", "recall_at_p999"[, "at_threshold"]} (points as above),
//   "families": [{"family", "positives", "listed", "found_at_p99", "recall_listed",
//                 "recall_at_p99", and with at_threshold "found_at_threshold",
//                 "recall_at_threshold"}],
//   "pr_curve": [{"recall", "precision", "threshold"}], "problems": [messages].
// A recall that is undefined (a family without positives; recall_at_p99 when precision 0.99 is
// never reached) and any other NaN are null. Invalid UTF-8 in strings becomes U+FFFD.
std::string EvalReportJson(const EvalReport& report, const EvalJsonOptions& options = {});

// How a pair of distinct images is scored (the rules at the top of this file, ignore.csv
// included): the classification Evaluate applies to every listed pair.
enum class PairKind { kPositive, kNegative, kIgnored };

// Classifies the unordered pair (a, b) of distinct valid image ids (asserted) under `protocol`
// (kQuerySide: a pair of two distractors is kIgnored). For a positive, `family` (when not null)
// receives its family: the copy's family (kUnknownFamily when empty) or kNaturalFamily; it is
// cleared otherwise. O(log ignored) time.
PairKind ClassifyPair(const Benchmark& bench, int32_t a, int32_t b, std::string* family = nullptr,
                      EvalProtocol protocol = EvalProtocol::kAllPairs);

// ---- Groups: scoring the duplicate groups of `neardup find` ----
//
// A predicted group is a set of image ids. Its pairs are all pairs of distinct images in it; a
// pair is right when both images have the same (non-empty) truth group. Pairs of ignore.csv are
// left out everywhere, and under kQuerySide so are pairs of two distractors. Copy <-> copy and
// copy <-> natural pairs of one truth group count as right here (the group is what a person
// sees), unlike in the pair ranking above.

// Recall of one copy family over groups.
struct GroupFamilyStats {
  std::string family;  // as in FamilyStats (kUnknownFamily for an empty family)
  int64_t copies = 0;  // copies of that family in the truth
  int64_t found = 0;   // of those, in one predicted group with an original of their truth group
};

struct GroupEvalReport {
  EvalProtocol protocol = EvalProtocol::kAllPairs;
  int64_t groups = 0;          // predicted groups with at least two distinct images
  int64_t images_grouped = 0;  // distinct images in those groups
  int64_t largest_group = 0;   // images in the largest group (0 without groups)
  // Images listed in more than one group: counted in their first group only.
  int64_t repeated_images = 0;
  // Within-group pairs scored (after ignore.csv and the protocol) and the right ones.
  int64_t predicted_pairs = 0;
  int64_t right_pairs = 0;
  // Pairs of images sharing a truth group (every pair: originals, copies and naturals; ignore.csv
  // left out), and of those the ones inside one predicted group (= right_pairs).
  int64_t truth_pairs = 0;
  double precision = 0;  // right_pairs / predicted_pairs; NaN without predicted pairs
  double recall = 0;     // right_pairs / truth_pairs; NaN without truth pairs
  double f1 = 0;         // 2PR / (P + R); 0 when either is 0 or NaN
  // Groups holding images of two or more truth groups, and of those the groups holding
  // originals or naturals of two or more truth groups (two pictures joined, not only a copy
  // mistaken).
  int64_t mixed_groups = 0;
  int64_t groups_joining_originals = 0;
  std::vector<GroupFamilyStats> families;  // every copy family of the truth, sorted by name
};

// Scores the predicted `groups` (image ids into bench.images(), each valid: asserted; duplicates
// inside a group are counted once, groups of fewer than two distinct images are skipped) under
// `protocol`. O(images + listed ids + ignore.csv) time.
GroupEvalReport EvaluateGroups(const Benchmark& bench,
                               const std::vector<std::vector<int32_t>>& groups,
                               EvalProtocol protocol = EvalProtocol::kAllPairs);

// Groups read from `neardup find --json` output, mapped to image ids.
struct GroupsInput {
  std::vector<std::vector<int32_t>> groups;  // in file order; files naming no image left out
  int64_t files = 0;                         // file entries read over all groups
  int64_t unmatched_files = 0;               // entries whose path names no benchmark image: skipped
  // The first kMaxProblems problems, "<file>: group G: '<path>' is not an image ...".
  std::vector<std::string> problems;
};

// Parses the JSON text of `neardup find --json` (top-level "groups": [{"files": [{"path": P,
// optional "path_hex": exact bytes in hex}, ...]}, ...]; other keys ignored) and maps each path
// with bench.MapPath. `name` names the file in messages. Errors: InvalidArgument when the text
// is not JSON or lacks that shape.
StatusOr<GroupsInput> ParseGroupsJson(std::string_view json, const Benchmark& bench,
                                      const std::string& name);

// Reads the file at `path` and parses it. Errors: NotFound / IOError, and those of
// ParseGroupsJson.
StatusOr<GroupsInput> ReadGroupsJson(const std::string& path, const Benchmark& bench);

// The group report as serialised JSON (one line when indent < 0). Keys in this order:
//   "protocol", "groups", "images_grouped", "largest_group", "repeated_images",
//   "predicted_pairs", "right_pairs", "truth_pairs", "precision", "recall", "f1",
//   "mixed_groups", "groups_joining_originals",
//   "families": [{"family", "copies", "found", "recall"}]; NaN as null.
std::string GroupEvalReportJson(const GroupEvalReport& report, int indent = 2);

}  // namespace neardup

#endif  // NEARDUP_EVAL_H_
