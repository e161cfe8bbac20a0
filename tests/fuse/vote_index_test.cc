// The vote index: every stored code within the radius of a query in its lists is found (exactly
// so with one list), nearest first, and a larger set still finds near copies.
#include "fuse/vote_index.h"

#include <gtest/gtest.h>

#include <random>

namespace neardup::fuse_internal {
namespace {

constexpr int kBytes = 32;

std::vector<uint8_t> RandomCodes(int64_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> out(size_t(n) * kBytes);
  for (auto& b : out) b = uint8_t(rng());
  return out;
}

// `code` with `bits` distinct bits flipped.
std::vector<uint8_t> Flipped(const uint8_t* code, int bits) {
  std::vector<uint8_t> out(code, code + kBytes);
  for (int b = 0; b < bits; ++b) out[(b * 7) % kBytes] ^= uint8_t(1u << (b % 8));
  return out;
}

VoteIndex Build(const std::vector<uint8_t>& codes) {
  const int64_t n = int64_t(codes.size()) / kBytes;
  VoteIndex index(codes.data(), n, kBytes, n);
  VoteIndex::Scratch scratch;
  for (int pass = 0; pass < 2; ++pass) {
    for (int64_t i = 0; i < n; ++i) {
      const uint8_t* c = codes.data() + i * kBytes;
      const int list = index.ListOf(c, &scratch);
      if (pass == 0) {
        index.Count(list);
      } else {
        index.Put(list, c, int32_t(i));
      }
    }
    if (pass == 0) index.Start();
  }
  return index;
}

TEST(VoteIndex, OneListIsAnExactRadiusSearchNearestFirst) {
  const std::vector<uint8_t> codes = RandomCodes(500, 1);
  VoteIndex index = Build(codes);
  ASSERT_EQ(index.lists(), 1);
  std::vector<uint8_t> near = Flipped(codes.data() + 17 * kBytes, 5);
  std::vector<uint8_t> nearer = Flipped(codes.data() + 40 * kBytes, 2);
  std::vector<std::vector<VoteIndex::Hit>> hits;
  index.SearchBatch({near.data(), nearer.data()}, 2, 40, 32, 2, &hits);
  ASSERT_EQ(hits.size(), 2u);
  // Random 256-bit codes are ~128 bits apart: only the planted neighbour is within 40.
  ASSERT_EQ(hits[0].size(), 1u);
  EXPECT_EQ(hits[0][0].owner, 17);
  EXPECT_EQ(hits[0][0].distance, 5);
  ASSERT_EQ(hits[1].size(), 1u);
  EXPECT_EQ(hits[1][0].owner, 40);
  // At radius 255 everything is in reach: k nearest, ascending.
  index.SearchBatch({near.data()}, 1, 255, 10, 1, &hits);
  ASSERT_EQ(hits[0].size(), 10u);
  EXPECT_EQ(hits[0][0].owner, 17);
  for (size_t i = 1; i < hits[0].size(); ++i) {
    EXPECT_LE(hits[0][i - 1].distance, hits[0][i].distance);
  }
}

TEST(VoteIndex, ManyListsStillFindNearCopies) {
  // Codes in clusters (as descriptors are: corners of one kind look alike), then near copies of
  // some of them looked up.
  std::mt19937 rng(7);
  const std::vector<uint8_t> centres = RandomCodes(64, 2);
  const int64_t n = 20000;
  std::vector<uint8_t> codes;
  for (int64_t i = 0; i < n; ++i) {
    std::vector<uint8_t> c(centres.begin() + (i % 64) * kBytes,
                           centres.begin() + (i % 64 + 1) * kBytes);
    for (int b = 0; b < 40; ++b) c[rng() % kBytes] ^= uint8_t(1u << (rng() % 8));
    codes.insert(codes.end(), c.begin(), c.end());
  }
  VoteIndex index = Build(codes);
  EXPECT_GT(index.lists(), 10);
  std::vector<std::vector<uint8_t>> copies;
  std::vector<const uint8_t*> queries;
  for (int q = 0; q < 200; ++q) copies.push_back(Flipped(codes.data() + (q * 97) * kBytes, 6));
  for (const auto& c : copies) queries.push_back(c.data());
  std::vector<std::vector<VoteIndex::Hit>> hits;
  index.SearchBatch(queries, 2, 40, 32, 2, &hits);
  int found = 0;
  for (int q = 0; q < 200; ++q) {
    for (const auto& h : hits[q]) found += h.owner == q * 97;
  }
  EXPECT_GE(found, 170);  // a near copy is usually in its original's list
}

}  // namespace
}  // namespace neardup::fuse_internal
