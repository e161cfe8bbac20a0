#include "testutil/testutil.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

namespace neardup::testing {

Image MakeTestPhoto(int width, int height, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(0.f, 1.f);
  Image img(width, height, 3);
  float base[3], gx[3], gy[3];
  for (int c = 0; c < 3; ++c) {
    base[c] = 40 + 150 * u(rng);
    gx[c] = (u(rng) - 0.5f) * 160;
    gy[c] = (u(rng) - 0.5f) * 160;
  }
  // Background: a gradient plus a low-frequency wave whose phase depends on the seed.
  float fx = 1 + 4 * u(rng), fy = 1 + 4 * u(rng), ph = 6.28f * u(rng);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      float nx = float(x) / width, ny = float(y) / height;
      float wave = 30 * std::sin(6.28f * (fx * nx + fy * ny) + ph);
      for (int c = 0; c < 3; ++c) {
        float v = base[c] + gx[c] * nx + gy[c] * ny + wave * (c == 1 ? -1 : 1);
        img.at(y, x, c) = uint8_t(std::clamp(v, 0.f, 255.f));
      }
    }
  }
  // Shapes: rectangles and discs of random colours.
  int shapes = 6 + int(u(rng) * 6);
  for (int s = 0; s < shapes; ++s) {
    float cx = u(rng) * width, cy = u(rng) * height;
    float r = (0.05f + 0.2f * u(rng)) * std::min(width, height);
    uint8_t col[3] = {uint8_t(u(rng) * 255), uint8_t(u(rng) * 255), uint8_t(u(rng) * 255)};
    bool disc = u(rng) < 0.5f;
    for (int y = std::max(0, int(cy - r)); y < std::min(height, int(cy + r)); ++y) {
      for (int x = std::max(0, int(cx - r)); x < std::min(width, int(cx + r)); ++x) {
        if (disc && (x - cx) * (x - cx) + (y - cy) * (y - cy) > r * r) continue;
        for (int c = 0; c < 3; ++c) img.at(y, x, c) = col[c];
      }
    }
  }
  std::normal_distribution<float> noise(0.f, 3.f);
  for (auto& p : img.pixels) p = uint8_t(std::clamp(p + noise(rng), 0.f, 255.f));
  return img;
}

std::string TestDataPath(const std::string& relative) {
  return std::string(NEARDUP_TEST_DATA) + "/" + relative;
}

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "neardup_test_XXXXXX").string();
  char* p = mkdtemp(tmpl.data());
  if (p == nullptr) std::abort();
  path_ = p;
}

TempDir::~TempDir() {
  std::error_code ec;
  // Restore permissions changed by tests so removal succeeds.
  for (auto it = std::filesystem::recursive_directory_iterator(
           path_, std::filesystem::directory_options::skip_permission_denied, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_directory(ec) && !it->is_symlink(ec)) {
      std::filesystem::permissions(it->path(), std::filesystem::perms::owner_all,
                                   std::filesystem::perm_options::add, ec);
    }
  }
  std::filesystem::remove_all(path_, ec);
}

std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

double GradientEnergy(const Image& img) {
  double sum = 0;
  for (int y = 0; y + 1 < img.height; ++y) {
    for (int x = 0; x + 1 < img.width; ++x) {
      for (int c = 0; c < img.channels; ++c) {
        const double dx = img.at(y, x + 1, c) - img.at(y, x, c);
        const double dy = img.at(y + 1, x, c) - img.at(y, x, c);
        sum += dx * dx + dy * dy;
      }
    }
  }
  return sum;
}

void WriteBytes(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary);
  ASSERT_TRUE(f.good()) << path;
  f.write(bytes.data(), std::streamsize(bytes.size()));
  ASSERT_TRUE(f.good()) << path;
}

std::string PngHeaderClaiming(uint32_t width, uint32_t height) {
  std::string png("\x89PNG\r\n\x1a\n", 8);
  auto be32 = [&](uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) png += char((v >> s) & 0xff);
  };
  be32(13);
  png += "IHDR";
  be32(width);
  be32(height);
  png += std::string("\x08\x02\x00\x00\x00", 5);
  be32(0);  // CRC
  be32(11);
  png += "IDAT";
  png += std::string("\x78\x9c\x63\x60\x00\x00\x00\x02\x00\x01\x00", 11);
  be32(0);
  be32(0);
  png += "IEND";
  be32(0);
  return png;
}

}  // namespace neardup::testing
