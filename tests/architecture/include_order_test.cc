// The layering of docs/ARCHITECTURE.md holds in the tree: no file under src/ (and no public header)
// includes a header of a layer above its own, every src/ folder has a layer and every public
// header an owner. The checker is also run on a small made-up tree, so it is known to catch an
// upward include and an unlisted folder.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "testutil/testutil.h"

namespace neardup {
namespace {

namespace fs = std::filesystem;

constexpr const char* kTypesOwner = "types";

struct Layering {
  std::vector<std::string> layers;           // lowest first
  std::map<std::string, std::string> owner;  // "neardup/x.h" -> folder, or kTypesOwner
};

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The numbered list under "## Layers" ("1. `core/` — ...") and the owner table ("| `neardup/x.h`
// | `folder` |" or "| ... | types |").
Layering ParseArchitecture(const std::string& doc) {
  Layering out;
  std::istringstream in(doc);
  std::string line, section;
  const std::regex layer(R"(^\d+\.\s+`([a-z_]+)/`)");
  const std::regex owner(R"(^\|\s*`(neardup/[a-z_0-9]+\.h)`\s*\|\s*`?([a-z_]+)`?\s*\|)");
  std::smatch m;
  while (std::getline(in, line)) {
    if (line.rfind("## ", 0) == 0) section = line.substr(3);
    if (section == "Layers" && std::regex_search(line, m, layer)) out.layers.push_back(m[1]);
    if (std::regex_search(line, m, owner)) out.owner[m[1]] = m[2];
  }
  return out;
}

// One problem per line: an upward include, an unlisted folder, a public header without owner.
std::vector<std::string> CheckTree(const fs::path& root, const Layering& layering) {
  std::vector<std::string> problems;
  std::map<std::string, int> rank;
  for (size_t i = 0; i < layering.layers.size(); ++i) rank[layering.layers[i]] = int(i);
  auto rank_of_owner = [&](const std::string& owner) {
    return owner == kTypesOwner ? -1 : (rank.count(owner) ? rank[owner] : -2);
  };
  for (const auto& [header, owner] : layering.owner) {
    if (owner != kTypesOwner && !rank.count(owner)) {
      problems.push_back(header + ": owner " + owner + " is not a layer");
    }
  }
  if (fs::is_directory(root / "include/neardup")) {
    for (const auto& e : fs::directory_iterator(root / "include/neardup")) {
      const std::string h = "neardup/" + e.path().filename().string();
      if (!layering.owner.count(h)) problems.push_back(h + ": no owner in docs/ARCHITECTURE.md");
    }
  }
  const std::regex include(R"(^\s*#\s*include\s+"([^"]+)\")");
  // The layer a quoted include belongs to: a public header's owner, a folder of src/, or none
  // (a header beside the includer, a third-party one).
  auto target_rank = [&](const std::string& inc, std::string* layer) -> int {
    const size_t slash = inc.find('/');
    if (slash == std::string::npos) return -1;
    const std::string top = inc.substr(0, slash);
    if (top == "neardup") {
      auto it = layering.owner.find(inc);
      if (it == layering.owner.end()) return -1;  // reported above
      *layer = it->second;
      return rank_of_owner(it->second);
    }
    if (!fs::is_directory(root / "src" / top)) return -1;
    *layer = top;
    return rank.count(top) ? rank[top] : -1;
  };
  auto check_file = [&](const fs::path& file, const std::string& name, int own_rank,
                        const std::string& own_layer) {
    std::ifstream in(file);
    std::string line;
    std::smatch m;
    for (int n = 1; std::getline(in, line); ++n) {
      if (!std::regex_search(line, m, include)) continue;
      std::string layer;
      const int r = target_rank(m[1], &layer);
      if (r > own_rank) {
        problems.push_back(name + ":" + std::to_string(n) + " includes \"" + m[1].str() +
                           "\": layer " + layer + " is above " + own_layer);
      }
    }
  };
  if (!fs::is_directory(root / "src")) return {"no src/ under " + root.string()};
  for (const auto& dir : fs::directory_iterator(root / "src")) {
    if (!dir.is_directory()) continue;
    const std::string folder = dir.path().filename().string();
    if (!rank.count(folder)) {
      problems.push_back("src/" + folder + "/: not a layer of docs/ARCHITECTURE.md");
      continue;
    }
    for (const auto& e : fs::recursive_directory_iterator(dir.path())) {
      const std::string ext = e.path().extension().string();
      if (ext != ".cc" && ext != ".h") continue;
      check_file(e.path(), fs::relative(e.path(), root).string(), rank[folder], folder);
    }
  }
  if (fs::is_directory(root / "include/neardup")) {
    for (const auto& e : fs::directory_iterator(root / "include/neardup")) {
      const std::string h = "neardup/" + e.path().filename().string();
      auto it = layering.owner.find(h);
      if (it == layering.owner.end() || it->second == kTypesOwner) continue;
      check_file(e.path(), "include/" + h, rank_of_owner(it->second), it->second);
    }
  }
  std::sort(problems.begin(), problems.end());
  return problems;
}

// tests/data -> the repository.
fs::path RepoRoot() { return fs::path(NEARDUP_TEST_DATA).parent_path().parent_path(); }

TEST(IncludeOrder, TheTreeFollowsTheDeclaredLayers) {
  const fs::path root = fs::weakly_canonical(RepoRoot());
  ASSERT_TRUE(fs::exists(root / "docs/ARCHITECTURE.md")) << root;
  const Layering layering = ParseArchitecture(ReadFile(root / "docs/ARCHITECTURE.md"));
  ASSERT_GE(layering.layers.size(), 10u);
  ASSERT_EQ(layering.layers.front(), "core");
  ASSERT_GE(layering.owner.size(), 20u);
  std::string all;
  for (const std::string& p : CheckTree(root, layering)) all += p + "\n";
  EXPECT_EQ(all, "") << "see docs/ARCHITECTURE.md";
}

TEST(IncludeOrder, TheCheckerCatchesAnUpwardIncludeAndAnUnlistedFolder) {
  testing::TempDir dir;
  const fs::path root = dir.path();
  fs::create_directories(root / "src/low");
  fs::create_directories(root / "src/high");
  fs::create_directories(root / "src/stray");
  fs::create_directories(root / "include/neardup");
  testing::WriteBytes((root / "src/high/h.cc").string(), "#include \"low/l.h\"\n");  // fine
  testing::WriteBytes((root / "src/low/l.cc").string(),
                      "// a comment\n#include <vector>\n#include \"high/h.h\"\n");
  testing::WriteBytes((root / "src/low/p.cc").string(), "#include \"neardup/api.h\"\n");
  testing::WriteBytes((root / "include/neardup/api.h").string(), "#include \"neardup/t.h\"\n");
  testing::WriteBytes((root / "include/neardup/t.h").string(), "\n");
  testing::WriteBytes((root / "include/neardup/orphan.h").string(), "\n");
  const Layering layering = ParseArchitecture(
      "## Layers\n1. `low/` — below\n2. `high/` — above\n## Owners\n"
      "| `neardup/api.h` | `high` |\n| `neardup/t.h` | types |\n");
  ASSERT_EQ(layering.layers, (std::vector<std::string>{"low", "high"}));
  EXPECT_EQ(CheckTree(root, layering),
            (std::vector<std::string>{
                "neardup/orphan.h: no owner in docs/ARCHITECTURE.md",
                "src/low/l.cc:3 includes \"high/h.h\": layer high is above low",
                "src/low/p.cc:1 includes \"neardup/api.h\": layer high is above low",
                "src/stray/: not a layer of docs/ARCHITECTURE.md",
            }));
}

}  // namespace
}  // namespace neardup
