// The pieces of distributed runs that need no second process: sharded joins add up to the whole
// join, sharded scans to the whole scan, and the wire format round-trips and rejects damage.
#include "dist/distributed.h"

#include <gtest/gtest.h>

#include <random>

#include "neardup/decode.h"
#include "neardup/registry.h"
#include "pipeline/distributed_scan.h"
#include "pipeline/scan.h"
#include "testutil/testutil.h"

namespace neardup::dist {
namespace {

std::vector<ScoredPair> Union(std::vector<std::vector<ScoredPair>> parts) {
  std::vector<std::string> bytes;
  for (const auto& p : parts) bytes.push_back(EncodePairs(p));
  std::vector<ScoredPair> out;
  for (const auto& b : bytes) EXPECT_TRUE(DecodePairsInto(b, &out).ok());
  SortUniquePairs(&out);
  return out;
}

void ExpectSame(const std::vector<ScoredPair>& a, const std::vector<ScoredPair>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].a, b[i].a);
    EXPECT_EQ(a[i].b, b[i].b);
    EXPECT_EQ(a[i].distance, b[i].distance);
  }
}

// Random codes with near copies, so that joins have pairs at many distances.
std::vector<uint64_t> Codes(int64_t n, int variants, uint32_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<uint64_t> c(n * variants * 4);
  for (auto& w : c) w = rng();
  for (int64_t k = 0; k < n / 3; ++k) {  // a near copy of a random earlier item
    const int64_t i = 1 + int64_t(rng() % uint64_t(n - 1)), j = int64_t(rng() % uint64_t(i));
    for (int w = 0; w < 4; ++w) {
      c[i * variants * 4 + w] = c[j * variants * 4 + w] ^ (rng() & rng() & rng() & rng());
    }
  }
  return c;
}

TEST(DistributedTest, ShardedHammingJoinsAddUpToTheWholeJoin) {
  // Radius 31: brute force at 600 items, multi-index hashing at 8192 (index/mih.h).
  for (int variants : {1, 8}) {
    for (int64_t n : {int64_t(600), int64_t(8192)}) {  // brute force, then multi-index hashing
      auto codes = Codes(n, variants, uint32_t(n + variants));
      CodeSet set{codes.data(), n, 4, variants};
      auto whole = HammingSelfJoin(set, 31, 2);
      ASSERT_GT(whole.size(), size_t(n / 10));
      for (int parts : {2, 3}) {
        std::vector<std::vector<ScoredPair>> shares;
        for (int p = 0; p < parts; ++p) {
          shares.push_back(HammingSelfJoin(set, 31, 2, JoinShard{p, parts}));
          EXPECT_LT(shares.back().size(), whole.size());  // the work really is split
        }
        ExpectSame(Union(shares), whole);
      }
    }
  }
}

TEST(DistributedTest, ShardedCosineJoinAddsUpToTheWholeJoin) {
  std::mt19937 rng(3);
  std::normal_distribution<float> g;
  const int64_t n = 400;
  const int dim = 8;
  std::vector<float> v(n * dim);
  for (int64_t i = 0; i < n; ++i) {
    double norm = 0;
    for (int d = 0; d < dim; ++d) norm += std::pow(v[i * dim + d] = g(rng), 2);
    for (int d = 0; d < dim; ++d) v[i * dim + d] /= float(std::sqrt(norm));
  }
  VectorSet set{v.data(), n, dim};
  auto whole = CosineSelfJoin(set, 0.8f, 2);
  ASSERT_GT(whole.size(), 50u);
  ExpectSame(Union({CosineSelfJoin(set, 0.8f, 2, {0, 2}), CosineSelfJoin(set, 0.8f, 2, {1, 2})}),
             whole);
}

TEST(DistributedTest, ShardedScansAddUpToTheWholeScan) {
  testing::TempDir dir;
  for (int i = 0; i < 7; ++i) {
    ASSERT_TRUE(WriteImage(dir.Join("p" + std::to_string(i) + ".png"),
                           testing::MakeTestPhoto(96, 64, 40 + i))
                    .ok());
  }
  testing::WriteBytes(dir.Join("bad.jpg"), "not a jpeg");
  testing::WriteBytes(dir.Join("notes.txt"), "skipped");
  auto method = MakeMethod("pdq8");
  ScanOptions o;
  o.inputs = {dir.path(), dir.Join("missing.png")};
  o.use_cache = false;
  auto whole = Scan(o, **method);
  ASSERT_TRUE(whole.ok());
  ScanResult merged;
  for (int shard = 0; shard < 3; ++shard) {
    auto part = ScanWith(o, **method, ScanPlumbing{nullptr, shard, 3});
    ASSERT_TRUE(part.ok());
    EXPECT_LT(part->files.size(), whole->files.size());
    ASSERT_TRUE(DecodeScanInto(EncodeScan(*part), &merged).ok());
  }
  std::sort(merged.errors.begin(), merged.errors.end(),
            [](const InputError& a, const InputError& b) { return a.path < b.path; });
  ASSERT_EQ(merged.files.size(), whole->files.size());
  for (size_t i = 0; i < merged.files.size(); ++i) {
    EXPECT_EQ(merged.files[i].path, whole->files[i].path);
    EXPECT_EQ(merged.files[i].descriptor.bits, whole->files[i].descriptor.bits);
    EXPECT_EQ(merged.files[i].descriptor.quality, whole->files[i].descriptor.quality);
    EXPECT_EQ(merged.files[i].facts.width, whole->files[i].facts.width);
    EXPECT_EQ(merged.files[i].facts.mtime_ns, whole->files[i].facts.mtime_ns);
  }
  ASSERT_EQ(merged.errors.size(), whole->errors.size());
  for (size_t i = 0; i < merged.errors.size(); ++i) {
    EXPECT_EQ(merged.errors[i].path, whole->errors[i].path);
    EXPECT_EQ(merged.errors[i].status.message(), whole->errors[i].status.message());
    EXPECT_EQ(merged.errors[i].status.code(), whole->errors[i].status.code());
  }
  EXPECT_EQ(merged.skipped_non_images, whole->skipped_non_images);
  EXPECT_EQ(merged.decoded, whole->decoded);
}

TEST(DistributedTest, DamagedWireDataIsRefused) {
  ScanResult scan;
  scan.files.push_back({});
  scan.files[0].path = "a.jpg";
  scan.files[0].descriptor.values = {0.5f, -0.5f};
  std::string bytes = EncodeScan(scan);
  ScanResult out;
  EXPECT_EQ(DecodeScanInto(bytes.substr(0, bytes.size() - 3), &out).code(),
            StatusCode::kCorruption);
  std::vector<ScoredPair> pairs;
  EXPECT_EQ(DecodePairsInto("\xff\xff\xff\xff\xff\xff\xff\x7f", &pairs).code(),
            StatusCode::kCorruption);
  ScanResult ok;
  ASSERT_TRUE(DecodeScanInto(bytes, &ok).ok());
  EXPECT_EQ(ok.files[0].descriptor.values, scan.files[0].descriptor.values);
}

TEST(DistributedTest, OneProcessIsTheIdentity) {
  auto cluster = JoinCluster();  // the test is not started by mpirun
  ASSERT_TRUE(cluster.ok());
  EXPECT_EQ(cluster->size, 1);
  EXPECT_EQ(cluster->rank, 0);
  auto all = AllGather("mine");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(*all, std::vector<std::string>{"mine"});
}

}  // namespace
}  // namespace neardup::dist
