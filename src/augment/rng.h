// Private to the library: the seeded random source behind every edit (src/augment/), also used
// for the trainer's draws (src/nn/), and the stable FNV-1a hash of names and bytes.
//
// Only std::mt19937_64 (whose output sequence the C++ standard fixes) and our own arithmetic on its
// 64-bit words are used: std::uniform_*_distribution and std::normal_distribution differ between
// standard libraries, and augmentations must reproduce from a logged seed anywhere.
#ifndef NEARDUP_SRC_AUGMENT_RNG_H_
#define NEARDUP_SRC_AUGMENT_RNG_H_

#include <cassert>
#include <cmath>
#include <cstdint>
#include <random>
#include <string_view>

namespace neardup::augment_internal {

// Sebastiano Vigna's splitmix64 finaliser: a bijective 64-bit mix with good avalanche.
inline uint64_t SplitMix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// An independent seed for the sub-stream `key` of `seed` (a family, a chain step).
inline uint64_t DeriveSeed(uint64_t seed, uint64_t key) {
  return SplitMix64(seed ^ SplitMix64(key ^ 0x6a09e667f3bcc909ULL));
}

// 64-bit FNV-1a of `bytes`, continuing from `h` (so a long input can be hashed in pieces).
inline constexpr uint64_t kFnv1aOffset = 0xcbf29ce484222325ULL;
inline uint64_t Fnv1a64(std::string_view bytes, uint64_t h = kFnv1aOffset) {
  for (unsigned char c : bytes) h = (h ^ c) * 0x100000001b3ULL;
  return h;
}

// A stable key from a name (family names never change; enum values might).
inline uint64_t NameKey(std::string_view name) { return Fnv1a64(name); }

// Rounds to 3 decimals: parameters are logged and used at this precision.
inline double Round3(double v) { return std::round(v * 1000.0) / 1000.0; }

class Rng {
 public:
  explicit Rng(uint64_t seed) : engine_(seed) {}

  // Uniform in [0, 1), 53 bits.
  double Uniform01() { return double(engine_() >> 11) * 0x1.0p-53; }
  // Uniform in [lo, hi).
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform01(); }
  // A parameter: uniform in [lo, hi], rounded to 3 decimals (stays inside when lo and hi have at
  // most 3 decimals).
  double Param(double lo, double hi) { return Round3(Uniform(lo, hi)); }
  // Uniform integer in [lo, hi] (inclusive), unbiased (rejection sampling).
  int UniformInt(int lo, int hi) {
    assert(lo <= hi);
    const uint64_t range = uint64_t(int64_t(hi) - lo) + 1;
    const uint64_t limit = UINT64_MAX - UINT64_MAX % range;
    uint64_t r;
    do {
      r = engine_();
    } while (r >= limit);
    return int(int64_t(lo) + int64_t(r % range));
  }
  bool Bernoulli(double p) { return Uniform01() < p; }
  // Standard normal (Box-Muller; the second value of each pair is kept for the next call).
  double Normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double u1 = 1.0 - Uniform01();  // (0, 1]: log is finite
    const double u2 = Uniform01();
    const double r = std::sqrt(-2.0 * std::log(u1));
    spare_ = r * std::sin(2.0 * M_PI * u2);
    has_spare_ = true;
    return r * std::cos(2.0 * M_PI * u2);
  }

 private:
  std::mt19937_64 engine_;
  double spare_ = 0;
  bool has_spare_ = false;
};

}  // namespace neardup::augment_internal

#endif  // NEARDUP_SRC_AUGMENT_RNG_H_
