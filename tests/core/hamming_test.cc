#include "core/hamming.h"

#include <gtest/gtest.h>

#include <climits>
#include <random>
#include <vector>

#include "neardup/hash.h"

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

TEST(HammingTest, VariantRowMatchesVariantDistance) {
  for (int words : {1, 3, 4}) {
    for (int variants : {1, 8}) {
      const int64_t n = 37;
      std::vector<uint64_t> table(size_t(n) * variants * words);
      std::mt19937_64 g(words * 10 + variants);
      for (auto& w : table) w = g();
      // Item 5 is item 0 with a few bits changed in one variant: small distances occur.
      std::copy_n(table.begin(), variants * words, table.begin() + 5 * variants * words);
      table[5 * variants * words + (variants - 1) * words] ^= 0x13;
      std::vector<int> row(n, -1);
      VariantDistanceRow(table.data(), variants, table.data(), n, variants, words, row.data());
      for (int64_t j = 0; j < n; ++j) {
        const int want = VariantDistance(table.data(), variants,
                                         table.data() + j * variants * words, variants, words);
        ASSERT_EQ(row[j], want) << "words " << words << " variants " << variants << " j " << j;
      }
      EXPECT_EQ(row[0], 0);
      EXPECT_LE(row[5], 3);
    }
  }
}

TEST(HammingTest, VariantTileMatchesVariantDistance) {
  // pdq8's written-out kernel (8 variants of 4 words; a block of 16 rows and the rest) and the
  // generic path.
  for (auto [words, variants] : {std::pair{4, 8}, std::pair{4, 1}, std::pair{1, 8}}) {
    const int64_t rows = 21, cols = 41, stride = int64_t(words) * variants;
    std::vector<uint64_t> codes(size_t(rows + cols) * stride);
    std::mt19937_64 g(words + variants);
    for (auto& w : codes) w = g();
    const uint64_t* a = codes.data();
    const uint64_t* b = codes.data() + rows * stride;
    // Column 7 is row 2 mirrored (its variant 5 = row 2's variant 0, a few bits off).
    std::copy_n(a + 2 * stride, words, codes.begin() + (rows + 7) * stride + (variants - 1) * words);
    codes[size_t((rows + 7) * stride + (variants - 1) * words)] ^= 0x5;
    std::vector<int> tile(size_t(rows * cols), -1);
    VariantDistanceTile(a, rows, variants, b, cols, variants, words, tile.data());
    for (int64_t r = 0; r < rows; ++r) {
      for (int64_t c = 0; c < cols; ++c) {
        ASSERT_EQ(tile[size_t(r * cols + c)],
                  VariantDistance(a + r * stride, variants, b + c * stride, variants, words))
            << words << "x" << variants << " r " << r << " c " << c;
      }
    }
    if (variants > 1) {
      EXPECT_EQ(tile[size_t(2 * cols + 7)], 2);
    }
  }
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
