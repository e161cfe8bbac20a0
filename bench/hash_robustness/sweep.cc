// The large negative set (--negatives-list): every pair of the pool scored per method and
// variant, the threshold sweep, precision in a realistic folder, and the closest negative pairs.
#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <set>
#include <string>
#include <system_error>
#include <thread>
#include <tuple>
#include <vector>

#include "hash_robustness/common.h"
#include "image/cv_image.h"
#include "neardup/decode.h"
#include "neardup/find.h"
#include "neardup/hash.h"
#include "neardup/image.h"

namespace hash_robustness {
namespace {

// Images whose short side is at least this form the "large images" subset (like the originals).
constexpr int kLargeSide = 128;

// Variants of the sweep: the six methods on all pairs, and pdq/pdq8 with find's quality rule.
enum Variant {
  kVAhash,
  kVDhash,
  kVPhash,
  kVWhash,
  kVPdq,
  kVPdqRule,
  kVPdq8,
  kVPdq8Rule,
  kVariants
};
const char* const kVariantNames[kVariants] = {"ahash",
                                              "dhash",
                                              "phash",
                                              "whash",
                                              "pdq (all pairs)",
                                              "pdq (find's quality rule)",
                                              "pdq8 (all pairs)",
                                              "pdq8 (find's quality rule)"};
const char* const kVariantFiles[kVariants] = {"ahash",   "dhash",    "phash",    "whash",
                                              "pdq-all", "pdq-rule", "pdq8-all", "pdq8-rule"};
const int kVariantMethod[kVariants] = {kAhash, kDhash, kPhash, kWhash, kPdq, kPdq, kPdq8, kPdq8};
constexpr bool VariantHasRule(int v) { return v == kVPdqRule || v == kVPdq8Rule; }

// find's quality rule (kMinQuality, common.h): below it a pair matches only at distance <= this.
constexpr int kLowQualityBits = neardup::kLowQualityMaxBits;

// Whether a pair at distance d whose lower PDQ quality is q matches at threshold t.
bool Matches(int v, int d, int q, int t) {
  if (d > t) return false;
  return !VariantHasRule(v) || q >= kMinQuality || d <= kLowQualityBits;
}

struct Close {
  int d, i, j;
  bool operator<(const Close& o) const { return std::tie(d, i, j) < std::tie(o.d, o.i, o.j); }
};

// One-sided 95% upper bound of a Poisson mean given k events (bisection; normal approximation
// for large k).
double PoissonUpper95(int64_t k) {
  if (k > 2000) return double(k) + 1.645 * std::sqrt(double(k)) + 1.0;
  auto cdf = [k](double lambda) {  // P(X <= k)
    double term = std::exp(-lambda), sum = term;
    for (int64_t i = 1; i <= k; ++i) {
      term *= lambda / double(i);
      sum += term;
    }
    return sum;
  };
  double lo = double(k), hi = double(k) + 10.0 + 5.0 * std::sqrt(double(k) + 1.0);
  for (int it = 0; it < 100; ++it) {
    const double mid = 0.5 * (lo + hi);
    (cdf(mid) > 0.05 ? lo : hi) = mid;
  }
  return hi;
}

std::string ShortPath(const std::string& p) {
  const size_t at = p.find("/pkgs/");
  return at == std::string::npos ? p : p.substr(at + 6);
}

// A contact sheet of pairs: each pair side by side on grey, its rank and distance below.
void WriteSheet(const std::string& file, const std::vector<Close>& pairs,
                const std::vector<PoolImage>& pool, const char* title) {
  constexpr int kCell = 120, kGap = 4, kLabel = 16, kCols = 4, kMargin = 8;
  const int pair_w = 2 * kCell + kGap, pair_h = kCell + kLabel;
  const int rows = (int(pairs.size()) + kCols - 1) / kCols;
  cv::Mat sheet(24 + rows * (pair_h + kMargin), kCols * (pair_w + kMargin) + kMargin, CV_8UC3,
                cv::Scalar(255, 255, 255));
  cv::putText(sheet, title, cv::Point(kMargin, 17), cv::FONT_HERSHEY_SIMPLEX, 0.5,
              cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
  for (size_t r = 0; r < pairs.size(); ++r) {
    const int x0 = kMargin + int(r % kCols) * (pair_w + kMargin);
    const int y0 = 24 + int(r / kCols) * (pair_h + kMargin);
    for (int side = 0; side < 2; ++side) {
      const cv::Rect cell(x0 + side * (kCell + kGap), y0, kCell, kCell);
      sheet(cell).setTo(cv::Scalar(128, 128, 128));
      const Image img = LoadOriginal(pool[side ? pairs[r].j : pairs[r].i].path, 512);
      if (img.pixels.empty()) continue;
      const cv::Mat m = neardup::image_internal::AsMat(img);  // RGB, as the sheet
      const double s = std::min(double(kCell) / m.cols, double(kCell) / m.rows);
      cv::Mat t;
      cv::resize(m, t, cv::Size(std::max(1, int(m.cols * s)), std::max(1, int(m.rows * s))), 0, 0,
                 s < 1 ? cv::INTER_AREA : cv::INTER_NEAREST);
      t.copyTo(sheet(
          cv::Rect(cell.x + (kCell - t.cols) / 2, cell.y + (kCell - t.rows) / 2, t.cols, t.rows)));
    }
    const std::string label = "#" + std::to_string(r + 1) + "  d=" + std::to_string(pairs[r].d);
    cv::putText(sheet, label, cv::Point(x0, y0 + kCell + 12), cv::FONT_HERSHEY_SIMPLEX, 0.4,
                cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
  }
  const neardup::Status written =
      neardup::WriteImage(file, neardup::image_internal::FromMat(sheet), 80);
  if (!written.ok()) std::fprintf(stderr, "warning: %s\n", written.ToString().c_str());
}

}  // namespace

void LargeNegatives(const Options& opt, const SweepPositives& P, std::vector<PoolImage>& pool,
                    std::vector<QThumb>& qthumbs, std::set<std::string>& families) {
  const auto t0 = std::chrono::steady_clock::now();
  const int n_orig = int(pool.size());
  const std::vector<NegListStats> stats = SelectNegatives(opt, pool, qthumbs, families);
  const int n_pool = int(pool.size());
  const auto t1 = std::chrono::steady_clock::now();

  // All pairs of the pool: distance histograms split by the pair's lower PDQ quality (< 50 or
  // not), and the closest pairs per variant (pdq/pdq8 rule variants: pairs find would report).
  const int K = std::max(0, opt.sweep_closest);
  // Subset 0: all pairs; subset 1: pairs of two large images (short side >= kLargeSide).
  constexpr int kSubsets = 2;
  struct Acc {
    std::array<std::array<std::vector<int64_t>, kMethods>, kSubsets> hist_hq, hist_lq;
    std::array<std::array<std::vector<Close>, kVariants>, kSubsets> heap;
  };
  std::vector<Acc> acc(opt.threads);
  for (Acc& a : acc) {
    for (int sub = 0; sub < kSubsets; ++sub) {
      for (int k = 0; k < kMethods; ++k) {
        a.hist_hq[sub][k].assign(kMethodBits[k] + 1, 0);
        a.hist_lq[sub][k].assign(kMethodBits[k] + 1, 0);
      }
    }
  }
  std::atomic<int> next{0};
  auto worker = [&](int tid) {
    Acc& a = acc[tid];
    auto offer = [&](int sub, int v, int d, int i, int j) {
      std::vector<Close>& h = a.heap[sub][v];
      const Close c{d, i, j};
      if (int(h.size()) < K) {
        h.push_back(c);
        std::push_heap(h.begin(), h.end());
      } else if (K > 0 && c < h.front()) {
        std::pop_heap(h.begin(), h.end());
        h.back() = c;
        std::push_heap(h.begin(), h.end());
      }
    };
    for (int i = next++; i < n_pool; i = next++) {
      const Hashes& hi = pool[i].hashes;
      for (int j = i + 1; j < n_pool; ++j) {
        const Hashes& hj = pool[j].hashes;
        const std::array<int, kMethods> d = FindDistances(hi, hj);
        const bool low = std::min(hi.pdq.quality, hj.pdq.quality) < kMinQuality;
        const bool large = std::min(pool[i].short_side, pool[j].short_side) >= kLargeSide;
        for (int sub = 0; sub < (large ? 2 : 1); ++sub) {
          auto& hist = low ? a.hist_lq[sub] : a.hist_hq[sub];
          for (int k = 0; k < kMethods; ++k) ++hist[k][d[k]];
          for (int v = 0; v < kVariants; ++v) {
            const int dv = d[kVariantMethod[v]];
            if (VariantHasRule(v) && low && dv > kLowQualityBits) continue;
            const auto& heap = a.heap[sub][v];
            if (int(heap.size()) < K || dv <= heap.front().d) offer(sub, v, dv, i, j);
          }
        }
      }
    }
  };
  {
    std::vector<std::thread> threads;
    for (int t = 1; t < opt.threads; ++t) threads.emplace_back(worker, t);
    worker(0);
    for (std::thread& t : threads) t.join();
  }
  auto hist_hq = acc[0].hist_hq, hist_lq = acc[0].hist_lq;
  std::array<std::array<std::vector<Close>, kVariants>, kSubsets> closest;
  for (const Acc& a : acc) {
    for (int sub = 0; sub < kSubsets; ++sub) {
      for (int k = 0; k < kMethods; ++k) {
        for (int d = 0; d <= kMethodBits[k] && &a != &acc[0]; ++d) {
          hist_hq[sub][k][d] += a.hist_hq[sub][k][d];
          hist_lq[sub][k][d] += a.hist_lq[sub][k][d];
        }
      }
      for (int v = 0; v < kVariants; ++v) {
        closest[sub][v].insert(closest[sub][v].end(), a.heap[sub][v].begin(), a.heap[sub][v].end());
      }
    }
  }
  for (auto& per_sub : closest) {
    for (auto& c : per_sub) {
      std::sort(c.begin(), c.end());
      if (int(c.size()) > K) c.resize(K);
    }
  }
  std::array<int64_t, kSubsets> sub_pairs{}, sub_low{};
  for (int sub = 0; sub < kSubsets; ++sub) {
    for (int64_t c : hist_lq[sub][kPdq]) sub_low[sub] += c;
    for (int64_t c : hist_hq[sub][kPdq]) sub_pairs[sub] += c;
    sub_pairs[sub] += sub_low[sub];
  }
  const int64_t n_pairs = sub_pairs[0], n_low = sub_low[0];
  int n_large = 0;
  for (const PoolImage& p : pool) n_large += p.short_side >= kLargeSide;
  const auto t2 = std::chrono::steady_clock::now();

  // FP(v, t): negative pairs that match at threshold t.
  auto fp_sub = [&](int sub, int v, int t) {
    const int k = kVariantMethod[v];
    int64_t s = 0;
    for (int d = 0; d <= std::min(t, kMethodBits[k]); ++d) {
      s += hist_hq[sub][k][d];
      if (!VariantHasRule(v) || d <= kLowQualityBits) s += hist_lq[sub][k][d];
    }
    return s;
  };
  auto fp = [&](int v, int t) { return fp_sub(0, v, t); };
  const std::vector<Edit>& edits = Edits();
  const int n_edits = int(edits.size());
  const int n = int(P.min_quality.empty() ? 0 : P.min_quality[0].size());
  auto recall_edit = [&](int v, int e, int t) {
    int64_t hit = 0;
    for (int i = 0; i < n; ++i) {
      hit += Matches(v, P.d[e][kVariantMethod[v]][i], P.min_quality[e][i], t);
    }
    return n ? double(hit) / n : 0.0;
  };
  // Edit families (columns), and the edits a hash is meant to survive ("easy").
  struct Family {
    const char* name;
    std::vector<int> edits;
  };
  const std::vector<Family> fams = {{"resize", {0, 1}}, {"JPEG", {2, 3}}, {"crop", {4, 5, 6, 7}},
                                    {"rot90", {8}},     {"rot5", {9}},    {"mirror", {10}},
                                    {"grey", {11}},     {"gamma", {12}},  {"caption", {13}},
                                    {"blur", {14}}};
  auto easy_edits = [&](int v) {
    std::vector<int> e = {0, 1, 2, 3, 11, 12, 13, 14};
    if (kVariantMethod[v] == kPdq8) e.insert(e.end(), {8, 10});
    return e;
  };
  auto mean_recall = [&](int v, const std::vector<int>& es, int t) {
    double s = 0;
    for (int e : es) s += recall_edit(v, e, t);
    return es.empty() ? 0.0 : s / double(es.size());
  };
  std::vector<int> all_edits(n_edits);
  for (int e = 0; e < n_edits; ++e) all_edits[e] = e;
  // The realistic folder: 1,000 images, 100 near-duplicate pairs, 500,000 unrelated pairs.
  constexpr double kPositives = 100, kNegatives = 500000;
  auto precision_sub = [&](int sub, double recall, double fp_pairs) {
    const double tp = recall * kPositives, f = fp_pairs / double(sub_pairs[sub]) * kNegatives;
    return tp + f > 0 ? tp / (tp + f) : 1.0;
  };
  auto precision = [&](double recall, double fp_pairs) {
    return precision_sub(0, recall, fp_pairs);
  };

  auto secs = [](auto a, auto b) { return std::chrono::duration<double>(b - a).count(); };
  std::printf("\n## Thresholds on a large negative set\n\n");
  std::printf(
      "Negative pool: the %d originals above plus %d images drawn from the lists below (long "
      "side <= %d px, short side >= %d px, not flat, no family or thumbnail near-copy |r| > %.2f "
      "of an image already in the pool); every pair of the pool is a negative: %lld pairs. "
      "Distances are measured as `neardup find` does (pdq8: any dihedral hash of one image "
      "against the plain hash of the other, both ways). Pairs with at least one side of PDQ "
      "quality < %d: %lld (%.1f%%).\n\n",
      n_orig, n_pool - n_orig, opt.neg_max_side, opt.neg_min_side, kDupCorrelation,
      (long long)n_pairs, kMinQuality, (long long)n_low, 100.0 * double(n_low) / double(n_pairs));
  std::printf(
      "| negatives list | drawn | skipped: small | flat | same family | thumbnail near-copy | "
      "undecodable |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
  for (size_t li = 0; li < opt.neg_lists.size(); ++li) {
    const std::string& p = opt.neg_lists[li].path;
    const NegListStats& s = stats[li];
    std::printf("| %s | %d | %d | %d | %d | %d | %d |\n", p.substr(p.rfind('/') + 1).c_str(), s.got,
                s.small, s.flat, s.family, s.near, s.bad);
  }
  std::printf(
      "\nPositives: the %d originals x %d edits above. \"easy\" recall is the mean over resize "
      "50%%/25%%, JPEG q30/q10, greyscale, gamma, caption bar, blur (plus rotate 90° and mirror "
      "for pdq8). Precision is for a folder of 1,000 images with 100 near-duplicate pairs and "
      "500,000 unrelated pairs: TP = easy recall x 100, FP = FPR x 500,000; \"prec. (FP 95%% "
      "up)\" uses the one-sided 95%% Poisson upper bound of the FP count instead. "
      "find's quality rule: a pair in which either image has PDQ quality < %d matches only at "
      "distance <= %d bits.\n",
      n, n_edits, kMinQuality, kLowQualityBits);

  const std::vector<int> pdq_grid = {8, 12, 16, 20, 24, 28, 31, 32, 34, 36, 40, 44, 48, 56, 64};
  for (int v = 0; v < kVariants; ++v) {
    const int k = kVariantMethod[v];
    std::vector<int> grid;
    if (k == kPdq || k == kPdq8) {
      grid = pdq_grid;
    } else {
      for (int t = 0; t <= 16; ++t) grid.push_back(t);
    }
    std::printf("\n### %s\n\n| T | FP pairs | FPR |", kVariantNames[v]);
    for (const Family& f : fams) std::printf(" %s |", f.name);
    std::printf(" easy | all | precision | prec. (FP 95%% up) |\n| ---: | ---: | ---: |");
    for (size_t c = 0; c < fams.size() + 4; ++c) std::printf(" ---: |");
    std::printf("\n");
    for (int t : grid) {
      const int64_t f = fp(v, t);
      const double easy = mean_recall(v, easy_edits(v), t);
      std::printf("| %d | %lld | %.2e |", t, (long long)f, double(f) / double(n_pairs));
      for (const Family& fam : fams) std::printf(" %.3f |", mean_recall(v, fam.edits, t));
      std::printf(" %.3f | %.3f | %.4f | %.4f |\n", easy, mean_recall(v, all_edits, t),
                  precision(easy, double(f)), precision(easy, PoissonUpper95(f)));
    }
  }

  for (int sub = 0; sub < kSubsets; ++sub) {
    if (sub == 1) {
      std::printf(
          "\n## The same on large images only\n\n"
          "Negatives: only pairs of two pool images whose short side is >= %d px (as every "
          "original's; %d of the %d pool images, %lld pairs, %lld (%.1f%%) with a side of PDQ "
          "quality < %d): without the small sprites, tiles and icons, closer to a photo folder. "
          "Positives and recall as above.\n",
          kLargeSide, n_large, n_pool, (long long)sub_pairs[1], (long long)sub_low[1],
          100.0 * double(sub_low[1]) / double(std::max<int64_t>(1, sub_pairs[1])), kMinQuality);
      for (int v : {kVPhash, kVDhash, kVAhash, kVWhash, kVPdqRule, kVPdq8Rule}) {
        const int k = kVariantMethod[v];
        std::vector<int> grid;
        if (k == kPdq || k == kPdq8) {
          grid = pdq_grid;
        } else {
          for (int t = 0; t <= 16; t += 2) grid.push_back(t);
        }
        std::printf(
            "\n### %s, large images\n\n| T | FP pairs | FPR | easy recall | all-edit "
            "recall | precision | prec. (FP 95%% up) |\n| ---: | ---: | ---: | ---: | ---: "
            "| ---: | ---: |\n",
            kVariantNames[v]);
        for (int t : grid) {
          const int64_t f = fp_sub(1, v, t);
          const double easy = mean_recall(v, easy_edits(v), t);
          std::printf("| %d | %lld | %.2e | %.3f | %.3f | %.4f | %.4f |\n", t, (long long)f,
                      double(f) / double(sub_pairs[1]), easy, mean_recall(v, all_edits, t),
                      precision_sub(1, easy, double(f)), precision_sub(1, easy, PoissonUpper95(f)));
        }
      }
    }
    std::printf(
        "\n### Largest threshold with precision >= 0.99 (1,000 images, 100 duplicate pairs)%s\n\n"
        "Every T from 0 to the hash length is tried; \"largest T\" is the largest with precision "
        ">= 0.99, \"largest T (95%% up)\" the same with the FP upper bound. \"all below\": whether "
        "every smaller T also has precision >= 0.99.\n\n"
        "| variant | largest T | all below | FP pairs | FPR | easy recall | all-edit recall | "
        "precision | largest T (95%% up) | easy recall | precision (95%% up) |\n"
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n",
        sub == 1 ? ", large images" : "");
    for (int v = 0; v < kVariants; ++v) {
      const int bits = kMethodBits[kVariantMethod[v]];
      int best = -1, best_up = -1;
      bool monotone = true;
      for (int t = 0; t <= bits; ++t) {
        const int64_t f = fp_sub(sub, v, t);
        const double easy = mean_recall(v, easy_edits(v), t);
        if (precision_sub(sub, easy, double(f)) >= 0.99) {
          if (best != t - 1) monotone = false;
          best = t;
        }
        if (precision_sub(sub, easy, PoissonUpper95(f)) >= 0.99) best_up = t;
      }
      std::printf("| %s |", kVariantNames[v]);
      if (best < 0) {
        std::printf(" none | - | - | - | - | - | - |");
      } else {
        const int64_t f = fp_sub(sub, v, best);
        const double easy = mean_recall(v, easy_edits(v), best);
        std::printf(" %d | %s | %lld | %.2e | %.3f | %.3f | %.4f |", best, monotone ? "yes" : "no",
                    (long long)f, double(f) / double(sub_pairs[sub]), easy,
                    mean_recall(v, all_edits, best), precision_sub(sub, easy, double(f)));
      }
      if (best_up < 0) {
        std::printf(" none | - | - |\n");
      } else {
        const int64_t f = fp_sub(sub, v, best_up);
        const double easy = mean_recall(v, easy_edits(v), best_up);
        std::printf(" %d | %.3f | %.4f |\n", best_up, easy,
                    precision_sub(sub, easy, PoissonUpper95(f)));
      }
    }

    if (K > 0) {
      std::printf("\n### Closest negative pairs%s\n\n", sub == 1 ? ", large images" : "");
      std::printf(
          "Per variant the %d closest pairs (ties by pool order); for the rule variants only "
          "pairs find would report. q: PDQ quality. %s\n",
          K,
          opt.closest_dir.empty() ? ""
                                  : ("Contact sheets: " + opt.closest_dir + "/VARIANT" +
                                     (sub ? "-large" : "") + ".jpg.")
                                        .c_str());
      for (int v = 0; v < kVariants; ++v) {
        if (sub == 1 && v != kVPdqRule && v != kVPdq8Rule && v != kVPhash) continue;
        std::printf("\n#### %s%s\n\n", kVariantNames[v], sub == 1 ? ", large images" : "");
        for (size_t r = 0; r < closest[sub][v].size(); ++r) {
          const Close& c = closest[sub][v][r];
          std::printf("%zu. d %d: `%s` (q %d) vs `%s` (q %d)\n", r + 1, c.d,
                      ShortPath(pool[c.i].path).c_str(), pool[c.i].hashes.pdq.quality,
                      ShortPath(pool[c.j].path).c_str(), pool[c.j].hashes.pdq.quality);
        }
        if (!opt.closest_dir.empty()) {
          std::error_code ec;
          std::filesystem::create_directories(opt.closest_dir, ec);
          const std::string title = std::string(kVariantNames[v]) + (sub ? ", large images" : "") +
                                    ": closest negative pairs";
          WriteSheet(opt.closest_dir + "/" + kVariantFiles[v] + (sub ? "-large" : "") + ".jpg",
                     closest[sub][v], pool, title.c_str());
        }
      }
    }
  }
  std::fprintf(stderr, "time: negatives select+hash %.1f s, %lld pairs %.1f s (%d threads)\n",
               secs(t0, t1), (long long)n_pairs, secs(t1, t2), opt.threads);
}

}  // namespace hash_robustness
