// The Faiss layer: exact indexes agree with brute force, approximate ones find most true
// neighbours, files round-trip, bad factories and files give clear errors.
#include "search/vector_index.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

#include "neardup/search.h"
#include "testutil/testutil.h"

namespace neardup::search_internal {
namespace {

std::vector<uint64_t> RandomCodes(int64_t n, int words, uint32_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<uint64_t> c(n * words);
  for (auto& w : c) w = rng();
  return c;
}

std::vector<float> RandomUnitVectors(int64_t n, int dim, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> g;
  std::vector<float> v(n * dim);
  for (int64_t i = 0; i < n; ++i) {
    double norm = 0;
    for (int d = 0; d < dim; ++d) norm += std::pow(v[i * dim + d] = g(rng), 2);
    for (int d = 0; d < dim; ++d) v[i * dim + d] /= float(std::sqrt(norm));
  }
  return v;
}

std::vector<int64_t> Ids(int64_t n, int64_t offset) {
  std::vector<int64_t> ids(n);
  for (int64_t i = 0; i < n; ++i) ids[i] = offset + i;
  return ids;
}

TEST(VectorIndexTest, BinaryFlatMatchesBruteForceWithIds) {
  const int64_t n = 500;
  auto codes = RandomCodes(n, 4, 1);
  auto queries = RandomCodes(20, 4, 2);
  auto ids = Ids(n, 1000);
  auto index = VectorIndex::Create("BFlat", Metric::kHamming, 256);
  ASSERT_TRUE(index.ok()) << index.status().ToString();
  ASSERT_TRUE((*index)->Add(CodeSet{codes.data(), n, 4, 1}, ids.data()).ok());
  EXPECT_EQ((*index)->size(), n);
  auto found = (*index)->Search(CodeSet{queries.data(), 20, 4, 1}, 5);
  ASSERT_TRUE(found.ok());
  auto exact = HammingKnn(CodeSet{codes.data(), n, 4, 1}, CodeSet{queries.data(), 20, 4, 1}, 5, 1);
  for (int q = 0; q < 20; ++q) {
    ASSERT_EQ((*found)[q].size(), 5u);
    for (int j = 0; j < 5; ++j) {
      EXPECT_EQ((*found)[q][j].distance, exact[q][j].distance);
    }
    // Ids are the caller's: the nearest is item exact[q][0].id + 1000 unless tied.
    if (exact[q][0].distance < exact[q][1].distance) {
      EXPECT_EQ((*found)[q][0].id, exact[q][0].id + 1000);
    }
  }
}

TEST(VectorIndexTest, MultiVariantQueryTakesTheSmallestDistance) {
  // The base holds code X; the query's variant 0 is unrelated, its variant 3 is X with 2 bits off.
  auto base = RandomCodes(50, 4, 3);
  auto ids = Ids(50, 0);
  std::vector<uint64_t> q = RandomCodes(8, 4, 4);  // 8 variants of one query
  for (int w = 0; w < 4; ++w) q[3 * 4 + w] = base[17 * 4 + w];
  q[3 * 4] ^= 0x5;
  auto index = VectorIndex::Create("BFlat", Metric::kHamming, 256);
  ASSERT_TRUE(index.ok());
  ASSERT_TRUE((*index)->Add(CodeSet{base.data(), 50, 4, 1}, ids.data()).ok());
  auto found = (*index)->Search(CodeSet{q.data(), 1, 4, 8}, 3);
  ASSERT_TRUE(found.ok());
  ASSERT_EQ((*found)[0].size(), 3u);
  EXPECT_EQ((*found)[0][0].id, 17);
  EXPECT_EQ((*found)[0][0].distance, 2);
}

TEST(VectorIndexTest, FloatFlatIsExactAndHnswFindsMostNeighbours) {
  const int64_t n = 2000;
  const int dim = 32;
  auto v = RandomUnitVectors(n, dim, 5);
  auto ids = Ids(n, 0);
  auto flat = VectorIndex::Create("Flat", Metric::kCosine, dim);
  auto hnsw = VectorIndex::Create("HNSW16", Metric::kCosine, dim);
  ASSERT_TRUE(flat.ok() && hnsw.ok());
  ASSERT_TRUE((*flat)->Add(VectorSet{v.data(), n, dim}, ids.data()).ok());
  ASSERT_TRUE((*hnsw)->Add(VectorSet{v.data(), n, dim}, ids.data()).ok());
  auto exact = CosineSelfKnn(VectorSet{v.data(), n, dim}, 10, 1);
  const int64_t nq = 100;
  auto f = (*flat)->Search(VectorSet{v.data(), nq, dim}, 11);
  auto h = (*hnsw)->Search(VectorSet{v.data(), nq, dim}, 11);
  ASSERT_TRUE(f.ok() && h.ok());
  int hits = 0;
  for (int64_t q = 0; q < nq; ++q) {
    EXPECT_EQ((*f)[q][0].id, q);  // itself first
    EXPECT_NEAR((*f)[q][0].distance, 0.0, 1e-5);
    for (int j = 0; j < 10; ++j) {
      EXPECT_NEAR((*f)[q][j + 1].distance, exact[q][j].distance, 1e-5);
      for (const Neighbor& nb : (*h)[q]) hits += nb.id == exact[q][j].id;
    }
  }
  EXPECT_GE(hits, int(0.9 * nq * 10));  // 32-d random vectors are hard; real ones are easier
}

TEST(VectorIndexTest, IvfNeedsTrainingThenSearches) {
  const int dim = 16;
  auto index = VectorIndex::Create("IVF8,Flat", Metric::kCosine, dim);
  ASSERT_TRUE(index.ok());
  EXPECT_FALSE((*index)->trained());
  EXPECT_EQ((*index)->min_train(), 39 * 8);
  auto v = RandomUnitVectors(400, dim, 6);
  auto ids = Ids(400, 0);
  EXPECT_FALSE((*index)->Add(VectorSet{v.data(), 400, dim}, ids.data()).ok());
  ASSERT_TRUE((*index)->Train(VectorSet{v.data(), 400, dim}).ok());
  ASSERT_TRUE((*index)->Add(VectorSet{v.data(), 400, dim}, ids.data()).ok());
  (*index)->SetEffort(8);  // all lists: exact
  auto found = (*index)->Search(VectorSet{v.data() + 7 * dim, 1, dim}, 1);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ((*found)[0][0].id, 7);
}

TEST(VectorIndexTest, SaveLoadRoundTripAndRemove) {
  testing::TempDir dir;
  auto codes = RandomCodes(100, 4, 7);
  auto ids = Ids(100, 1);
  auto index = VectorIndex::Create("BFlat", Metric::kHamming, 256);
  ASSERT_TRUE(index.ok());
  ASSERT_TRUE((*index)->Add(CodeSet{codes.data(), 100, 4, 1}, ids.data()).ok());
  ASSERT_TRUE((*index)->supports_remove());
  auto removed = (*index)->Remove({5, 6, 999});
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(*removed, 2);
  ASSERT_TRUE((*index)->Save(dir.Join("v.faiss"), 100).ok());
  EXPECT_FALSE(std::filesystem::exists(dir.Join("v.faiss.tmp")));
  int64_t applied = 0;
  auto loaded = VectorIndex::Load(dir.Join("v.faiss"), &applied);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(applied, 100);
  EXPECT_EQ((*loaded)->size(), 98);
  auto found = (*loaded)->Search(CodeSet{codes.data() + 4 * 4, 1, 4, 1}, 1);  // item 4 = id 5
  ASSERT_TRUE(found.ok());
  EXPECT_NE((*found)[0][0].id, 5);
  found = (*loaded)->Search(CodeSet{codes.data() + 9 * 4, 1, 4, 1}, 1);
  EXPECT_EQ((*found)[0][0].id, 10);
  EXPECT_EQ((*found)[0][0].distance, 0);
}

TEST(VectorIndexTest, GraphIndexCannotRemove) {
  auto index = VectorIndex::Create("BHNSW8", Metric::kHamming, 256);
  ASSERT_TRUE(index.ok());
  EXPECT_FALSE((*index)->supports_remove());
  EXPECT_EQ((*index)->Remove({1}).status().code(), StatusCode::kUnimplemented);
}

TEST(VectorIndexTest, BadFactoriesAndFilesAreClearErrors) {
  auto wrong_kind = VectorIndex::Create("Flat", Metric::kHamming, 256);
  EXPECT_EQ(wrong_kind.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(wrong_kind.status().message().find("binary"), std::string::npos);
  EXPECT_FALSE(VectorIndex::Create("BFlat", Metric::kCosine, 64).ok());
  auto unknown = VectorIndex::Create("NoSuchIndex12", Metric::kCosine, 64);
  EXPECT_EQ(unknown.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(unknown.status().message().find("NoSuchIndex12"), std::string::npos);

  testing::TempDir dir;
  int64_t applied = 0;
  EXPECT_EQ(VectorIndex::Load(dir.Join("none"), &applied).status().code(), StatusCode::kNotFound);
  testing::WriteBytes(dir.Join("junk"), "not an index at all, just bytes");
  EXPECT_EQ(VectorIndex::Load(dir.Join("junk"), &applied).status().code(), StatusCode::kCorruption);
  // A valid header followed by a truncated Faiss body.
  auto index = VectorIndex::Create("BFlat", Metric::kHamming, 256);
  auto codes = RandomCodes(10, 4, 8);
  auto ids = Ids(10, 0);
  ASSERT_TRUE((*index)->Add(CodeSet{codes.data(), 10, 4, 1}, ids.data()).ok());
  ASSERT_TRUE((*index)->Save(dir.Join("v"), 10).ok());
  std::string bytes = testing::ReadFile(dir.Join("v"));
  testing::WriteBytes(dir.Join("cut"), bytes.substr(0, bytes.size() - 100));
  auto cut = VectorIndex::Load(dir.Join("cut"), &applied);
  EXPECT_EQ(cut.status().code(), StatusCode::kCorruption);
  EXPECT_NE(cut.status().message().find("cut"), std::string::npos);
}

}  // namespace
}  // namespace neardup::search_internal
