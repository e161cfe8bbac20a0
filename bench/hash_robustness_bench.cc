// How well each perceptual hash of include/neardup/hash.h survives common edits, measured on
// images of the training packages (shared/data/TRAINING-SOURCES.md).
//
//   hash_robustness_bench --list FILE[:COUNT]... [--n 300] [--seed 1] [--negatives 50000]
//                         [--threads 2] [--closest 5]
//                         [--negatives-list FILE[:COUNT]... [--neg-n 5000] [--neg-max-side 512]
//                          [--neg-min-side 64] [--sweep-closest 20] [--closest-dir DIR]]
//
// Each list file holds image paths, one a line (scripts/fetch_training_images.sh writes them);
// COUNT originals are drawn from it (default: what is left of --n, shared among the lists without
// a count). Drawing is seeded and round-robin over directories, because sibling files are often
// frames of one object (freedroidrpg renders 30 rotations per item). Each original is decoded at
// full size by the library's DecodeFile (neardup/decode.h: EXIF orientation applied, alpha
// composited over white, or over black when the visible content is light), downscaled so its long
// side is <= 1024 (neardup::Resize), and skipped if its short side is < 128 px, if it is flat, if
// an earlier original is of its family (neardup::FamilyKey, the key of the train / held-out split:
// innermost folder + the file name's leading letters), or if its 16x16 grey thumbnail, whole or
// centre square, correlates with an earlier original's at |r| > 0.95 (one design at several sizes),
// so that the negatives below are not near-duplicates.
//
// Positives: each original against 15 edited copies of itself, made with the library's edits
// (neardup/augment.h and neardup/preprocess.h, the functions the augment families apply) except
// "rotate 5° (border)" and "caption bar", which no augment family does (its rotate keeps the size
// and cuts the corners; its caption adds a band instead of covering the bottom). Negatives: pairs
// of different originals (all pairs when there are fewer than --negatives, else a seeded sample).
// Methods: ahash, dhash, phash, whash (64 bits), pdq (256 bits) and pdq8, the smallest distance
// between the 8 dihedral PDQ hashes of the first image and the plain PDQ hash of the second (how a
// query is matched against a catalogue when rotations and mirrors should be found).
//
// Prints Markdown on stdout: per method the largest threshold (bits) whose false-positive rate on
// the negatives is <= 0.1% and <= 0.01% with its FP count, recall per edit at the 0.1% threshold,
// mean normalised distance per edit, PDQ quality figures and the closest negative pairs (to spot
// duplicates the selection missed). Progress goes to stderr. Deterministic for a given seed.
//
// With --negatives-list FILE[:COUNT] (repeatable; --neg-n N shared among lists without a count,
// default 5000) it also draws thousands of further images (downscaled to --neg-max-side 512,
// short side >= --neg-min-side 64, de-duplicated against the pool as the originals are, plus
// rotated/mirrored thumbnail copies and .../l10n/LANG/ copies), makes every pair of originals and
// these images a negative (millions of pairs), and prints per method a threshold sweep (FP pairs,
// FPR, recall per edit family) measured as `neardup find` measures (pdq8 symmetric; pdq/pdq8 also
// with find's quality rule), the precision in a 1,000-image folder with 100 duplicate pairs, the
// largest threshold with precision >= 0.99, the same on large images only, and the closest
// negative pairs (--sweep-closest 20; contact sheets in --closest-dir DIR).
#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <unordered_set>
#include <vector>

#include "hash_robustness/common.h"
#include "neardup/hash.h"
#include "neardup/image.h"

namespace hash_robustness {
namespace {

[[noreturn]] void Usage(const char* msg) {
  std::fprintf(stderr,
               "error: %s\nusage: hash_robustness_bench --list FILE[:COUNT]... [--n N] [--seed S] "
               "[--negatives M] [--threads T] [--closest K]\n"
               "       [--negatives-list FILE[:COUNT]... [--neg-n N] [--neg-max-side PX] "
               "[--neg-min-side PX] [--sweep-closest K] [--closest-dir DIR]]\n",
               msg);
  std::exit(2);
}

Options ParseArgs(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) Usage(("missing value after " + a).c_str());
      return argv[++i];
    };
    auto list_spec = [&]() {
      std::string v = value();
      ListSpec spec{v, -1};
      const size_t colon = v.rfind(':');
      if (colon != std::string::npos && colon + 1 < v.size() &&
          v.find_first_not_of("0123456789", colon + 1) == std::string::npos) {
        spec.path = v.substr(0, colon);
        spec.count = std::stoi(v.substr(colon + 1));
      }
      return spec;
    };
    if (a == "--list") {
      o.lists.push_back(list_spec());
    } else if (a == "--negatives-list") {
      o.neg_lists.push_back(list_spec());
    } else if (a == "--neg-n") {
      o.neg_n = std::stoi(value());
    } else if (a == "--neg-max-side") {
      o.neg_max_side = std::stoi(value());
    } else if (a == "--neg-min-side") {
      o.neg_min_side = std::stoi(value());
    } else if (a == "--sweep-closest") {
      o.sweep_closest = std::stoi(value());
    } else if (a == "--closest-dir") {
      o.closest_dir = value();
    } else if (a == "--n") {
      o.n = std::stoi(value());
    } else if (a == "--seed") {
      o.seed = std::stoull(value());
    } else if (a == "--negatives") {
      o.negatives = std::stoi(value());
    } else if (a == "--threads") {
      o.threads = std::max(1, std::stoi(value()));
    } else if (a == "--closest") {
      o.closest = std::stoi(value());
    } else {
      Usage(("unknown argument " + a).c_str());
    }
  }
  if (o.lists.empty()) Usage("at least one --list is required");
  return o;
}

// ---- statistics ----

// Largest threshold t (bits) with at most floor(fpr * negatives) negatives at distance <= t;
// -1 when even t = 0 has more.
int ThresholdAtFpr(const std::vector<int>& neg, int bits, double fpr, int* fp_count) {
  std::vector<int64_t> hist(bits + 2, 0);
  for (int d : neg) ++hist[d];
  const int64_t allowed = int64_t(std::floor(fpr * double(neg.size())));
  int64_t cum = 0;
  int t = -1;
  *fp_count = 0;
  for (int d = 0; d <= bits; ++d) {
    cum += hist[d];
    if (cum > allowed) break;
    t = d;
    *fp_count = int(cum);
  }
  return t;
}

double Recall(const std::vector<int>& pos, int t) {
  if (pos.empty()) return 0;
  return double(std::count_if(pos.begin(), pos.end(), [&](int d) { return d <= t; })) / pos.size();
}

double MeanNormalised(const std::vector<int>& v, int bits) {
  if (v.empty()) return 0;
  double s = 0;
  for (int d : v) s += d;
  return s / v.size() / bits;
}

int Main(int argc, char** argv) {
  const Options opt = ParseArgs(argc, argv);
  const auto t0 = std::chrono::steady_clock::now();
  std::mt19937_64 rng(opt.seed);

  std::vector<Thumb> original_thumbs;
  std::set<std::string> original_families;
  std::vector<Original> originals = SelectOriginals(opt, rng, &original_thumbs, &original_families);
  const int n = int(originals.size());
  if (n < 2) {
    std::fprintf(stderr, "error: fewer than 2 usable originals\n");
    return 1;
  }
  const auto t1 = std::chrono::steady_clock::now();

  // Hash every original and its edited copies.
  const std::vector<Edit>& edits = Edits();
  const int n_edits = int(edits.size());
  std::vector<Hashes> hashes(n);
  // pos[e][m][i]: distance of original i to its copy under edit e, method m.
  std::vector<std::array<std::vector<int>, kMethods>> pos(n_edits);
  for (auto& per_method : pos) {
    for (auto& v : per_method) v.assign(n, 0);
  }
  // With --negatives-list, also the distances as `neardup find` measures them (pdq8 symmetric)
  // and the lower PDQ quality of each pair, for the threshold sweep.
  const bool sweep = !opt.neg_lists.empty();
  SweepPositives sweep_pos;
  if (sweep) {
    sweep_pos.d.resize(n_edits);
    sweep_pos.min_quality.resize(n_edits);
    for (int e = 0; e < n_edits; ++e) {
      for (auto& v : sweep_pos.d[e]) v.assign(n, 0);
      sweep_pos.min_quality[e].assign(n, 0);
    }
  }
  std::atomic<int> done{0};
  ParallelFor(n, opt.threads, [&](int i) {
    const Image& m = originals[i].image;
    hashes[i] = HashAll(m, /*dihedral=*/true);
    for (int e = 0; e < n_edits; ++e) {
      const Hashes copy = HashAll(edits[e].apply(m), /*dihedral=*/sweep);
      const std::array<int, kMethods> d = Distances(hashes[i], copy);
      for (int k = 0; k < kMethods; ++k) pos[e][k][i] = d[k];
      if (sweep) {
        const std::array<int, kMethods> ds = FindDistances(hashes[i], copy);
        for (int k = 0; k < kMethods; ++k) sweep_pos.d[e][k][i] = ds[k];
        sweep_pos.min_quality[e][i] = std::min(hashes[i].pdq.quality, copy.pdq.quality);
      }
    }
    const int c = ++done;
    if (c % 50 == 0) std::fprintf(stderr, "hashed %d/%d originals\n", c, n);
  });
  std::vector<int> original_short;
  for (Original& o : originals) {
    original_short.push_back(std::min(o.image.width, o.image.height));
    o.image = Image();
  }
  const auto t2 = std::chrono::steady_clock::now();

  // Negative pairs (i < j): all of them, or a seeded sample without repetition.
  std::vector<std::pair<int, int>> pairs;
  const int64_t all_pairs = int64_t(n) * (n - 1) / 2;
  if (all_pairs <= opt.negatives) {
    for (int i = 0; i < n; ++i) {
      for (int j = i + 1; j < n; ++j) pairs.emplace_back(i, j);
    }
  } else {
    std::unordered_set<int64_t> seen;
    std::uniform_int_distribution<int> pick(0, n - 1);
    while (int(pairs.size()) < opt.negatives) {
      int i = pick(rng), j = pick(rng);
      if (i == j) continue;
      if (i > j) std::swap(i, j);
      if (seen.insert(int64_t(i) * n + j).second) pairs.emplace_back(i, j);
    }
  }
  std::array<std::vector<int>, kMethods> neg;
  for (auto& v : neg) v.reserve(pairs.size());
  int64_t neg_low_quality = 0;
  for (const auto& [i, j] : pairs) {
    const std::array<int, kMethods> d = Distances(hashes[i], hashes[j]);
    for (int k = 0; k < kMethods; ++k) neg[k].push_back(d[k]);
    if (std::min(hashes[i].pdq.quality, hashes[j].pdq.quality) < kMinQuality) ++neg_low_quality;
  }
  const auto t3 = std::chrono::steady_clock::now();

  // ---- report ----
  auto secs = [](auto a, auto b) { return std::chrono::duration<double>(b - a).count(); };
  std::printf("## Hash robustness\n\n");
  std::printf(
      "%d originals, %d edits each (%d positive pairs), %zu negative pairs of different "
      "originals%s; seed %llu.\n\n",
      n, n_edits, n * n_edits, pairs.size(), all_pairs <= opt.negatives ? " (all)" : "",
      static_cast<unsigned long long>(opt.seed));
  std::printf("| source list | originals |\n| --- | ---: |\n");
  for (size_t li = 0; li < opt.lists.size(); ++li) {
    const std::string& p = opt.lists[li].path;
    std::printf("| %s | %ld |\n", p.substr(p.rfind('/') + 1).c_str(),
                (long)std::count_if(originals.begin(), originals.end(),
                                    [&](const Original& o) { return o.list == int(li); }));
  }

  int t_1e3[kMethods], t_1e4[kMethods], fp_1e3[kMethods], fp_1e4[kMethods];
  for (int k = 0; k < kMethods; ++k) {
    t_1e3[k] = ThresholdAtFpr(neg[k], kMethodBits[k], 1e-3, &fp_1e3[k]);
    t_1e4[k] = ThresholdAtFpr(neg[k], kMethodBits[k], 1e-4, &fp_1e4[k]);
  }
  std::printf("\n### Thresholds on the negatives\n\n");
  std::printf(
      "Threshold t: the largest Hamming distance (bits) at which at most 0.1%% (0.01%%) of "
      "the negative pairs match; FP = negatives at distance <= t; recall and precision "
      "pool all edits (every positive counted once per edit).\n\n");
  std::printf(
      "| method | bits | t @ FPR<=0.1%% | FP | recall | precision | t @ FPR<=0.01%% | FP "
      "| recall | precision |\n");
  std::printf("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
  for (int k = 0; k < kMethods; ++k) {
    std::printf("| %s | %d", kMethodNames[k], kMethodBits[k]);
    for (int level = 0; level < 2; ++level) {
      const int t = level == 0 ? t_1e3[k] : t_1e4[k];
      const int fp = level == 0 ? fp_1e3[k] : fp_1e4[k];
      int64_t tp = 0, total = 0;
      for (int e = 0; e < n_edits; ++e) {
        for (int d : pos[e][k]) {
          tp += d <= t;
          ++total;
        }
      }
      const double precision = tp + fp ? double(tp) / double(tp + fp) : 1.0;
      if (t < 0) {
        std::printf(" | none | - | - | -");
        continue;
      }
      std::printf(" | %d (%.3f) | %d | %.3f | %.4f", t, double(t) / kMethodBits[k], fp,
                  double(tp) / double(total), precision);
    }
    std::printf(" |\n");
  }

  auto table = [&](const char* title, const std::function<double(int, int)>& cell,
                   const char* fmt) {
    std::printf("\n### %s\n\n| edit |", title);
    for (const char* m : kMethodNames) std::printf(" %s |", m);
    std::printf("\n| --- |");
    for (int k = 0; k < kMethods; ++k) std::printf(" ---: |");
    std::printf("\n");
    for (int e = 0; e < n_edits; ++e) {
      std::printf("| %s |", edits[e].name);
      for (int k = 0; k < kMethods; ++k) {
        const double v = cell(e, k);
        if (std::isnan(v)) {
          std::printf(" n/a |");
        } else {
          std::printf(fmt, v);
        }
      }
      std::printf("\n");
    }
  };
  table(
      "Recall at the FPR <= 0.1% threshold",
      [&](int e, int k) { return t_1e3[k] < 0 ? NAN : Recall(pos[e][k], t_1e3[k]); }, " %.2f |");
  {
    std::printf("| **all edits** |");
    for (int k = 0; k < kMethods; ++k) {
      double s = 0;
      for (int e = 0; e < n_edits; ++e) s += Recall(pos[e][k], t_1e3[k]);
      if (t_1e3[k] < 0) {
        std::printf(" n/a |");
      } else {
        std::printf(" **%.2f** |", s / n_edits);
      }
    }
    std::printf("\n");
  }
  table(
      "Mean normalised distance (bits / hash bits)",
      [&](int e, int k) { return MeanNormalised(pos[e][k], kMethodBits[k]); }, " %.3f |");
  std::printf("| *negatives* |");
  for (int k = 0; k < kMethods; ++k)
    std::printf(" *%.3f* |", MeanNormalised(neg[k], kMethodBits[k]));
  std::printf("\n");

  const int low_q = int(std::count_if(hashes.begin(), hashes.end(),
                                      [](const Hashes& h) { return h.pdq.quality < kMinQuality; }));
  std::printf("\n### PDQ quality\n\n");
  std::printf("- originals with PDQ quality < %d: %d of %d (%.1f%%)\n", kMinQuality, low_q, n,
              100.0 * low_q / n);
  std::printf("- negative pairs with at least one side of quality < %d: %.1f%%\n", kMinQuality,
              100.0 * double(neg_low_quality) / double(pairs.size()));
  // A method that maps many unrelated images to one hash (e.g. a median threshold on a band that
  // is mostly flat background) shows here, and gets no threshold at a low FPR.
  std::printf("\n### Negative pairs at distance 0\n\n");
  for (int k = 0; k < kMethods; ++k) {
    const auto zeros = std::count(neg[k].begin(), neg[k].end(), 0);
    std::printf("- %s: %ld (%.2f%%)\n", kMethodNames[k], long(zeros),
                100.0 * double(zeros) / double(pairs.size()));
  }

  if (opt.closest > 0) {
    std::vector<size_t> idx(pairs.size());
    for (size_t i = 0; i < idx.size(); ++i) idx[i] = i;
    const size_t k = std::min<size_t>(opt.closest, idx.size());
    std::partial_sort(idx.begin(), idx.begin() + k, idx.end(), [&](size_t a, size_t b) {
      return std::tie(neg[kPdq8][a], a) < std::tie(neg[kPdq8][b], b);
    });
    std::printf("\n### Closest negative pairs by pdq8 (check they are not duplicates)\n\n");
    auto shortp = [](const std::string& p) {
      const size_t at = p.find("/pkgs/");
      return at == std::string::npos ? p : p.substr(at + 6);
    };
    for (size_t r = 0; r < k; ++r) {
      const auto& [i, j] = pairs[idx[r]];
      std::printf("- pdq8 %d bits (pdq %d): `%s` (q %d) vs `%s` (q %d)\n", neg[kPdq8][idx[r]],
                  neg[kPdq][idx[r]], shortp(originals[i].path).c_str(), hashes[i].pdq.quality,
                  shortp(originals[j].path).c_str(), hashes[j].pdq.quality);
    }
  }
  std::fprintf(stderr, "time: select %.1f s, hash %.1f s, negatives %.1f s (%d threads)\n",
               secs(t0, t1), secs(t1, t2), secs(t2, t3), opt.threads);
  if (sweep) {
    std::vector<PoolImage> pool;
    for (int i = 0; i < n; ++i) {
      pool.push_back({originals[i].path, -1, hashes[i], original_short[i]});
    }
    std::vector<QThumb> qthumbs;
    for (const Thumb& t : original_thumbs) qthumbs.push_back(Quantise(t));
    LargeNegatives(opt, sweep_pos, pool, qthumbs, original_families);
  }
  return 0;
}

}  // namespace
}  // namespace hash_robustness

int main(int argc, char** argv) { return hash_robustness::Main(argc, argv); }
