// ParsePlan (src/act/plan.cc) and FileSha256 (src/act/file_sha256.cc).
#include <gtest/gtest.h>

#include "neardup/act.h"
#include "testutil/testutil.h"

namespace neardup {
namespace {

TEST(FileSha256Test, KnownVector) {
  testing::TempDir tmp;
  testing::WriteBytes(tmp.Join("abc"), "abc");
  StatusOr<std::string> sha = FileSha256(tmp.Join("abc"));
  ASSERT_TRUE(sha.ok()) << sha.status().ToString();
  EXPECT_EQ(*sha, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(FileSha256(tmp.Join("missing")).status().code(), StatusCode::kNotFound);
}

TEST(ParsePlanTest, ReadsFindJson) {
  StatusOr<Plan> p = ParsePlan(R"({"cwd": "/home/u", "roots": ["pics", "/abs"], "method": "x",
    "groups": [{"files": [
      {"path": "pics/a.jpg", "keep": true, "bytes": 3, "mtime_ns": 5, "sha256":
       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "score": 1.0},
      {"path": "x", "path_hex": "2f612f5c7862ff", "keep": false}]}]})");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->roots, (std::vector<std::string>{"/home/u/pics", "/abs"}));
  ASSERT_EQ(p->groups.size(), 1u);
  const auto& f = p->groups[0].files;
  EXPECT_EQ(f[0].path, "/home/u/pics/a.jpg");
  EXPECT_TRUE(f[0].keep);
  EXPECT_EQ(f[0].bytes, 3);
  EXPECT_EQ(f[0].mtime_ns, 5);
  EXPECT_EQ(f[1].path, std::string("/a/\\xb\xff"));  // the exact bytes of path_hex
  EXPECT_EQ(f[1].bytes, -1);
  EXPECT_EQ(f[1].mtime_ns, -1);
  EXPECT_TRUE(f[1].sha256.empty());
}

void ExpectInvalid(const std::string& json, const std::string& says) {
  StatusOr<Plan> p = ParsePlan(json);
  ASSERT_FALSE(p.ok()) << json;
  EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(p.status().message().find(says), std::string::npos) << p.status().message();
}

TEST(ParsePlanTest, Errors) {
  ExpectInvalid("{not json", "not valid JSON");
  ExpectInvalid(R"({"roots": []})", "no \"groups\"");
  ExpectInvalid(R"({"groups": [{"files": [{"path": "/a", "keep": false}]}]})",
                "0 files have \"keep\": true");
  ExpectInvalid(
      R"({"groups": [{"files": [{"path": "/a", "keep": true}, {"path": "/b", "keep": true}]}]})",
      "2 files have");
  ExpectInvalid(R"({"groups": [{"files": [{"path": "/a", "keep": true}, {"path": "/b", "keep":
    false}]}, {"files": [{"path": "/c", "keep": true}, {"path": "/b", "keep": false}]}]})",
                "/b: the file is listed twice");
  ExpectInvalid(R"({"groups": [{"files": [{"path": "rel.jpg", "keep": true}]}]})", "no \"cwd\"");
  ExpectInvalid(R"({"groups": [{"files": [{"path": "/a", "keep": "yes"}]}]})", "\"keep\"");
  ExpectInvalid(R"({"groups": [{"files": [{"path": "/a", "keep": true, "sha256": "XY"}]}]})",
                "sha256");
  ExpectInvalid(R"({"groups": [{"files": [{"path": "/a", "keep": true, "bytes": -4}]}]})", "bytes");
}

}  // namespace
}  // namespace neardup
