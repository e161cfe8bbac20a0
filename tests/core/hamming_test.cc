#include "core/hamming.h"

#include <gtest/gtest.h>

#include <climits>
#include <random>
#include <vector>

namespace neardup {
namespace {

int NaiveDistance(const uint8_t* a, const uint8_t* b, int bytes) {
  int d = 0;
  for (int k = 0; k < bytes; ++k) {
    for (int bit = 0; bit < 8; ++bit) d += ((a[k] ^ b[k]) >> bit) & 1;
  }
  return d;
}

std::vector<uint8_t> RandomBytes(size_t n, uint64_t seed) {
  std::mt19937_64 g(seed);
  std::vector<uint8_t> out(n);
  for (auto& b : out) b = uint8_t(g());
  return out;
}

TEST(HammingTest, DistanceMatchesBitCountingForEverySize) {
  for (int bytes : {1, 7, 8, 9, 32, 61, 64}) {
    std::vector<uint8_t> a = RandomBytes(bytes, 1 + bytes), b = RandomBytes(bytes, 100 + bytes);
    EXPECT_EQ(HammingDistance(a.data(), b.data(), bytes), NaiveDistance(a.data(), b.data(), bytes))
        << bytes;
    EXPECT_EQ(HammingDistance(a.data(), a.data(), bytes), 0);
  }
  std::vector<uint8_t> zeros(32, 0), ones(32, 0xff);
  EXPECT_EQ(HammingDistance(zeros.data(), ones.data(), 32), 256);
}

TEST(HammingTest, FirstWithinFindsTheFirstCloseEnough) {
  const int bytes = 32, n = 50;
  std::vector<uint8_t> table = RandomBytes(size_t(n) * bytes, 7);
  std::vector<uint8_t> query(table.begin() + 20 * bytes, table.begin() + 21 * bytes);
  query[0] ^= 0x07;  // 3 bits from row 20
  EXPECT_EQ(FirstWithinHamming(query.data(), table.data(), n, bytes, 3), 20);
  EXPECT_EQ(FirstWithinHamming(query.data(), table.data(), n, bytes, 2), -1);
  EXPECT_EQ(FirstWithinHamming(query.data(), table.data(), 20, bytes, 3), -1);  // rows 0..19
}

TEST(HammingTest, TwoNearestAgreesWithBruteForce) {
  for (int bytes : {32, 61}) {
    const int nq = 40, nt = 300;
    std::vector<uint8_t> q = RandomBytes(size_t(nq) * bytes, 11), t = RandomBytes(size_t(nt) * bytes, 12);
    // Plant near copies so that nearest neighbours are not all at ~half the bits.
    for (int i = 0; i < nq; i += 3) {
      std::copy_n(t.begin() + size_t(5 * i) * bytes, bytes, q.begin() + size_t(i) * bytes);
      q[size_t(i) * bytes + 1] ^= 0x11;
    }
    std::vector<int> best(nq), d1(nq), d2(nq);
    TwoNearestHamming(q.data(), nq, t.data(), nt, bytes, best.data(), d1.data(), d2.data());
    for (int i = 0; i < nq; ++i) {
      int b = -1, first = INT_MAX, second = INT_MAX;
      for (int j = 0; j < nt; ++j) {
        const int d = NaiveDistance(&q[size_t(i) * bytes], &t[size_t(j) * bytes], bytes);
        if (d < first) {
          second = first;
          first = d;
          b = j;
        } else if (d < second) {
          second = d;
        }
      }
      EXPECT_EQ(best[i], b);
      EXPECT_EQ(d1[i], first);
      EXPECT_EQ(d2[i], second);
      if (i % 3 == 0) {
        EXPECT_EQ(d1[i], 2);
      }
    }
  }
  int best = 7, d1 = 0, d2 = 0;
  const uint8_t one[32] = {0};
  TwoNearestHamming(one, 1, one, 1, 32, &best, &d1, &d2);
  EXPECT_EQ(best, 0);
  EXPECT_EQ(d1, 0);
  EXPECT_EQ(d2, INT_MAX);
}

}  // namespace
}  // namespace neardup
