// Helpers shared by the tests: synthetic images and scratch folders.
#ifndef NEARDUP_TESTS_TESTUTIL_H_
#define NEARDUP_TESTS_TESTUTIL_H_

#include <cstdint>
#include <string>

#include "neardup/image.h"

namespace neardup::testing {

// A photo-like RGB image: smooth gradients, a few filled shapes and mild noise; different seeds
// give unrelated images, the same seed the same pixels.
Image MakeTestPhoto(int width, int height, uint32_t seed);

// MakeTestPhoto with 150 random rectangles, ellipses and lines and a few words drawn over it:
// corners and edges at many scales, as in real photos (MakeTestPhoto alone is smooth and has few
// stable keypoints for local features).
Image MakeBusyPhoto(int width, int height, uint32_t seed);

// Path of a committed test file under tests/data/.
std::string TestDataPath(const std::string& relative);

// A fresh empty folder under the system temp dir, removed (recursively) on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string Join(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// The whole file at `path` ("" when it cannot be read).
std::string ReadFile(const std::string& path);

// Sum over the image of squared horizontal and vertical neighbour differences (all channels):
// falls when an image is blurred, rises when it is sharpened or noised.
double GradientEnergy(const Image& img);

// Writes `bytes` to `path` (binary). Aborts the test on failure.
void WriteBytes(const std::string& path, const std::string& bytes);

// A PNG whose IHDR claims `width` x `height` RGB pixels and whose image data is 11 bytes: the
// 69-byte header bomb of the hostile-input campaign (issue 12). CRCs are left zero.
std::string PngHeaderClaiming(uint32_t width, uint32_t height);

}  // namespace neardup::testing

#endif  // NEARDUP_TESTS_TESTUTIL_H_
