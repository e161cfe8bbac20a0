// The fused method: features cached with the hashes, candidates from hashes and keypoint votes,
// verification, one calibrated score; crops and paste-ins found among unrelated pictures with
// their region; smooth images fall back on the hash; the score is a pure function of the pair.
#include "neardup/fuse.h"

#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include "image/cv_image.h"
#include "neardup/cache.h"
#include "neardup/decode.h"
#include "neardup/find.h"
#include "neardup/image_index.h"
#include "neardup/registry.h"
#include "testutil/testutil.h"

namespace neardup {
namespace {

using image_internal::AsMat;
using image_internal::FromMat;

Descriptor Describe(const Image& img) {
  auto m = MakeMethod("fused");
  EXPECT_TRUE(m.ok());
  auto d = (*m)->Compute(img);
  EXPECT_TRUE(d.ok()) << d.status().message();
  return *d;
}

// A folder's worth of pictures: 10 unrelated ones, then a crop of #0 enlarged, a paste of #1 into
// a new scene, and #2 rotated by 20 degrees.
std::vector<Image> Folder() {
  std::vector<Image> out;
  for (uint32_t s = 0; s < 10; ++s) out.push_back(testing::MakeBusyPhoto(480, 360, 100 + s));
  cv::Mat crop;
  cv::resize(AsMat(out[0])(cv::Rect(160, 120, 240, 180)), crop, cv::Size(400, 300));
  out.push_back(FromMat(crop));
  Image scene = testing::MakeBusyPhoto(900, 700, 300);
  cv::Mat small;
  cv::resize(AsMat(out[1]), small, cv::Size(360, 270), 0, 0, cv::INTER_AREA);
  small.copyTo(AsMat(scene)(cv::Rect(480, 380, 360, 270)));
  out.push_back(scene);
  cv::Mat rot;
  cv::warpAffine(AsMat(out[2]), rot, cv::getRotationMatrix2D({240, 180}, 20, 0.9),
                 cv::Size(480, 360));
  out.push_back(FromMat(rot));
  return out;
}

const PairEvidence* FindPair(const std::vector<PairEvidence>& pairs, int64_t a, int64_t b) {
  for (const PairEvidence& e : pairs) {
    if (e.a == a && e.b == b) return &e;
  }
  return nullptr;
}

// The fused descriptors of Folder() and FusedPairs over them on `threads` threads.
struct ScoredFolder {
  std::vector<Descriptor> descriptors;
  StatusOr<std::vector<PairEvidence>> pairs;
};
ScoredFolder ScoreFolder(int threads) {
  ScoredFolder out{{}, std::vector<PairEvidence>{}};
  for (const Image& img : Folder()) out.descriptors.push_back(Describe(img));
  std::vector<const Descriptor*> items;
  for (const Descriptor& d : out.descriptors) items.push_back(&d);
  out.pairs = FusedPairs(items, FuseOptions{}, threads);
  return out;
}

TEST(FuseTest, FindsCropPasteAndRotationAmongUnrelatedPictures) {
  ScoredFolder folder = ScoreFolder(2);
  auto& pairs = folder.pairs;
  ASSERT_TRUE(pairs.ok()) << pairs.status().message();
  for (auto [a, b] : {std::pair{0, 10}, {1, 11}, {2, 12}}) {
    const PairEvidence* e = FindPair(*pairs, a, b);
    ASSERT_NE(e, nullptr) << a << "," << b << " was not a candidate";
    EXPECT_TRUE(e->verified);
    EXPECT_TRUE(e->verification.match) << e->verification.reason;
    EXPECT_GT(e->score, 0.5) << a << "," << b << " inliers " << e->verification.inliers
                             << " coverage " << e->verification.coverage_a << "/"
                             << e->verification.coverage_b << " hash " << e->hash_bits
                             << " votes " << e->votes;
  }
  // Every pair of unrelated pictures that was a candidate scores low.
  for (const PairEvidence& e : *pairs) {
    const bool related =
        (e.a == 0 && e.b == 10) || (e.a == 1 && e.b == 11) || (e.a == 2 && e.b == 12);
    if (!related) {
      EXPECT_LT(e.score, 0.5) << e.a << "," << e.b;
    }
  }
  // The paste is located: #1 fills (480,380)-(840,650) of the scene at 0.75 scale.
  const PairEvidence* paste = FindPair(*pairs, 1, 11);
  for (const Point2& p : paste->verification.region_b) {
    EXPECT_GT(p.x, 470);
    EXPECT_LT(p.x, 850);
    EXPECT_GT(p.y, 370);
    EXPECT_LT(p.y, 660);
  }
}

TEST(FuseTest, PairScoreIsThePairsOwn) {
  // FusePair alone gives what FusedPairs gives for the same pair (votes are counted per pair).
  ScoredFolder folder = ScoreFolder(1);
  const auto& ds = folder.descriptors;
  auto& pairs = folder.pairs;
  ASSERT_TRUE(pairs.ok());
  ASSERT_FALSE(pairs->empty());
  for (const PairEvidence& e : *pairs) {
    auto alone = FusePair(ds[e.a], ds[e.b]);
    ASSERT_TRUE(alone.ok());
    EXPECT_EQ(alone->votes, e.votes);
    EXPECT_DOUBLE_EQ(alone->score, e.score);
  }
}

TEST(FuseTest, SmoothImagesFallBackOnTheHash) {
  auto gradient = [](int phase) {
    Image g(320, 240, 3);
    for (int y = 0; y < 240; ++y) {
      for (int x = 0; x < 320; ++x) {
        g.at(y, x, 0) = uint8_t((x + phase) * 255 / 400);
        g.at(y, x, 1) = uint8_t(y * 255 / 239);
        g.at(y, x, 2) = uint8_t(phase);
      }
    }
    return g;
  };
  auto e = FusePair(Describe(gradient(0)), Describe(gradient(60)));
  ASSERT_TRUE(e.ok());
  EXPECT_FALSE(e->verified);
  EXPECT_TRUE(e->fallback);
  // A plain copy of a smooth image is still a near-duplicate by its hash.
  auto same = FusePair(Describe(gradient(0)), Describe(gradient(0)));
  ASSERT_TRUE(same.ok());
  EXPECT_GT(same->score, 0.5);
}

TEST(FuseTest, RepeatedPatternsAreNotConfident) {
  // Two different checkerboard-like tilings: many identical keypoints, no consistent picture.
  auto tiles = [](int cell, int offset) {
    cv::Mat m(360, 480, CV_8UC3, cv::Scalar(255, 255, 255));
    for (int y = 0; y < 360; y += cell) {
      for (int x = (y / cell) % 2 * cell + offset; x < 480; x += 2 * cell) {
        cv::rectangle(m, cv::Rect(x, y, cell, cell), cv::Scalar(20, 20, 20), cv::FILLED);
      }
    }
    return FromMat(m);
  };
  auto e = FusePair(Describe(tiles(24, 0)), Describe(testing::MakeBusyPhoto(480, 360, 9)));
  ASSERT_TRUE(e.ok());
  EXPECT_LT(e->score, 0.5);
}

TEST(FuseTest, ScoreGrowsWithEvidence) {
  const FuseModel& m = DefaultFuseModel();
  PairEvidence weak, strong;
  weak.verified = strong.verified = true;
  weak.hash_bits = strong.hash_bits = 110;
  weak.verification.match = false;
  strong.verification.match = true;
  strong.verification.inliers = 150;
  strong.verification.score = 0.9;
  strong.verification.spread = 0.5;
  strong.verification.coverage = 0.7;
  strong.votes = 60;
  EXPECT_LT(FusedScore(m, weak), 0.5);
  EXPECT_GT(FusedScore(m, strong), 0.9);
  PairEvidence near, far;
  near.hash_bits = 4;
  far.hash_bits = 120;
  EXPECT_GT(FusedScore(m, near), 0.9);
  EXPECT_LT(FusedScore(m, far), 0.1);
}

TEST(FuseTest, FlatPicturesOfDifferentColoursAreNeverConfident) {
  // A near-uniform crop of a wallpaper and a flat green texture: near hashes, no keypoints.
  cv::Mat beige(300, 400, CV_8UC3, cv::Scalar(225, 210, 180)),
      green(300, 400, CV_8UC3, cv::Scalar(40, 150, 50));
  cv::randn(beige, cv::Scalar::all(0), cv::Scalar::all(1));
  beige += cv::Scalar(225, 210, 180);
  auto pair = FusePair(Describe(FromMat(beige)), Describe(FromMat(green)));
  ASSERT_TRUE(pair.ok()) << pair.status().message();
  EXPECT_TRUE(pair->low_information);
  EXPECT_FALSE(pair->verified);
  EXPECT_GT(pair->pixel_diff, kLowInformationMaxPixelDiff);
  EXPECT_LE(pair->score, kLowInformationMaxScore);
  // The same flat picture re-saved: its pixels agree, so its hash may speak.
  auto same = FusePair(Describe(FromMat(green)), Describe(FromMat(green)));
  ASSERT_TRUE(same.ok());
  EXPECT_LE(same->pixel_diff, 1);
  EXPECT_GT(same->score, 0.5);
}

// A cache that counts what the pipeline asks of it.
class CountingCache : public DescriptorCache {
 public:
  CountingCache() : inner_(NewMemoryCache()) {}
  std::optional<CacheEntry> Lookup(const FileStamp& s) override { return inner_->Lookup(s); }
  void Put(const FileStamp& s, const CacheEntry& e) override { inner_->Put(s, e); }
  Status Flush() override { return inner_->Flush(); }
  std::optional<std::vector<uint8_t>> LookupPair(uint64_t a, uint64_t b, uint64_t v) override {
    auto hit = inner_->LookupPair(a, b, v);
    hits += hit.has_value();
    return hit;
  }
  void PutPair(uint64_t a, uint64_t b, uint64_t v, std::vector<uint8_t> e) override {
    ++puts;
    inner_->PutPair(a, b, v, std::move(e));
  }
  int hits = 0;
  int puts = 0;

 private:
  std::unique_ptr<DescriptorCache> inner_;
};

TEST(FuseTest, PairEvidenceIsCachedSoAReRunScoresNothingAgain) {
  std::vector<Descriptor> descriptors;
  for (const Image& img : Folder()) descriptors.push_back(Describe(img));
  std::vector<const Descriptor*> items;
  for (const Descriptor& d : descriptors) items.push_back(&d);
  CountingCache cache;
  auto cold = FusedPairs(items, FuseOptions{}, 2, &cache);
  ASSERT_TRUE(cold.ok());
  ASSERT_FALSE(cold->empty());
  // One record per pair, and the folder's candidate list.
  const int records = int(cold->size()) + 1;
  EXPECT_EQ(cache.hits, 0);
  EXPECT_EQ(cache.puts, records);
  auto warm = FusedPairs(items, FuseOptions{}, 2, &cache);
  ASSERT_TRUE(warm.ok());
  EXPECT_EQ(cache.hits, records);
  EXPECT_EQ(cache.puts, records);  // nothing searched or scored again
  ASSERT_EQ(warm->size(), cold->size());
  for (size_t i = 0; i < cold->size(); ++i) {
    const PairEvidence &x = (*cold)[i], &y = (*warm)[i];
    EXPECT_EQ(x.a, y.a);
    EXPECT_EQ(x.b, y.b);
    EXPECT_EQ(x.score, y.score);
    EXPECT_EQ(x.verified, y.verified);
    EXPECT_EQ(x.verification.inliers, y.verification.inliers);
    EXPECT_EQ(x.verification.region_b[2].x, y.verification.region_b[2].x);
    EXPECT_EQ(x.verification.reason, y.verification.reason);
    EXPECT_EQ(x.why_not_verified, y.why_not_verified);
  }
  // Another model re-scores the cached evidence without verifying anything again.
  FuseOptions refit;
  refit.model.v[0] -= 1;
  refit.model.g[0] -= 1;
  auto rescored = FusedPairs(items, refit, 2, &cache);
  ASSERT_TRUE(rescored.ok());
  EXPECT_EQ(cache.puts, records);
  for (size_t i = 0; i < cold->size(); ++i) {
    EXPECT_DOUBLE_EQ((*rescored)[i].score, FusedScore(refit.model, (*cold)[i]));
    if ((*cold)[i].score > 0.01 && (*cold)[i].score < 0.99) {
      EXPECT_LT((*rescored)[i].score, (*cold)[i].score);
    }
  }
  // Other options that change the evidence are another key: scored afresh.
  FuseOptions other;
  other.quick_accept_inliers += 5;
  ASSERT_TRUE(FusedPairs(items, other, 2, &cache).ok());
  EXPECT_EQ(cache.puts, 2 * records);
  // A new picture in the folder: only its own pairs are scored.
  const int before = cache.puts;
  Descriptor extra = Describe(testing::MakeBusyPhoto(480, 360, 999));
  items.push_back(&extra);
  auto grown = FusedPairs(items, FuseOptions{}, 2, &cache);
  ASSERT_TRUE(grown.ok());
  int with_new = 0;
  for (const PairEvidence& e : *grown) with_new += e.b == int64_t(items.size()) - 1;
  EXPECT_EQ(cache.puts - before, with_new + 1);  // and the grown folder's candidate list
}

TEST(FuseTest, LearnedEmbeddingsProposePairsAndEnterTheScore) {
  std::vector<Descriptor> descriptors;
  for (const Image& img : Folder()) descriptors.push_back(Describe(img));
  // Embeddings as a learned method would give them: unit vectors, all orthogonal except items 3
  // and 7 (two unrelated pictures) which the "network" finds alike.
  const int dim = 16;
  for (size_t i = 0; i < descriptors.size(); ++i) {
    descriptors[i].values.assign(dim, 0.0f);
    descriptors[i].values[i] = 1.0f;
  }
  descriptors[7].values = descriptors[3].values;
  std::vector<const Descriptor*> items;
  for (const Descriptor& d : descriptors) items.push_back(&d);
  // The learned source alone: no hash neighbours, no votes.
  FuseOptions o;
  o.hash_max_bits = 0;
  o.hash_join_bits = 0;
  o.vote_keypoints = 0;
  auto only = FusedPairs(items, o, 2);
  ASSERT_TRUE(only.ok());
  ASSERT_EQ(only->size(), 1u);
  EXPECT_EQ((*only)[0].a, 3);
  EXPECT_EQ((*only)[0].b, 7);
  EXPECT_NEAR((*only)[0].cosine, 1.0, 1e-6);
  o.learned_min_cosine = 1.5;  // above any cosine: nothing proposed
  ASSERT_TRUE(FusedPairs(items, o, 2).ok());
  EXPECT_TRUE(FusedPairs(items, o, 2)->empty());

  // Every scored pair carries its cosine (0 for orthogonal ones), also when read back from the
  // cache, where the evidence is stored without it.
  CountingCache cache;
  auto cold = FusedPairs(items, FuseOptions{}, 2, &cache);
  auto warm = FusedPairs(items, FuseOptions{}, 2, &cache);
  ASSERT_TRUE(cold.ok() && warm.ok());
  ASSERT_EQ(cold->size(), warm->size());
  EXPECT_GT(cache.hits, 0);
  for (size_t i = 0; i < cold->size(); ++i) {
    const double expected = (*cold)[i].a == 3 && (*cold)[i].b == 7 ? 1.0 : 0.0;
    EXPECT_NEAR((*cold)[i].cosine, expected, 1e-6);
    EXPECT_EQ((*warm)[i].cosine, (*cold)[i].cosine);
  }
  // Without embeddings there is no cosine.
  for (Descriptor& d : descriptors) d.values.clear();
  auto plain = FusedPairs(items, FuseOptions{}, 2);
  ASSERT_TRUE(plain.ok());
  for (const PairEvidence& e : *plain) EXPECT_EQ(e.cosine, kNoCosine);

  // The score: the cosine's weight applies only where there is a cosine.
  FuseModel m = DefaultFuseModel();
  m.c[0] = 4;
  m.c[1] = 8;
  PairEvidence e;
  e.hash_bits = 110;
  const double without = FusedScore(m, e);
  EXPECT_EQ(without, FusedScore(DefaultFuseModel(), e));
  e.cosine = 0.9;
  EXPECT_GT(FusedScore(m, e), without);
  e.verified = true;
  e.verification.match = false;
  const double verified_alike = FusedScore(m, e);
  e.cosine = kNoCosine;
  EXPECT_GT(verified_alike, FusedScore(m, e));
}

TEST(FuseTest, FeaturesAreCachedWithTheHashes) {
  testing::TempDir dir;
  std::vector<Image> images = Folder();
  for (int i : {0, 10}) {
    ASSERT_TRUE(WriteImage(dir.Join("img" + std::to_string(i) + ".png"), images[i]).ok());
  }
  ScanOptions so;
  so.inputs = {dir.path()};
  so.method = "fused";
  so.cache_path = dir.Join("cache/descriptors.sqlite");
  auto method = MakeMethod("fused");
  auto first = Scan(so, **method);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->decoded, 2);
  auto second = Scan(so, **method);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->cached, 2);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_FALSE(second->files[i].descriptor.local.empty());
    EXPECT_EQ(second->files[i].descriptor.local, first->files[i].descriptor.local);
    EXPECT_EQ(second->files[i].descriptor.bits, first->files[i].descriptor.bits);
  }
}

TEST(FuseTest, TheIndexRefusesTheFusedMethod) {
  testing::TempDir dir;
  auto index = ImageIndex::Create(dir.Join("ix"), "fused", "");
  ASSERT_FALSE(index.ok());
  EXPECT_NE(index.status().message().find("cannot be indexed"), std::string::npos);
}

}  // namespace
}  // namespace neardup
