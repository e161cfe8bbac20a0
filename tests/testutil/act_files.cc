// Files and plans for the act tests (act_files.h).
#include "testutil/act_files.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "testutil/testutil.h"

namespace neardup::testing {

std::optional<FileState> StateOf(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  return FileState{ReadFile(path), mode_t(st.st_mode & 07777),
                   int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
}

void MakeFile(const std::string& path, const std::string& bytes, mode_t mode, int64_t mtime_ns) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  WriteBytes(path, bytes);
  ASSERT_EQ(::chmod(path.c_str(), mode), 0) << path;
  const struct timespec t[2] = {{mtime_ns / 1000000000, mtime_ns % 1000000000},
                                {mtime_ns / 1000000000, mtime_ns % 1000000000}};
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), t, 0), 0) << path;
}

PlanFile Facts(const std::string& path, bool keep) {
  PlanFile f;
  f.path = path;
  f.keep = keep;
  std::optional<FileState> s = StateOf(path);
  EXPECT_TRUE(s) << path;
  if (!s) return f;
  f.bytes = int64_t(s->bytes.size());
  f.mtime_ns = s->mtime_ns;
  StatusOr<std::string> sha = FileSha256(path);
  EXPECT_TRUE(sha.ok()) << sha.status().ToString();
  if (sha.ok()) f.sha256 = *sha;
  return f;
}

std::string PlanJson(const Plan& plan) {
  nlohmann::json j;
  j["cwd"] = "/";
  j["roots"] = plan.roots;
  nlohmann::json groups = nlohmann::json::array();
  for (const PlanGroup& g : plan.groups) {
    nlohmann::json files = nlohmann::json::array();
    for (const PlanFile& f : g.files) {
      files.push_back({{"path", f.path},
                       {"keep", f.keep},
                       {"bytes", f.bytes},
                       {"mtime_ns", f.mtime_ns},
                       {"sha256", f.sha256}});
    }
    groups.push_back({{"files", files}});
  }
  j["groups"] = groups;
  return j.dump(1);
}

std::vector<std::string> ListDir(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    out.push_back(e.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace neardup::testing
