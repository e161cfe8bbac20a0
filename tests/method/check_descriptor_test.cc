// Method::CheckDescriptor: the shape check every descriptor read back from a cache passes before it
// is used (issue 12, defect 3).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "neardup/descriptor.h"
#include "neardup/registry.h"
#include "testutil/testutil.h"

namespace neardup {
namespace {

TEST(CheckDescriptor, WhatComputeGivesPasses) {
  const Image photo = testing::MakeBusyPhoto(320, 240, 3);
  for (const char* name : {"pdq", "pdq8", "phash", "dhash", "fused"}) {
    SCOPED_TRACE(name);
    auto m = std::move(MakeMethod(name)).value();
    StatusOr<Descriptor> d = m->Compute(photo);
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    EXPECT_TRUE(m->CheckDescriptor(*d).ok()) << m->CheckDescriptor(*d).ToString();
  }
}

TEST(CheckDescriptor, HashSizesAndStrayPartsAreCorruption) {
  auto pdq8 = std::move(MakeMethod("pdq8")).value();
  Descriptor d;
  d.bits.assign(32, 0);
  EXPECT_TRUE(pdq8->CheckDescriptor(d).ok());
  auto fails = [&](const Descriptor& bad, const std::string& reason) {
    const Status s = pdq8->CheckDescriptor(bad);
    EXPECT_EQ(s.code(), StatusCode::kCorruption) << reason;
    EXPECT_NE(s.message().find(reason), std::string::npos) << s.message();
  };
  Descriptor one = d;
  one.bits.resize(1);  // a 1-word code once put every image in one group
  fails(one, "1 hash words, expected 32");
  Descriptor values = d;
  values.values = {1.0f};
  fails(values, "1 values, expected 0");
  Descriptor local = d;
  local.local = {1, 2, 3};
  fails(local, "3 bytes of local features, expected 0");
  Descriptor quality = d;
  quality.quality = 101;
  fails(quality, "quality 101 outside [0,100]");
}

TEST(CheckDescriptor, FusedNeedsLocalFeaturesThatParse) {
  auto fused = std::move(MakeMethod("fused")).value();
  StatusOr<Descriptor> good = fused->Compute(testing::MakeBusyPhoto(320, 240, 4));
  ASSERT_TRUE(good.ok());
  Descriptor five = *good;
  five.local.resize(5);  // a 5-byte keypoint blob once lost the file's matches silently
  EXPECT_EQ(fused->CheckDescriptor(five).code(), StatusCode::kCorruption);
  Descriptor none = *good;
  none.local.clear();
  EXPECT_EQ(fused->CheckDescriptor(none).code(), StatusCode::kCorruption);
  Descriptor short_by_one = *good;
  short_by_one.local.pop_back();
  EXPECT_EQ(fused->CheckDescriptor(short_by_one).code(), StatusCode::kCorruption);
  Descriptor no_codes = *good;
  no_codes.bits.resize(4);
  EXPECT_EQ(fused->CheckDescriptor(no_codes).code(), StatusCode::kCorruption);
}

// A float method, to reach the default check of cosine descriptors without a model file.
class UnitVectorMethod : public Method {
 public:
  std::string name() const override { return "unit-vector-test"; }
  int version() const override { return 1; }
  Metric metric() const override { return Metric::kCosine; }
  int dims() const override { return 4; }
  int min_decode_side() const override { return 0; }
  double default_threshold() const override { return 0.9; }
  StatusOr<Descriptor> Compute(const Image&) const override { return Descriptor{}; }
  StatusOr<double> Distance(const Descriptor&, const Descriptor&) const override { return 0.0; }
  double Score(double distance) const override { return 1 - distance; }
  double DistanceForScore(double score) const override { return 1 - score; }
};

TEST(CheckDescriptor, CosineNeedsFiniteUnitVectorsOfDims) {
  UnitVectorMethod m;
  Descriptor d;
  d.values = {0.5f, 0.5f, 0.5f, 0.5f};
  EXPECT_TRUE(m.CheckDescriptor(d).ok());
  d.values[0] = 0.5004f;  // float16 rounding
  EXPECT_TRUE(m.CheckDescriptor(d).ok());
  Descriptor scaled = d;
  for (float& v : scaled.values) v *= 100;  // would be "similar" to everything
  EXPECT_EQ(m.CheckDescriptor(scaled).code(), StatusCode::kCorruption);
  Descriptor nan = d;
  nan.values[2] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_EQ(m.CheckDescriptor(nan).code(), StatusCode::kCorruption);
  Descriptor short_vector = d;
  short_vector.values.pop_back();
  EXPECT_EQ(m.CheckDescriptor(short_vector).code(), StatusCode::kCorruption);
  Descriptor with_bits = d;
  with_bits.bits = {1};
  EXPECT_EQ(m.CheckDescriptor(with_bits).code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace neardup
