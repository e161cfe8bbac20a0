// Evaluate(): labels the listed pairs from the truth, dedupes them, ranks them and computes every
// metric in one pass over the ranking (plus one cheap pass for the per-family recalls).
#include <algorithm>
#include <array>
#include <cassert>
#include <cmath>
#include <limits>
#include <map>
#include <string>

#include "eval/radix_sort.h"
#include "neardup/eval.h"

namespace neardup {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A pair's label: kIgnoredLabel, kNegativeLabel, or 1 + the family index of a positive.
constexpr int32_t kIgnoredLabel = -1;
constexpr int32_t kNegativeLabel = 0;

// The truth as dense per-image arrays, and the positive count of each family.
class Labeler {
 public:
  explicit Labeler(const Benchmark& bench) {
    const auto& images = bench.images();
    const size_t n = images.size();
    group_.assign(n, -1);
    role_.resize(n);
    family_.assign(n, -1);
    std::map<std::string, int32_t> group_ids;
    std::map<std::string, int32_t> family_ids;
    for (size_t i = 0; i < n; ++i) {
      role_[i] = images[i].role;
      if (!images[i].group.empty()) {
        group_[i] = group_ids.emplace(images[i].group, int32_t(group_ids.size())).first->second;
      }
      if (images[i].role == BenchRole::kCopy) {
        family_ids.emplace(images[i].family.empty() ? kUnknownFamily : images[i].family, 0);
      }
    }
    for (auto& [name, id] : family_ids) {
      id = int32_t(families_.size());
      families_.push_back(name);
    }
    for (size_t i = 0; i < n; ++i) {
      if (role_[i] == BenchRole::kCopy) {
        family_[i] = family_ids.at(images[i].family.empty() ? kUnknownFamily : images[i].family);
      }
    }

    // Positives per group: originals x copies (per family), and every pair of originals and
    // naturals.
    struct GroupCount {
      int64_t originals = 0, naturals = 0;
      std::vector<int64_t> copies;
    };
    std::vector<GroupCount> groups(group_ids.size());
    for (size_t i = 0; i < n; ++i) {
      if (group_[i] < 0) continue;
      GroupCount& g = groups[group_[i]];
      if (role_[i] == BenchRole::kOriginal) ++g.originals;
      if (role_[i] == BenchRole::kNatural) ++g.naturals;
      if (role_[i] == BenchRole::kCopy) {
        if (g.copies.empty()) g.copies.assign(families_.size(), 0);
        ++g.copies[family_[i]];
      }
    }
    positives_.assign(families_.size(), 0);
    int64_t natural = 0;
    for (const GroupCount& g : groups) {
      for (size_t f = 0; f < g.copies.size(); ++f) positives_[f] += g.originals * g.copies[f];
      const int64_t m = g.originals + g.naturals;
      natural += m * (m - 1) / 2;
    }
    if (natural > 0) {
      natural_ = int32_t(families_.size());
      families_.push_back(kNaturalFamily);
      positives_.push_back(natural);
    }
    // Pairs of ignore.csv are out of scoring, so out of the positive count too.
    for (const auto& [a, b] : bench.ignored()) {
      const int32_t label = BaseLabel(a, b);
      if (label > 0) --positives_[label - 1];
    }
  }

  // The label of a pair of distinct images, without ignore.csv.
  int32_t BaseLabel(int32_t a, int32_t b) const {
    const int32_t g = group_[a];
    if (g < 0 || g != group_[b]) return kNegativeLabel;
    const BenchRole ra = role_[a], rb = role_[b];
    if (ra == BenchRole::kCopy && rb == BenchRole::kCopy) return kIgnoredLabel;
    if (ra == BenchRole::kCopy || rb == BenchRole::kCopy) {
      const BenchRole other = ra == BenchRole::kCopy ? rb : ra;
      if (other != BenchRole::kOriginal) return kIgnoredLabel;  // copy <-> natural
      return 1 + family_[ra == BenchRole::kCopy ? a : b];
    }
    return 1 + natural_;  // original|natural <-> original|natural
  }

  const std::vector<std::string>& families() const { return families_; }
  const std::vector<int64_t>& positives() const { return positives_; }

 private:
  std::vector<int32_t> group_;   // dense group index; -1 for distractors
  std::vector<BenchRole> role_;  //
  std::vector<int32_t> family_;  // family index of copies; -1 otherwise
  std::vector<std::string> families_;
  std::vector<int64_t> positives_;  // per family
  int32_t natural_ = -1;            // family index of natural pairs
};

uint64_t PairKey(int32_t a, int32_t b) {
  const uint32_t lo = uint32_t(std::min(a, b)), hi = uint32_t(std::max(a, b));
  return (uint64_t{lo} << 32) | hi;
}

// A deduplicated, non-ignored pair in rank order: key = ~OrderedBits(score), so ascending keys
// are descending scores.
struct RankedPair {
  uint64_t key;
  int32_t label;     // kNegativeLabel or 1 + family
  bool distractors;  // a negative of two distractors (left out under kQuerySide)
};

double ScoreOf(const RankedPair& p) { return eval::FromOrderedBits(~p.key); }

OperatingPoint MakePoint(double threshold, int64_t tp, int64_t fp, int64_t positives) {
  OperatingPoint op;
  op.threshold = threshold;
  op.true_positives = tp;
  op.false_positives = fp;
  op.precision = tp + fp > 0 ? double(tp) / double(tp + fp) : kNaN;
  op.recall = positives > 0 ? double(tp) / double(positives) : 0.0;
  op.f1 = tp > 0 ? 2.0 * double(tp) / double(tp + fp + positives) : 0.0;
  return op;
}

// The upper envelope of the curve's corners (recall ascending), then downsampled so that kept
// points are at least `step` apart in |dr| + |dp|. The envelope is monotone, so its L1 length is
// at most 2 and at most 2 / step + 2 points remain; the first and last are always kept.
std::vector<PrPoint> EnvelopeCurve(const std::vector<OperatingPoint>& corners, int max_points) {
  std::vector<PrPoint> envelope;
  double best = -1;
  for (auto it = corners.rbegin(); it != corners.rend(); ++it) {
    if (it->precision > best) {
      best = it->precision;
      envelope.push_back({it->recall, it->precision, it->threshold});
    }
  }
  std::reverse(envelope.begin(), envelope.end());
  max_points = std::max(max_points, 4);
  if (int64_t(envelope.size()) <= max_points) return envelope;
  const double step = 2.0 / double(max_points - 2);
  std::vector<PrPoint> out = {envelope.front()};
  for (size_t i = 1; i + 1 < envelope.size(); ++i) {
    const PrPoint& last = out.back();
    if (std::abs(envelope[i].recall - last.recall) +
            std::abs(envelope[i].precision - last.precision) >=
        step) {
      out.push_back(envelope[i]);
    }
  }
  out.push_back(envelope.back());
  return out;
}

}  // namespace

EvalReport Evaluate(const Benchmark& bench, PairsInput input, const EvalOptions& options) {
  EvalReport report;
  report.images = int64_t(bench.images().size());
  report.lines = input.lines;
  report.unmatched_lines = input.unmatched_lines;
  report.malformed_lines = input.malformed_lines;
  report.problems = std::move(input.problems);
  report.listed_pairs = int64_t(input.pairs.size());

  const Labeler labeler(bench);
  const size_t num_families = labeler.families().size();
  for (int64_t p : labeler.positives()) report.positives += p;
  report.no_positives = report.positives == 0;

  // Dedupe: sort by unordered pair, keep each pair's highest score.
  std::vector<ListedPair>& pairs = input.pairs;
  const size_t num_images = bench.images().size();
  size_t kept = 0;
  for (const ListedPair& p : pairs) {
    assert(p.a >= 0 && size_t(p.a) < num_images && p.b >= 0 && size_t(p.b) < num_images);
    (void)num_images;
    if (p.a == p.b) {
      ++report.self_pairs;
      continue;
    }
    pairs[kept++] = p;
  }
  pairs.resize(kept);
  eval::RadixSortByKey(&pairs, [](const ListedPair& p) { return PairKey(p.a, p.b); });
  size_t unique = 0;
  for (size_t i = 0; i < pairs.size();) {
    const uint64_t key = PairKey(pairs[i].a, pairs[i].b);
    double score = pairs[i].score;
    size_t j = i + 1;
    for (; j < pairs.size() && PairKey(pairs[j].a, pairs[j].b) == key; ++j) {
      score = std::max(score, pairs[j].score);
    }
    pairs[unique++] = {pairs[i].a, pairs[i].b, score};
    i = j;
  }
  pairs.resize(unique);
  report.duplicate_pairs = int64_t(kept - unique);

  // Label. Both lists are sorted by pair key, so ignore.csv is a merge.
  std::vector<int64_t> listed(num_families, 0);
  std::vector<RankedPair> ranked;
  ranked.reserve(pairs.size());
  const auto& ignored = bench.ignored();
  const auto& images = bench.images();
  int64_t other_negatives = 0;  // negatives that are not two distractors
  size_t ig = 0;
  for (const ListedPair& p : pairs) {
    const uint64_t key = PairKey(p.a, p.b);
    while (ig < ignored.size() && PairKey(ignored[ig].first, ignored[ig].second) < key) ++ig;
    int32_t label = labeler.BaseLabel(p.a, p.b);
    if (ig < ignored.size() && PairKey(ignored[ig].first, ignored[ig].second) == key) {
      label = kIgnoredLabel;
    }
    if (label == kIgnoredLabel) {
      ++report.ignored_listed;
      continue;
    }
    const bool distractors = label == kNegativeLabel &&
                             images[p.a].role == BenchRole::kDistractor &&
                             images[p.b].role == BenchRole::kDistractor;
    if (distractors) {
      ++report.distractor_pairs_listed;
    } else if (label == kNegativeLabel) {
      ++other_negatives;
    } else {
      ++report.positives_listed;
      ++listed[label - 1];
    }
    ranked.push_back({~eval::OrderedBits(p.score), label, distractors});
  }
  std::vector<ListedPair>().swap(pairs);  // free before the second sort

  // Rank: score descending; ties are handled per run of equal scores below.
  eval::RadixSortByKey(&ranked, [](const RankedPair& p) { return p.key; });

  // One pass over the ranking for both protocols; they differ only in whether pairs of two
  // distractors count as negatives.
  constexpr int kAll = int(EvalProtocol::kAllPairs);
  const int chosen = int(options.protocol);
  auto counts_as_negative = [](int protocol, const RankedPair& p) {
    return p.label == kNegativeLabel && (protocol == kAll || !p.distractors);
  };
  const int64_t positives = report.positives;
  std::array<int64_t, kNumEvalProtocols> tp{}, fp{};
  std::array<double, kNumEvalProtocols> precision_sum{};
  std::array<ProtocolFigures, kNumEvalProtocols>& figures = report.protocols;
  std::vector<OperatingPoint> corners;  // of the chosen protocol, after each run with a positive
  for (size_t i = 0; i < ranked.size();) {
    const uint64_t key = ranked[i].key;
    int64_t run_pos = 0, run_neg = 0, run_distractors = 0;
    size_t j = i;
    for (; j < ranked.size() && ranked[j].key == key; ++j) {
      if (ranked[j].label != kNegativeLabel) {
        ++run_pos;
      } else {
        (ranked[j].distractors ? run_distractors : run_neg) += 1;
      }
    }
    for (int p = 0; p < kNumEvalProtocols; ++p) {
      // Within a run of equal scores the negatives rank first: ties never help.
      fp[p] += run_neg + (p == kAll ? run_distractors : 0);
      for (int64_t k = 0; k < run_pos; ++k) {
        ++tp[p];
        precision_sum[p] += double(tp[p]) / double(tp[p] + fp[p]);
      }
      if (run_pos == 0) continue;
      const OperatingPoint op = MakePoint(ScoreOf(ranked[i]), tp[p], fp[p], positives);
      if (p == chosen) corners.push_back(op);
      ProtocolFigures& f = figures[p];
      if (!f.best_f1 || op.f1 > f.best_f1->f1) f.best_f1 = op;
      if (op.precision >= kPrecision99 &&
          (!f.recall_at_p99 || op.recall > f.recall_at_p99->recall)) {
        f.recall_at_p99 = op;
      }
      if (op.precision >= kPrecision999 &&
          (!f.recall_at_p999 || op.recall > f.recall_at_p999->recall)) {
        f.recall_at_p999 = op;
      }
    }
    i = j;
  }
  for (int p = 0; p < kNumEvalProtocols; ++p) {
    figures[p].protocol = EvalProtocol(p);
    figures[p].micro_ap = positives > 0 ? precision_sum[p] / double(positives) : 0.0;
    figures[p].negatives_listed =
        other_negatives + (p == kAll ? report.distractor_pairs_listed : 0);
  }
  report.pr_curve = EnvelopeCurve(corners, options.max_curve_points);

  // Per-family recall at the chosen protocol's P >= 0.99 point and at the given threshold.
  const ProtocolFigures& main = figures[chosen];
  std::vector<int64_t> found_p99(num_families, 0), found_t(num_families, 0);
  int64_t t_tp = 0;
  std::array<int64_t, kNumEvalProtocols> t_fp{};
  const double p99_threshold = main.recall_at_p99 ? main.recall_at_p99->threshold : kNaN;
  for (const RankedPair& p : ranked) {
    const double score = ScoreOf(p);
    if (options.threshold && score >= *options.threshold) {
      if (p.label != kNegativeLabel) {
        ++t_tp;
        ++found_t[p.label - 1];
      }
      for (int k = 0; k < kNumEvalProtocols; ++k) t_fp[k] += counts_as_negative(k, p);
    }
    if (p.label != kNegativeLabel && score >= p99_threshold) ++found_p99[p.label - 1];
  }
  if (options.threshold) {
    for (int k = 0; k < kNumEvalProtocols; ++k) {
      figures[k].at_threshold = MakePoint(*options.threshold, t_tp, t_fp[k], positives);
    }
  }
  report.protocol = options.protocol;
  report.negatives_listed = main.negatives_listed;
  if (options.protocol == EvalProtocol::kQuerySide) {
    report.ignored_listed += report.distractor_pairs_listed;
  }
  report.micro_ap = main.micro_ap;
  report.best_f1 = main.best_f1;
  report.recall_at_p99 = main.recall_at_p99;
  report.recall_at_p999 = main.recall_at_p999;
  report.at_threshold = main.at_threshold;
  for (size_t f = 0; f < num_families; ++f) {
    report.families.push_back(
        {labeler.families()[f], labeler.positives()[f], listed[f], found_p99[f], found_t[f]});
  }
  return report;
}

}  // namespace neardup
