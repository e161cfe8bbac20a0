// Batched inference: ComputeBatch of a learned method and the Scan pipeline that feeds it.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <map>

#include "neardup/decode.h"
#include "neardup/descriptor.h"
#include "neardup/find.h"
#include "neardup/nn.h"
#include "nn/random_model.h"
#include "testutil/testutil.h"

namespace neardup::nn {
namespace {

using neardup::testing::MakeTestPhoto;
using neardup::testing::TempDir;

std::unique_ptr<Method> SmallMethod(const TempDir& dir) {
  EXPECT_TRUE(WriteRandomStnModel(dir.Join("m.pt"), 7));
  NnMethodOptions opt;
  opt.model_path = dir.Join("m.pt");
  StatusOr<std::unique_ptr<Method>> m = MakeNnMethod("stn-cnn:mobile", opt);
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return m.ok() ? std::move(m).value() : nullptr;
}

double MaxAbsDiff(const Descriptor& a, const Descriptor& b) {
  EXPECT_EQ(a.values.size(), b.values.size());
  double worst = 0;
  for (size_t i = 0; i < a.values.size() && i < b.values.size(); ++i) {
    worst = std::max(worst, std::abs(double(a.values[i]) - b.values[i]));
  }
  return worst;
}

TEST(BatchTest, ComputeBatchMatchesComputeAndIsolatesBadImages) {
  TempDir dir;
  std::unique_ptr<Method> m = SmallMethod(dir);
  ASSERT_NE(m, nullptr);
  EXPECT_GT(m->preferred_batch(), 1);
  // Different sizes and shapes in one batch; one empty image in the middle.
  std::vector<Image> images = {MakeTestPhoto(200, 150, 1), MakeTestPhoto(90, 160, 2), Image(),
                               MakeTestPhoto(64, 64, 3)};
  std::vector<const Image*> ptrs;
  for (const Image& im : images) ptrs.push_back(&im);
  std::vector<StatusOr<Descriptor>> batch = m->ComputeBatch(ptrs);
  ASSERT_EQ(batch.size(), images.size());
  EXPECT_EQ(batch[2].status().code(), StatusCode::kInvalidArgument);
  for (size_t i : {0u, 1u, 3u}) {
    ASSERT_TRUE(batch[i].ok()) << i << ": " << batch[i].status().ToString();
    StatusOr<Descriptor> one = m->Compute(images[i]);
    ASSERT_TRUE(one.ok());
    EXPECT_LT(MaxAbsDiff(*batch[i], *one), 1e-4) << i;
  }
  // Rows really differ (the batch is not one image repeated).
  EXPECT_GT(MaxAbsDiff(*batch[0], *batch[1]), 1e-3);
}

TEST(BatchTest, ScanDescribesInBatchesAndReportsBadFiles) {
  TempDir dir;
  std::unique_ptr<Method> m = SmallMethod(dir);
  ASSERT_NE(m, nullptr);
  // More files than one batch, plus a broken one, so chunks and errors mix.
  const int n = m->preferred_batch() + 5;
  std::filesystem::create_directories(dir.Join("in"));
  for (int i = 0; i < n; ++i) {
    ASSERT_TRUE(WriteImage(dir.Join("in/p" + std::to_string(i) + ".png"),
                           MakeTestPhoto(80 + i, 70, uint32_t(i)))
                    .ok());
  }
  neardup::testing::WriteBytes(dir.Join("in/broken.jpg"), "not a jpeg");
  ScanOptions o;
  o.inputs = {dir.Join("in")};
  o.threads = 2;
  o.cache_path = dir.Join("cache.db");
  int64_t last_done = 0;
  o.progress = [&](int64_t done, int64_t total) {
    EXPECT_EQ(total, n + 1);
    EXPECT_GT(done, last_done);
    last_done = done;
  };
  StatusOr<ScanResult> r = Scan(o, *m);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(last_done, n + 1);
  ASSERT_EQ(int(r->files.size()), n);
  ASSERT_EQ(r->errors.size(), 1u);
  EXPECT_NE(r->errors[0].path.find("broken.jpg"), std::string::npos);
  for (const ScannedFile& f : r->files) {
    StatusOr<Image> img = DecodeFile(f.path, DecodeOptions{});
    ASSERT_TRUE(img.ok());
    StatusOr<Descriptor> one = m->Compute(*img);
    ASSERT_TRUE(one.ok());
    EXPECT_LT(MaxAbsDiff(f.descriptor, *one), 1e-3) << f.path;
  }
  // A second scan comes from the cache (float16) with the same descriptors.
  last_done = 0;
  StatusOr<ScanResult> again = Scan(o, *m);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->cached, n + 1);
  std::map<std::string, const Descriptor*> first;
  for (const ScannedFile& f : r->files) first[f.path] = &f.descriptor;
  for (const ScannedFile& f : again->files) {
    ASSERT_TRUE(first.count(f.path));
    EXPECT_LT(MaxAbsDiff(f.descriptor, *first[f.path]), 2e-3) << f.path;
  }
}

}  // namespace
}  // namespace neardup::nn
