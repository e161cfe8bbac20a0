// Issue 5's self-join at scale: all pairs within a Hamming radius among N random 256-bit codes
// with planted near-duplicates, through HammingSelfJoin (multi-index hashing on large sets).
// Prints time, peak memory, pairs found and recall of the planted pairs; optionally checks the
// result against the brute-force join on the first `check` items.
//
//   selfjoin_bench [n=1000000] [radius=31] [planted=10000] [threads=2] [check=0]
//
// Planted pair p: item n-1-p is a copy of a random earlier item with 0..radius random bits
// flipped, so every planted pair is within the radius.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <set>
#include <utility>
#include <vector>

#include "neardup/search.h"

namespace {

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

long PeakRssKb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t n = argc > 1 ? std::atoll(argv[1]) : 1000000;
  const int radius = argc > 2 ? std::atoi(argv[2]) : 31;
  const int64_t planted = argc > 3 ? std::atoll(argv[3]) : 10000;
  const int threads = argc > 4 ? std::atoi(argv[4]) : 2;
  const int64_t check = argc > 5 ? std::atoll(argv[5]) : 0;
  if (n < 2 || planted < 0 || planted >= n / 2 || radius < 0) {
    std::fprintf(stderr, "usage: selfjoin_bench [n] [radius] [planted < n/2] [threads] [check]\n");
    return 1;
  }
  std::mt19937_64 rng(1);
  std::vector<uint64_t> codes(size_t(n) * 4);
  for (uint64_t& w : codes) w = rng();
  std::set<std::pair<int64_t, int64_t>> truth;
  for (int64_t p = 0; p < planted; ++p) {
    const int64_t dst = n - 1 - p;
    const int64_t src = int64_t(rng() % uint64_t(n - planted));
    for (int w = 0; w < 4; ++w) codes[dst * 4 + w] = codes[src * 4 + w];
    const int flips = int(rng() % uint64_t(radius + 1));
    for (int f = 0; f < flips; ++f) {
      const int bit = int(rng() % 256);
      codes[dst * 4 + bit / 64] ^= uint64_t{1} << (bit % 64);
    }
    truth.insert({src, dst});
  }
  const long rss_before = PeakRssKb();
  neardup::CodeSet set{codes.data(), n, 4, 1};
  const double t0 = Now();
  std::vector<neardup::ScoredPair> pairs = neardup::HammingSelfJoin(set, radius, threads);
  const double seconds = Now() - t0;
  int64_t found = 0;
  for (const auto& p : pairs) found += truth.count({p.a, p.b});
  std::printf("n %lld, 256-bit codes, radius %d, %d threads: %.2f s, %zu pairs, planted recall "
              "%.4f (%lld / %lld), peak RSS %.0f MB (codes alone %.0f MB; %.0f MB before the "
              "join)\n",
              (long long)n, radius, threads, seconds, pairs.size(),
              planted ? double(found) / double(planted) : 1.0, (long long)found,
              (long long)planted, PeakRssKb() / 1024.0, codes.size() * 8 / 1048576.0,
              rss_before / 1024.0);
  if (check > 1) {
    neardup::CodeSet head{codes.data(), std::min(check, n), 4, 1};
    std::vector<std::vector<neardup::Neighbor>> nn =
        neardup::HammingRadius(head, head, radius, threads);
    std::set<std::pair<int64_t, int64_t>> brute, mih;
    for (int64_t i = 0; i < head.n; ++i) {
      for (const auto& x : nn[i]) {
        if (x.id > i) brute.insert({i, x.id});
      }
    }
    for (const auto& p : pairs) {
      if (p.b < head.n) mih.insert({p.a, p.b});
    }
    std::printf("check on the first %lld items: brute force %zu pairs, join %zu, %s\n",
                (long long)head.n, brute.size(), mih.size(),
                brute == mih ? "identical" : "DIFFERENT");
  }
  return 0;
}
