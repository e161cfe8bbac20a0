// Fits the fused score (include/neardup/fuse.h) on a benchmark and prints what the candidate
// sources and the verification achieve there.
//
//   build/bench/fuse_fit_bench BENCH_DIR [key=value ...]
//
// keys: any integer field of FuseOptions (hash_neighbors, hash_max_bits, hash_join_bits,
// vote_keypoints, vote_max_bits, vote_neighbors, min_votes, trusted_bits, min_keypoints,
// learned_neighbors), method (default fused; fused:<learned> adds the learned source and fits
// the cosine's weights c too; its models are found as `find` finds them),
// threads, cache (a descriptor cache file; default BENCH_DIR/../fuse-cache.sqlite), monotone
// (default 1: evidence weights kept non-negative), dump (a CSV of every labelled candidate).
//
// Prints: the recall of the candidate list per family (which positives any source proposed),
// per-source counts, the seconds of each stage and per verified pair, then the two logistic
// models fitted by Newton's method (L2 1e-3) on the candidate pairs, as the C++ initialiser of
// src/fuse/fuse_model.cc. Positives and negatives follow eval.h (copy<->copy pairs are ignored).
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "bench_util.h"
#include "fuse/candidates.h"
#include "neardup/eval.h"
#include "neardup/find.h"
#include "neardup/fuse.h"
#include "neardup/registry.h"

namespace neardup::bench {
namespace {

// Logistic regression by Newton's method: rows of x (with a leading 1), labels y.
std::vector<double> FitLogistic(const std::vector<std::vector<double>>& x,
                                const std::vector<int>& y) {
  const size_t d = x.empty() ? 0 : x[0].size();
  std::vector<double> w(d, 0.0);
  for (int iter = 0; iter < 50; ++iter) {
    std::vector<double> grad(d, 0.0), hess(d * d, 0.0);
    for (size_t i = 0; i < x.size(); ++i) {
      double z = 0;
      for (size_t k = 0; k < d; ++k) z += w[k] * x[i][k];
      const double p = 1 / (1 + std::exp(-z));
      for (size_t k = 0; k < d; ++k) {
        grad[k] += (p - y[i]) * x[i][k];
        for (size_t l = 0; l < d; ++l) hess[k * d + l] += p * (1 - p) * x[i][k] * x[i][l];
      }
    }
    for (size_t k = 0; k < d; ++k) {
      grad[k] += 1e-3 * w[k];
      hess[k * d + k] += 1e-3;
    }
    // Solve hess * step = grad (Gaussian elimination with partial pivoting).
    std::vector<double> a = hess, b = grad;
    for (size_t c = 0; c < d; ++c) {
      size_t piv = c;
      for (size_t r = c + 1; r < d; ++r) {
        if (std::fabs(a[r * d + c]) > std::fabs(a[piv * d + c])) piv = r;
      }
      for (size_t l = 0; l < d; ++l) std::swap(a[c * d + l], a[piv * d + l]);
      std::swap(b[c], b[piv]);
      for (size_t r = c + 1; r < d; ++r) {
        const double f = a[r * d + c] / a[c * d + c];
        for (size_t l = c; l < d; ++l) a[r * d + l] -= f * a[c * d + l];
        b[r] -= f * b[c];
      }
    }
    std::vector<double> step(d);
    for (size_t c = d; c-- > 0;) {
      double s = b[c];
      for (size_t l = c + 1; l < d; ++l) s -= a[c * d + l] * step[l];
      step[c] = s / a[c * d + c];
    }
    double change = 0;
    for (size_t k = 0; k < d; ++k) {
      w[k] -= step[k];
      change += std::fabs(step[k]);
    }
    if (change < 1e-8) break;
  }
  return w;
}

// The features of FusedScore (fuse.h), the learned cosine last when `learned`.
std::vector<double> VerifiedRow(const PairEvidence& e, bool learned) {
  const Verification& v = e.verification;
  const double match = v.match ? 1.0 : 0.0;
  std::vector<double> row = {1.0,
                             e.hash_bits / 256.0,
                             match,
                             match * std::log1p(v.inliers),
                             match * v.coverage,
                             std::log1p(e.votes)};
  if (learned) row.push_back(e.cosine == kNoCosine ? 0.0 : e.cosine);
  return row;
}
std::vector<double> HashRow(const PairEvidence& e, bool learned) {
  const double d = e.pixel_diff < 0 ? 1.0 : std::min(e.pixel_diff, 64.0) / 64;
  std::vector<double> row = {1.0, e.hash_bits / 256.0, e.low_quality ? 1.0 : 0.0,
                             e.low_information ? d : 0.0};
  if (learned) row.push_back(e.cosine == kNoCosine ? 0.0 : e.cosine);
  return row;
}

int Main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: fuse_fit_bench BENCH_DIR [key=value ...]\n");
    return 2;
  }
  const std::string dir = argv[1];
  FuseOptions o;
  int threads = 0;
  int candidates_only = 0;
  // Keep the weights of the verification's evidence (match, log inliers, coverage, log votes)
  // non-negative: a column whose weight comes out negative is dropped and the model refitted, so
  // the score never falls as evidence grows (what a person reading `explain` expects).
  int monotone = 1;
  std::string cache = dir + "/../fuse-cache.sqlite";
  std::string dump;  // a CSV of every labelled candidate's evidence, for analysis
  std::string method_name = "fused";
  std::map<std::string, int*> keys = {{"hash_neighbors", &o.hash_neighbors},
                                      {"hash_max_bits", &o.hash_max_bits},
                                      {"hash_join_bits", &o.hash_join_bits},
                                      {"vote_keypoints", &o.vote_keypoints},
                                      {"vote_max_bits", &o.vote_max_bits},
                                      {"vote_neighbors", &o.vote_neighbors},
                                      {"min_votes", &o.min_votes},
                                      {"trusted_bits", &o.trusted_bits},
                                      {"min_keypoints", &o.min_keypoints},
                                      {"learned_neighbors", &o.learned_neighbors},
                                      {"threads", &threads},
                                      {"min_votes_to_verify", &o.min_votes_to_verify},
                                      {"verify_keypoints", &o.verify_keypoints},
                                      {"vote_index_keypoints", &o.vote_index_keypoints},
                                      {"vote_probes", &o.vote_probes},
                                      {"quick_keypoints", &o.quick_keypoints},
                                      {"quick_accept_inliers", &o.quick_accept_inliers},
                                      {"quick_reject_matches", &o.quick_reject_matches},
                                      {"candidates_only", &candidates_only},
                                      {"monotone", &monotone}};
  for (int i = 2; i < argc; ++i) {
    std::string arg = argv[i];
    const size_t eq = arg.find('=');
    if (eq == std::string::npos) return std::fprintf(stderr, "bad argument %s\n", argv[i]), 2;
    if (arg.substr(0, eq) == "cache") {
      cache = arg.substr(eq + 1);
    } else if (arg.substr(0, eq) == "dump") {
      dump = arg.substr(eq + 1);
    } else if (arg.substr(0, eq) == "method") {
      method_name = arg.substr(eq + 1);
    } else if (keys.count(arg.substr(0, eq))) {
      *keys[arg.substr(0, eq)] = std::atoi(arg.c_str() + eq + 1);
    } else {
      return std::fprintf(stderr, "unknown key %s\n", arg.c_str()), 2;
    }
  }
  StatusOr<Benchmark> bench = LoadBenchmark(dir);
  if (!bench.ok()) return std::fprintf(stderr, "%s\n", bench.status().message().c_str()), 1;
  auto method = MakeMethod(method_name);
  if (!method.ok()) return std::fprintf(stderr, "%s\n", method.status().message().c_str()), 1;
  const bool learned = method_name != "fused";
  if (learned) o.model = DefaultLearnedFuseModel();
  ScanOptions so;
  so.inputs = {dir + "/images"};
  so.method = method_name;
  so.threads = threads;
  so.cache_path = cache;
  double t0 = NowSeconds();
  StatusOr<ScanResult> scan = Scan(so, **method);
  if (!scan.ok()) return std::fprintf(stderr, "%s\n", scan.status().message().c_str()), 1;
  const double t_scan = NowSeconds() - t0;
  std::vector<const Descriptor*> items;
  std::vector<int32_t> ids;
  for (const ScannedFile& f : scan->files) {
    items.push_back(&f.descriptor);
    ids.push_back(bench->MapPath(f.path));
  }
  {
    // The candidate sources on their own (FusedPairs below runs them again, then verifies).
    std::vector<fuse_internal::ItemKeys> features;
    std::vector<uint64_t> codes;
    for (size_t i = 0; i < items.size(); ++i) {
      features.push_back(fuse_internal::KeysOf(items[i]->local, o));
      codes.insert(codes.end(), items[i]->bits.begin(), items[i]->bits.end());
    }
    double t = NowSeconds();
    auto hashed = fuse_internal::HashCandidates(CodeSet{codes.data(), int64_t(items.size()), 4, 8},
                                                o, threads);
    const double t_hash = NowSeconds() - t;
    t = NowSeconds();
    auto voted = fuse_internal::VoteCandidates(
        int64_t(features.size()), [&](int64_t i) { return features[i]; }, o, threads);
    const double t_votes = NowSeconds() - t;
    t = NowSeconds();
    std::vector<float> vectors;
    const int dim = items.empty() ? 0 : int(items[0]->values.size());
    for (const Descriptor* d : items) {
      if (int(d->values.size()) == dim) {
        vectors.insert(vectors.end(), d->values.begin(), d->values.end());
      } else {
        vectors.insert(vectors.end(), size_t(dim), 0.0f);
      }
    }
    auto nearest = fuse_internal::LearnedCandidates(
        VectorSet{vectors.data(), int64_t(items.size()), dim}, o, threads);
    std::printf(
        "sources: hash %zu pairs in %.2f s, votes %zu pairs in %.2f s, learned %zu pairs in "
        "%.2f s\n",
        hashed.size(), t_hash, voted.size(), t_votes, nearest.size(), NowSeconds() - t);
    if (candidates_only) {
      // Recall of each source alone, per family.
      std::map<std::string, std::array<int, 4>> fam;  // hash, votes, learned, all
      auto key = [&](const fuse_internal::Candidate& c) {
        return std::pair{std::min(ids[c.a], ids[c.b]), std::max(ids[c.a], ids[c.b])};
      };
      std::set<std::pair<int32_t, int32_t>> h, v, l;
      for (const auto& c : hashed) h.insert(key(c));
      for (const auto& c : voted) v.insert(key(c));
      for (const auto& c : nearest) l.insert(key(c));
      int n = int(bench->images().size());
      for (int32_t x = 0; x < n; ++x) {
        for (int32_t y = x + 1; y < n; ++y) {
          if (bench->images()[x].group.empty() ||
              bench->images()[x].group != bench->images()[y].group)
            continue;
          std::string family;
          if (ClassifyPair(*bench, x, y, &family) != PairKind::kPositive) continue;
          auto& f = fam[family];
          f[0] += h.count({x, y}) > 0;
          f[1] += v.count({x, y}) > 0;
          f[2] += l.count({x, y}) > 0;
          f[3] += 1;
        }
      }
      std::printf("%-20s %6s %6s %7s\n", "family", "hash", "votes", "learned");
      for (const auto& [family, f] : fam) {
        std::printf("%-20s %6.3f %6.3f %7.3f\n", family.c_str(), double(f[0]) / f[3],
                    double(f[1]) / f[3], double(f[2]) / f[3]);
      }
      return 0;
    }
  }
  t0 = NowSeconds();
  StatusOr<std::vector<PairEvidence>> pairs = FusedPairs(items, o, threads);
  if (!pairs.ok()) return std::fprintf(stderr, "%s\n", pairs.status().message().c_str()), 1;
  const double t_pairs = NowSeconds() - t0;

  // Candidate recall per family, and what each source found.
  std::map<std::string, std::pair<int, int>> family_recall;  // family -> (found, all)
  std::map<std::pair<int32_t, int32_t>, const PairEvidence*> by_pair;
  for (const PairEvidence& e : *pairs) {
    by_pair[{std::min(ids[e.a], ids[e.b]), std::max(ids[e.a], ids[e.b])}] = &e;
  }
  const auto& images = bench->images();
  std::map<std::string, std::vector<int32_t>> groups;
  for (int32_t i = 0; i < int32_t(images.size()); ++i) {
    if (!images[i].group.empty()) groups[images[i].group].push_back(i);
  }
  for (const auto& [g, members] : groups) {
    for (size_t x = 0; x < members.size(); ++x) {
      for (size_t y = x + 1; y < members.size(); ++y) {
        std::string family;
        if (ClassifyPair(*bench, members[x], members[y], &family) != PairKind::kPositive) continue;
        auto& fr = family_recall[family];
        ++fr.second;
        if (by_pair.count({members[x], members[y]})) ++fr.first;
      }
    }
  }
  int found = 0, all = 0;
  std::printf("candidate recall per family (positives proposed by any source):\n");
  for (const auto& [family, fr] : family_recall) {
    std::printf("  %-20s %5d / %5d  %.3f\n", family.c_str(), fr.first, fr.second,
                double(fr.first) / fr.second);
    found += fr.first;
    all += fr.second;
  }
  int verified = 0, fallback = 0, voted = 0;
  for (const PairEvidence& e : *pairs) {
    verified += e.verified;
    fallback += e.fallback;
    voted += e.votes > 0;
  }
  std::printf(
      "all positives: %d / %d proposed (%.4f); candidates %zu (%.1f per image), %d with "
      "votes, %d verified, %d fallback (too few keypoints)\n",
      found, all, double(found) / all, pairs->size(), double(pairs->size()) / items.size(), voted,
      verified, fallback);
  std::printf(
      "seconds: scan %.1f (%zu images, %lld decoded), candidates + verification %.1f "
      "(%d threads)\n",
      t_scan, items.size(), (long long)scan->decoded, t_pairs, threads);

  // Time per verified pair, one thread, on up to 500 verified candidates.
  {
    int timed = 0;
    const double t = NowSeconds();
    for (const PairEvidence& e : *pairs) {
      if (!e.verified || timed >= 500) continue;
      (void)FusePair(*items[e.a], *items[e.b], o);
      ++timed;
    }
    if (timed > 0) {
      std::printf("one thread: %.2f ms per verified pair (parse both + verify, %d pairs)\n",
                  1000 * (NowSeconds() - t) / timed, timed);
    }
  }

  // Fit both models on the labelled candidates.
  std::vector<std::vector<double>> xv, xg;
  std::vector<int> yv, yg;
  for (const PairEvidence& e : *pairs) {
    if (ids[e.a] < 0 || ids[e.b] < 0) continue;
    const PairKind kind = ClassifyPair(*bench, ids[e.a], ids[e.b]);
    if (kind == PairKind::kIgnored) continue;
    const int label = kind == PairKind::kPositive;
    if (e.verified) {
      xv.push_back(VerifiedRow(e, learned));
      yv.push_back(label);
    } else {
      xg.push_back(HashRow(e, learned));
      yg.push_back(label);
    }
  }
  if (!dump.empty()) {
    FILE* f = std::fopen(dump.c_str(), "w");
    if (f == nullptr) return std::fprintf(stderr, "cannot write %s\n", dump.c_str()), 1;
    std::fprintf(
        f,
        "a,b,label,family,hash_bits,low_quality,votes,verified,match,inliers,matches,"
        "vscore,spread,mirrored,coverage_a,coverage_b,low_information,pixel_diff,mirrored_votes,"
        "cosine\n");
    for (const PairEvidence& e : *pairs) {
      if (ids[e.a] < 0 || ids[e.b] < 0) continue;
      std::string family;
      const PairKind kind = ClassifyPair(*bench, ids[e.a], ids[e.b], &family);
      if (kind == PairKind::kIgnored) continue;
      const Verification& v = e.verification;
      std::fprintf(f, "%s,%s,%d,%s,%d,%d,%d,%d,%d,%d,%d,%.4f,%.4f,%d,%.4f,%.4f,%d,%.2f,%d,%.4f\n",
                   images[ids[e.a]].path.c_str(), images[ids[e.b]].path.c_str(),
                   kind == PairKind::kPositive, family.c_str(), e.hash_bits, e.low_quality, e.votes,
                   e.verified, v.match, v.inliers, v.matches, v.score, v.spread, v.mirrored,
                   v.coverage_a, v.coverage_b, e.low_information, e.pixel_diff, e.mirrored_votes,
                   e.cosine);
    }
    std::fclose(f);
  }
  std::vector<double> wv = FitLogistic(xv, yv);
  const std::vector<double> wg = FitLogistic(xg, yg);
  for (bool dropped = true; monotone && dropped && wv.size() >= 6;) {
    dropped = false;
    for (int k = 2; k < int(wv.size()); ++k) {
      if (wv[k] >= 0) continue;
      std::printf("weight %d came out %.4f: column dropped (monotone=1)\n", k, wv[k]);
      for (auto& row : xv) row[k] = 0;
      dropped = true;
    }
    if (dropped) wv = FitLogistic(xv, yv);
  }
  // Average precision of the fitted verified model over the labelled verified candidates.
  {
    std::vector<std::pair<double, int>> scored;
    for (size_t i = 0; i < xv.size(); ++i) {
      double z = 0;
      for (size_t k = 0; k < wv.size(); ++k) z += wv[k] * xv[i][k];
      scored.push_back({-z, yv[i]});
    }
    std::sort(scored.begin(), scored.end());
    double tp = 0, fp = 0, ap = 0, positives = 0;
    for (const auto& [z, y] : scored) {
      if (y) {
        ++tp;
        ap += tp / (tp + fp);
      } else {
        ++fp;
      }
    }
    positives = tp;
    if (positives > 0) std::printf("AP of the verified model on its candidates: %.4f\n", ap / positives);
  }
  std::printf("fitted on %zu verified and %zu hash-only labelled candidates:\n", xv.size(),
              xg.size());
  std::printf("      /*v=*/{%.4f, %.4f, %.4f, %.4f, %.4f, %.4f},\n", wv[0], wv[1], wv[2], wv[3],
              wv[4], wv[5]);
  if (wg.size() >= 4) {
    std::printf("      /*g=*/{%.4f, %.4f, %.4f, %.4f},\n", wg[0], wg[1], wg[2], wg[3]);
  }
  if (learned && wv.size() == 7 && wg.size() == 5) {
    std::printf("      /*c=*/{%.4f, %.4f},\n", wv[6], wg[4]);
  }
  return 0;
}

}  // namespace
}  // namespace neardup::bench

int main(int argc, char** argv) { return neardup::bench::Main(argc, argv); }
