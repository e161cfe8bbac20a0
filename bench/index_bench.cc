// Scale benchmarks of the persistent index (issue 5), on synthetic descriptors with planted
// near-duplicates. Prints figures; never part of CI.
//
//   index_bench float [N] [QUERIES] [FACTORY] [EFFORTS]
//       N 256-d embeddings (default 1,000,000), built into a Faiss index (default HNSW32): build
//       time, bytes per vector of the saved file, and for each search effort (default
//       16,32,64,128,256) the latency p50/p99 of single queries (k = 10) and recall@10 against
//       exact search. Queries are perturbed copies of indexed vectors (copy detection).
//   index_bench hex N PLANTED OUT.txt TRUTH.csv
//       N random PDQ hashes as HEX,ID lines (the import format) with PLANTED near copies at
//       1-31 bits; TRUTH.csv lists the planted pairs (for `neardup index dups` recall).
//   index_bench recall TRUTH.csv DUPS.csv
//       Recall of the planted pairs in the output of `neardup index dups`.
//   index_bench incremental BASE ADD
//       Time to add ADD hashes (open + add + save) to an index of BASE hashes against adding
//       them to an empty index: the cost of an incremental add.
//
// Embeddings: x = normalise(A z + 0.35 e) with z in R^48 and e in R^256 standard normal, A a fixed
// random 256 x 48 matrix: descriptors of a learned model have a low intrinsic dimension; isotropic
// random vectors (the hardest case for any graph index) are reported with ISOTROPIC=1.
#include <sys/resource.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "bench_util.h"
#include "core/parallel.h"
#include "neardup/hash.h"
#include "neardup/image_index.h"
#include "neardup/search.h"
#include "search/vector_index.h"

namespace neardup {
namespace {

using bench::NowSeconds;
using search_internal::VectorIndex;

constexpr int kDim = 256;
constexpr int kLatent = 48;

std::vector<float> MakeEmbeddings(int64_t n, uint64_t seed, const std::vector<float>& A,
                                  bool isotropic) {
  std::vector<float> x(n * kDim);
  ParallelFor(n, 0, 4096, [&](int64_t begin, int64_t end, int) {
    std::mt19937_64 rng(seed * 1000003 + begin);
    std::normal_distribution<float> g;
    float z[kLatent];
    for (int64_t i = begin; i < end; ++i) {
      float* v = x.data() + i * kDim;
      for (float& t : z) t = g(rng);
      double norm = 0;
      for (int d = 0; d < kDim; ++d) {
        // Each latent term has variance kLatent; the noise 0.35^2 = 12% of that.
        float s = 0;
        if (isotropic) {
          s = g(rng);
        } else {
          for (int l = 0; l < kLatent; ++l) s += A[d * kLatent + l] * z[l];
          s += 0.35f * std::sqrt(float(kLatent)) * g(rng);
        }
        v[d] = s;
        norm += double(s) * s;
      }
      for (int d = 0; d < kDim; ++d) v[d] /= float(std::sqrt(norm));
    }
  });
  return x;
}

// A copy of `v` moved by Gaussian noise of `sigma` per component, renormalised.
void Perturb(const float* v, float* out, float sigma, std::mt19937_64& rng) {
  std::normal_distribution<float> g(0, sigma);
  double norm = 0;
  for (int d = 0; d < kDim; ++d) {
    out[d] = v[d] + g(rng);
    norm += double(out[d]) * out[d];
  }
  for (int d = 0; d < kDim; ++d) out[d] /= float(std::sqrt(norm));
}

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, size_t(p * double(v.size())))];
}

int RunFloat(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress lines appear as they are printed
  const int64_t n = argc > 2 ? std::atoll(argv[2]) : 1000000;
  const int64_t nq = argc > 3 ? std::atoll(argv[3]) : 1000;
  const std::string factory = argc > 4 ? argv[4] : "HNSW32";
  std::vector<int> efforts = {16, 32, 64, 128, 256};
  if (argc > 5) {
    efforts.clear();
    std::stringstream ss(argv[5]);
    for (std::string t; std::getline(ss, t, ',');) efforts.push_back(std::atoi(t.c_str()));
  }
  const bool isotropic = std::getenv("ISOTROPIC") != nullptr;
  std::mt19937_64 rng(42);
  std::normal_distribution<float> g;
  std::vector<float> A(kDim * kLatent);
  for (float& a : A) a = g(rng);

  double t0 = NowSeconds();
  std::vector<float> base = MakeEmbeddings(n, 1, A, isotropic);
  // 1% of the items are replaced by near copies of others (cosine ~0.97-0.99).
  for (int64_t i = 0; i < n / 100; ++i) {
    int64_t src = int64_t(rng() % uint64_t(n)), dst = int64_t(rng() % uint64_t(n));
    if (src != dst) Perturb(base.data() + src * kDim, base.data() + dst * kDim, 0.01f, rng);
  }
  std::vector<float> queries(nq * kDim);
  for (int64_t q = 0; q < nq; ++q) {
    Perturb(base.data() + int64_t(rng() % uint64_t(n)) * kDim, queries.data() + q * kDim, 0.02f,
            rng);
  }
  std::printf("data: %lld x %d floats (%s), %lld queries, %.1f s\n", (long long)n, kDim,
              isotropic ? "isotropic" : "latent 48-d + noise", (long long)nq, NowSeconds() - t0);

  // Exact top 10 of every query, brute force on all cores.
  t0 = NowSeconds();
  std::vector<std::vector<int64_t>> truth(nq);
  ParallelFor(nq, 0, 1, [&](int64_t begin, int64_t end, int) {
    for (int64_t q = begin; q < end; ++q) {
      std::vector<std::pair<float, int64_t>> best;
      const float* x = queries.data() + q * kDim;
      for (int64_t i = 0; i < n; ++i) {
        float c = Dot(x, base.data() + i * kDim, kDim);
        if (best.size() < 10) {
          best.push_back({c, i});
          std::sort(best.begin(), best.end(), std::greater<>());
        } else if (c > best.back().first) {
          best.back() = {c, i};
          std::sort(best.begin(), best.end(), std::greater<>());
        }
      }
      for (auto& b : best) truth[q].push_back(b.second);
    }
  });
  std::printf("exact top 10 of the queries: %.1f s\n", NowSeconds() - t0);

  // INDEX_FILE=path keeps the built index: a later run with the same arguments loads it instead
  // of building again (the data and queries are the same for the same N).
  const char* keep = std::getenv("INDEX_FILE");
  const std::string file =
      keep ? std::string(keep)
           : std::string(std::filesystem::temp_directory_path() / "index_bench.faiss");
  std::unique_ptr<VectorIndex> index;
  int64_t applied = 0;
  if (keep && std::filesystem::exists(file)) {
    auto loaded = VectorIndex::Load(file, &applied);
    if (!loaded.ok() || applied != n) {
      std::fprintf(stderr, "%s: not an index of these %lld vectors\n", file.c_str(), (long long)n);
      return 1;
    }
    index = std::move(loaded).value();
    std::printf("%s: loaded from %s\n", factory.c_str(), file.c_str());
  } else {
    auto created = VectorIndex::Create(factory, Metric::kCosine, kDim);
    if (!created.ok()) {
      std::fprintf(stderr, "%s\n", created.status().ToString().c_str());
      return 1;
    }
    index = std::move(created).value();
    std::vector<int64_t> ids(n);
    for (int64_t i = 0; i < n; ++i) ids[i] = i + 1;
    t0 = NowSeconds();
    if (!index->trained()) {
      const int64_t nt = std::min<int64_t>(n, std::max<int64_t>(index->min_train(), 100000));
      Status s = index->Train(VectorSet{base.data(), nt, kDim});
      if (!s.ok()) return std::fprintf(stderr, "%s\n", s.ToString().c_str()), 1;
    }
    const double t_train = NowSeconds() - t0;
    Status s = index->Add(VectorSet{base.data(), n, kDim}, ids.data());
    if (!s.ok()) return std::fprintf(stderr, "%s\n", s.ToString().c_str()), 1;
    const double t_build = NowSeconds() - t0;
    s = index->Save(file, n);
    if (!s.ok()) return std::fprintf(stderr, "%s\n", s.ToString().c_str()), 1;
    std::printf("%s: build %.1f s (training %.1f s), file %.0f bytes per vector\n", factory.c_str(),
                t_build, t_train, double(std::filesystem::file_size(file)) / double(n));
    if (!keep) std::filesystem::remove(file);
  }

  std::printf("| effort | p50 ms | p99 ms | recall@10 |\n|---|---|---|---|\n");
  for (int effort : efforts) {
    index->SetEffort(effort);
    std::vector<double> lat;
    int64_t hits = 0;
    for (int64_t q = 0; q < nq; ++q) {
      double a = NowSeconds();
      auto r = index->Search(VectorSet{queries.data() + q * kDim, 1, kDim}, 10);
      lat.push_back(1000 * (NowSeconds() - a));
      if (!r.ok()) return 1;
      std::set<int64_t> want(truth[q].begin(), truth[q].end());
      for (const Neighbor& nb : (*r)[0]) hits += want.count(nb.id - 1);
    }
    std::printf("| %d | %.3f | %.3f | %.4f |\n", effort, Percentile(lat, 0.5),
                Percentile(lat, 0.99), double(hits) / double(nq * 10));
  }
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  std::printf("peak RSS %.0f MB\n", ru.ru_maxrss / 1024.0);
  return 0;
}

Hash256 RandomHash(std::mt19937_64& rng) {
  Hash256 h;
  for (auto& w : h.w) w = rng();
  return h;
}

int RunHex(int argc, char** argv) {
  if (argc < 6) return std::fprintf(stderr, "usage: index_bench hex N PLANTED OUT TRUTH\n"), 1;
  const int64_t n = std::atoll(argv[2]), planted = std::atoll(argv[3]);
  std::mt19937_64 rng(7);
  std::ofstream out(argv[4]), truth(argv[5]);
  std::vector<Hash256> hashes;
  hashes.reserve(n);
  for (int64_t i = 0; i < n - planted; ++i) hashes.push_back(RandomHash(rng));
  truth << "a,b\n";
  for (int64_t p = 0; p < planted; ++p) {
    int64_t src = int64_t(rng() % uint64_t(n - planted));
    Hash256 h = hashes[src];
    for (int flips = 1 + int(rng() % 31); flips > 0; --flips) {
      int bit = int(rng() % 256);
      h.w[bit / 64] ^= 1ull << (bit % 64);  // may flip a bit twice: distance <= 31
    }
    hashes.push_back(h);
    truth << "id" << src << ",id" << (n - planted + p) << "\n";
  }
  for (int64_t i = 0; i < n; ++i) out << ToHex(hashes[i]) << ",id" << i << "\n";
  std::printf("wrote %lld hashes (%lld planted copies) to %s\n", (long long)n, (long long)planted,
              argv[4]);
  return 0;
}

int RunRecall(int argc, char** argv) {
  if (argc < 4) return std::fprintf(stderr, "usage: index_bench recall TRUTH DUPS\n"), 1;
  std::set<std::pair<std::string, std::string>> found;
  std::ifstream dups(argv[3]);
  std::string line;
  int64_t pairs = 0;
  while (std::getline(dups, line)) {
    size_t c1 = line.find(','), c2 = line.find(',', c1 + 1);
    if (c1 == std::string::npos || line.rfind("a,b", 0) == 0) continue;
    std::string a = line.substr(0, c1), b = line.substr(c1 + 1, c2 - c1 - 1);
    found.insert({std::min(a, b), std::max(a, b)});
    ++pairs;
  }
  std::ifstream truth(argv[2]);
  int64_t want = 0, got = 0;
  while (std::getline(truth, line)) {
    size_t c = line.find(',');
    if (line.rfind("a,b", 0) == 0 || c == std::string::npos) continue;
    std::string a = line.substr(0, c), b = line.substr(c + 1);
    ++want;
    got += found.count({std::min(a, b), std::max(a, b)});
  }
  std::printf("planted pairs found: %lld / %lld = %.4f (%lld pairs reported)\n", (long long)got,
              (long long)want, want ? double(got) / double(want) : 0.0, (long long)pairs);
  return 0;
}

// Seconds to open `dir`, add `hashes` and save.
double TimeAdd(const std::string& dir, const std::vector<ImportedHash>& hashes) {
  double t0 = NowSeconds();
  auto index = ImageIndex::Open(dir);
  if (!index.ok() || !(*index)->AddHashes(hashes).ok()) return -1;
  return NowSeconds() - t0;
}

int RunIncremental(int argc, char** argv) {
  const int64_t base = argc > 2 ? std::atoll(argv[2]) : 1000000;
  const int64_t add = argc > 3 ? std::atoll(argv[3]) : 1000;
  const std::string factory = argc > 4 ? argv[4] : "BFlat";
  std::mt19937_64 rng(9);
  auto make = [&](int64_t n, const std::string& prefix) {
    std::vector<ImportedHash> v(n);
    for (int64_t i = 0; i < n; ++i) {
      v[i].id = prefix + std::to_string(i);
      Hash256 h = RandomHash(rng);
      v[i].descriptor.bits.assign(h.w.begin(), h.w.end());
    }
    return v;
  };
  const std::string root = std::filesystem::temp_directory_path() / "index_bench_incr";
  std::filesystem::remove_all(root);
  for (const char* name : {"big", "empty"}) {
    if (!ImageIndex::Create(root + "/" + std::string(name), "pdq", factory).ok()) return 1;
  }
  double t0 = NowSeconds();
  std::vector<ImportedHash> first = make(base, "b");
  if (!(*ImageIndex::Open(root + "/big"))->AddHashes(first).ok()) return 1;
  std::printf("built %lld-hash index (%s) in %.1f s\n", (long long)base, factory.c_str(),
              NowSeconds() - t0);
  for (int round = 0; round < 3; ++round) {
    std::vector<ImportedHash> more = make(add, "r" + std::to_string(round) + "-");
    double t_big = TimeAdd(root + "/big", more);
    double t_empty = TimeAdd(root + "/empty", more);
    std::printf("add %lld: into %lld-hash index %.3f s, into a new index %.3f s (ratio %.2f)\n",
                (long long)add, (long long)base, t_big, t_empty, t_big / t_empty);
  }
  std::filesystem::remove_all(root);
  return 0;
}

}  // namespace
}  // namespace neardup

int main(int argc, char** argv) {
  std::string mode = argc > 1 ? argv[1] : "float";
  if (mode == "float") return neardup::RunFloat(argc, argv);
  if (mode == "hex") return neardup::RunHex(argc, argv);
  if (mode == "recall") return neardup::RunRecall(argc, argv);
  if (mode == "incremental") return neardup::RunIncremental(argc, argv);
  std::fprintf(stderr, "usage: index_bench float|hex|recall|incremental ...\n");
  return 1;
}
