#include "plugin/model_files.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>

#include "neardup/nn.h"
#include "testutil/testutil.h"

namespace neardup {
namespace {

using testing::TempDir;
using testing::WriteBytes;

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

TEST(ModelFilesTest, EnvironmentFolderComesFirstAndIsListed) {
  TempDir dir;
  WriteBytes(dir.Join("stn-cnn-resnet18.pt"), "x");
  WriteBytes(dir.Join("cnn-vgg16.pt"), "x");
  WriteBytes(dir.Join("notes.txt"), "x");
  WriteBytes(dir.Join("other.pt"), "x");
  WriteBytes(dir.Join("cnn-.pt"), "x");
  setenv("NEARDUP_MODEL_DIR", dir.path().c_str(), 1);
  const std::vector<std::string> dirs = ModelSearchDirs();
  const std::vector<std::string> installed = InstalledNnMethods();
  StatusOr<std::string> found = FindModelFile("stn-cnn:resnet18", NnMethodOptions{});
  StatusOr<std::string> missing = FindModelFile("cnn:resnet50", NnMethodOptions{});
  unsetenv("NEARDUP_MODEL_DIR");

  ASSERT_FALSE(dirs.empty());
  EXPECT_EQ(dirs[0], dir.path());
  EXPECT_TRUE(Contains(installed, "stn-cnn:resnet18"));
  EXPECT_TRUE(Contains(installed, "cnn:vgg16"));
  EXPECT_FALSE(Contains(installed, "cnn:"));
  for (const std::string& m : installed) {
    EXPECT_TRUE(m.rfind("stn-cnn:", 0) == 0 || m.rfind("cnn:", 0) == 0) << m;
  }
  EXPECT_TRUE(std::is_sorted(installed.begin(), installed.end()));
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(*found, dir.Join("stn-cnn-resnet18.pt"));
  ASSERT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find(dir.Join("cnn-resnet50.pt")), std::string::npos);
  EXPECT_NE(missing.status().message().find("neardup train"), std::string::npos);
}

TEST(ModelFilesTest, ExplicitPathWins) {
  TempDir dir;
  WriteBytes(dir.Join("m.pt"), "x");
  NnMethodOptions o;
  o.model_path = dir.Join("m.pt");
  StatusOr<std::string> p = FindModelFile("stn-cnn:mobile", o);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(*p, o.model_path);
  o.model_path = dir.Join("none.pt");
  EXPECT_EQ(FindModelFile("stn-cnn:mobile", o).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(ModelFileName("stn-cnn:efficientnet_b0"), "stn-cnn-efficientnet_b0.pt");
}

}  // namespace
}  // namespace neardup
