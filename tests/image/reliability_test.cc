// Inputs that once broke the decoders (tests/data/reliability/, issue 12): a bad JPEG must leave
// no state behind, elongated images must not abort, OpenCV must print nothing of its own, and
// decoding memory is bounded before anything is allocated.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "core/memory_budget.h"
#include "image/decoders.h"
#include "neardup/decode.h"
#include "neardup/descriptor.h"
#include "neardup/registry.h"
#include "neardup/verify.h"
#include "testutil/testutil.h"

namespace neardup {
namespace {

using testing::ReadFile;
using testing::TestDataPath;

std::string Reliability(const std::string& name) { return TestDataPath("reliability/" + name); }

TEST(ReliabilityTest, ABadJpegLeavesNoStateBehind) {
  const std::string bad = ReadFile(Reliability("two_sof_markers.jpg"));
  const std::string good = ReadFile(Reliability("valid_after_bad.jpg"));
  ASSERT_FALSE(bad.empty());
  ASSERT_FALSE(good.empty());
  // Before the fix every JPEG decoded after `bad` on the same thread failed with its message.
  for (int round = 0; round < 3; ++round) {
    StatusOr<Image> b = DecodeImage(bad, DecodeOptions{}, nullptr, "bad.jpg");
    ASSERT_FALSE(b.ok());
    EXPECT_NE(b.status().message().find("two SOF markers"), std::string::npos)
        << b.status().ToString();
    StatusOr<Image> g = DecodeImage(good, DecodeOptions{}, nullptr, "good.jpg");
    ASSERT_TRUE(g.ok()) << "round " << round << ": " << g.status().ToString();
    EXPECT_EQ(g->width, 160);
    DecodeOptions reduced;
    reduced.min_side = 40;
    EXPECT_TRUE(DecodeImage(good, reduced).ok());
  }
}

TEST(ReliabilityTest, ADamagedJpegStreamDoesNotPoisonTheNextOne) {
  std::string good = ReadFile(Reliability("valid_after_bad.jpg"));
  std::string cut = good.substr(0, good.size() / 2);
  EXPECT_FALSE(DecodeImage(cut, DecodeOptions{}).ok());
  EXPECT_TRUE(DecodeImage(good, DecodeOptions{}).ok());
}

TEST(ReliabilityTest, ElongatedImagesDecodeAndDescribeWithoutAborting) {
  for (const char* name : {"strip_500x1.png", "strip_1000x2.png", "gif_frame_offscreen.gif"}) {
    SCOPED_TRACE(name);
    StatusOr<Image> image = DecodeFile(Reliability(name), DecodeOptions{});
    ASSERT_TRUE(image.ok()) << image.status().ToString();
    // Local features of a strip: none (no detector works on a 1-pixel-high picture), no abort.
    StatusOr<LocalFeatures> f = ExtractFeatures(*image);
    ASSERT_TRUE(f.ok()) << f.status().ToString();
    for (const std::string& m : MethodNames()) {
      if (m.find(':') != std::string::npos) continue;  // learned methods need a model
      auto method = MakeMethod(m);
      ASSERT_TRUE(method.ok()) << m;
      StatusOr<Descriptor> d = (*method)->Compute(*image);
      EXPECT_TRUE(d.ok()) << m << ": " << d.status().ToString();
    }
  }
  StatusOr<LocalFeatures> strip = ExtractFeatures(Image(640, 1, 3));
  ASSERT_TRUE(strip.ok());
  EXPECT_TRUE(strip->points.empty());
  // Verifying two featureless strips is a plain "no match", never an exception.
  Verification v = VerifyPair(*strip, *strip, VerifyOptions{});
  EXPECT_FALSE(v.match);
}

TEST(ReliabilityTest, VerificationRefusesFeaturesWhoseDescriptorsDoNotFitTheirKeypoints) {
  LocalFeatures f = ExtractFeatures(testing::MakeBusyPhoto(320, 240, 3)).value();
  ASSERT_GT(f.points.size(), 10u);
  LocalFeatures damaged = f;
  damaged.descriptors.resize(damaged.descriptors.size() / 2);
  Verification v = VerifyPair(damaged, f, VerifyOptions{});
  EXPECT_FALSE(v.match);
  EXPECT_NE(v.reason.find("damaged"), std::string::npos) << v.reason;
  EXPECT_TRUE(VerifyPair(f, f, VerifyOptions{}).match);
}

// Runs `fn` with file descriptor 2 sent to a file, and returns what was written there.
template <typename Fn>
std::string CaptureStderr(Fn fn) {
  testing::TempDir dir;
  const std::string path = dir.Join("stderr");
  std::fflush(stderr);
  const int saved = ::dup(2);
  FILE* f = std::fopen(path.c_str(), "w");
  ::dup2(::fileno(f), 2);
  fn();
  std::fflush(stderr);
  std::cerr.flush();
  ::dup2(saved, 2);
  ::close(saved);
  std::fclose(f);
  return ReadFile(path);
}

TEST(ReliabilityTest, DamagedTiffIsOneStatusAndNothingOnStderr) {
  StatusOr<Image> image = InvalidArgumentError("not run");
  const std::string printed =
      CaptureStderr([&] { image = DecodeFile(Reliability("damaged.tif"), DecodeOptions{}); });
  ASSERT_FALSE(image.ok());
  EXPECT_NE(image.status().message().find("damaged.tif"), std::string::npos);
  EXPECT_EQ(printed, "") << "OpenCV printed lines of its own";
  // Other output on std::cerr still gets through.
  const std::string ours = CaptureStderr([] { std::cerr << "neardup: a line of ours\n"; });
  EXPECT_EQ(ours, "neardup: a line of ours\n");
}

TEST(ReliabilityTest, APngHeaderBombIsRefusedBeforeAllocating) {
  StatusOr<Image> image =
      DecodeImage(testing::PngHeaderClaiming(16383, 16383), DecodeOptions{}, nullptr, "bomb.png");
  ASSERT_FALSE(image.ok());
  EXPECT_EQ(image.status().code(), StatusCode::kCorruption) << image.status().ToString();
  EXPECT_NE(image.status().message().find("16383x16383"), std::string::npos);
  EXPECT_NE(image.status().message().find("bomb.png"), std::string::npos);
}

TEST(ReliabilityTest, ALosslessWebpOverTheBudgetIsRefusedAtOnce) {
  // 10 KB that decode to 16383 x 16383 pixels (~2.9 GB with OpenCV's buffers): refused from its
  // header, so the test takes milliseconds and no memory.
  StatusOr<Image> image = DecodeFile(Reliability("lossless_16383x16383.webp"), DecodeOptions{});
  ASSERT_FALSE(image.ok());
  EXPECT_EQ(image.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(image.status().message().find("memory budget"), std::string::npos)
      << image.status().ToString();
  EXPECT_NE(image.status().message().find("lossless_16383x16383.webp"), std::string::npos);
}

TEST(ReliabilityTest, TheBudgetIsSharedAndSettable) {
  const std::string png = EncodeImage(Image(3000, 2000, 3), ".png").value();  // 6 MP, ~66 MB
  EXPECT_TRUE(DecodeImage(png, DecodeOptions{}).ok());
  SetDecodeMemoryBudget(int64_t{32} << 20);
  StatusOr<Image> refused = DecodeImage(png, DecodeOptions{});
  EXPECT_EQ(DecodeMemoryBudget(), int64_t{32} << 20);
  SetDecodeMemoryBudget(0);  // back to the default
  EXPECT_EQ(DecodeMemoryBudget(), kDefaultDecodeMemoryBudget);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(refused.status().message().find("3000x2000"), std::string::npos);
  EXPECT_TRUE(DecodeImage(png, DecodeOptions{}).ok());
}

TEST(ReliabilityTest, LargeImagesAreReducedToWhatTheConsumerNeeds) {
  // 6000 x 6000 = 36 MP, over the 32 MP above which a decoded image is reduced at once.
  const std::string png = EncodeImage(Image(6000, 6000, 1), ".png").value();
  DecodeOptions options;
  options.min_side = 256;
  ImageInfo info;
  StatusOr<Image> image = DecodeImage(png, options, &info);
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  EXPECT_EQ(image->width, 1024);
  EXPECT_EQ(image->height, 1024);
  EXPECT_EQ(info.original_width, 6000);
  EXPECT_EQ(info.original_height, 6000);
  // Without min_side (a consumer that wants every pixel) nothing is reduced.
  EXPECT_EQ(DecodeImage(png, DecodeOptions{})->width, 6000);
}

TEST(ReliabilityTest, JpegDimensionsAreReadFromTheFrameHeader) {
  const std::string jpeg = EncodeImage(testing::MakeTestPhoto(123, 45, 1), ".jpg").value();
  int64_t w = 0, h = 0;
  ASSERT_TRUE(image_internal::SniffDimensions(jpeg, image_internal::Format::kJpeg, &w, &h));
  EXPECT_EQ(w, 123);
  EXPECT_EQ(h, 45);
  EXPECT_FALSE(
      image_internal::SniffDimensions(jpeg.substr(0, 4), image_internal::Format::kJpeg, &w, &h));
}

TEST(ReliabilityTest, HeaderSidesWhoseProductOverflowsAreOverTheLimit) {
  // Found by fuzz_decode: a TIFF of 0xFFFFFFFF x 0xFFFFFFFF overflowed width * height (UB).
  StatusOr<Image> image = DecodeFile(TestDataPath("fuzz/decode-tiff-size-overflow.tif"), {});
  ASSERT_FALSE(image.ok());
  EXPECT_EQ(image.status().code(), StatusCode::kResourceExhausted) << image.status().ToString();
  EXPECT_EQ(
      image_internal::CheckPixelLimit(int64_t{1} << 32, int64_t{1} << 32, kDefaultMaxPixels).code(),
      StatusCode::kResourceExhausted);
  EXPECT_TRUE(image_internal::CheckPixelLimit(16384, 16384, kDefaultMaxPixels).ok());
}

TEST(MemoryBudgetTest, HoldersTogetherNeverExceedTheCapacity) {
  MemoryBudget budget(100);
  EXPECT_FALSE(budget.Acquire(101)) << "more than the whole budget is refused, not waited for";
  std::atomic<int64_t> held{0}, peak{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        ASSERT_TRUE(budget.Acquire(40));
        const int64_t now = held += 40;
        int64_t p = peak.load();
        while (now > p && !peak.compare_exchange_weak(p, now)) {
        }
        held -= 40;
        budget.Release(40);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_LE(peak.load(), 80);
  EXPECT_GE(peak.load(), 40);
}

}  // namespace
}  // namespace neardup
