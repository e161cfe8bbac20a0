// `neardup act` and `neardup undo` (tools/neardup/cmd_act.cc) end to end: find --json on a copy of
// examples/, the dry run, the real run, undo, and the usage errors.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "fixture.h"
#include "testutil/run_cli.h"

namespace neardup::act_test {
namespace {

namespace fs = std::filesystem;
using testing::RunCli;

class ActCliTest : public ActFixture {
 protected:
  void SetUp() override {
    ActFixture::SetUp();
    fs::copy(std::string(NEARDUP_TEST_DATA) + "/../../examples", root_,
             fs::copy_options::recursive | fs::copy_options::overwrite_existing);
    for (const auto& e : fs::directory_iterator(root_)) {
      if (e.is_regular_file()) before_[e.path()] = *testing::StateOf(e.path());
    }
    testing::CliResult find = RunCli({"find", root_, "--json", "--no-cache", "--method", "pdq8"});
    ASSERT_EQ(find.exit_code, 0) << find.err;
    plan_ = tmp_.Join("plan.json");
    testing::WriteBytes(plan_, find.out);
  }
  void ExpectUntouched() {
    for (const auto& [p, s] : before_) EXPECT_TRUE(testing::StateOf(p) == s) << p;
  }
  std::string plan_;
  std::map<std::string, testing::FileState> before_;
};

TEST_F(ActCliTest, DryRunThenActThenUndo) {
  testing::CliResult dry = RunCli({"act", plan_});
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_NE(dry.out.find("dry run: 3 to trash, 0 skipped"), std::string::npos) << dry.out;
  ExpectUntouched();
  EXPECT_FALSE(fs::exists(tmp_.path() + "/state"));
  EXPECT_FALSE(fs::exists(tmp_.path() + "/data"));

  testing::CliResult run = RunCli({"act", plan_, "--yes", "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const nlohmann::json j = nlohmann::json::parse(run.out);
  EXPECT_EQ(j["done"], 3);
  EXPECT_EQ(j["dry_run"], false);
  for (const auto& a : j["actions"]) {
    EXPECT_FALSE(fs::exists(a["path"].get<std::string>()));
    EXPECT_TRUE(fs::exists(a["destination"].get<std::string>()));
    EXPECT_TRUE(fs::exists(a["keep"].get<std::string>()));
  }
  EXPECT_EQ(testing::ListDir(TrashFiles()).size(), 3u);

  testing::CliResult list = RunCli({"undo", "--list"});
  EXPECT_NE(list.out.find("trash        3 done"), std::string::npos) << list.out;
  testing::CliResult undo = RunCli({"undo"});
  ASSERT_EQ(undo.exit_code, 0) << undo.err;
  EXPECT_NE(undo.out.find("3 restored, 0 skipped, 0 failed"), std::string::npos) << undo.out;
  ExpectUntouched();
  EXPECT_TRUE(testing::ListDir(TrashFiles()).empty());
  testing::CliResult again = RunCli({"undo"});
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_NE(again.out.find("nothing to undo"), std::string::npos) << again.out;
  ExpectUntouched();
}

TEST_F(ActCliTest, UsageErrors) {
  EXPECT_EQ(RunCli({"act", tmp_.Join("missing.json")}).exit_code, 1);
  testing::WriteBytes(tmp_.Join("bad.json"), "{\"groups\": 3}");
  testing::CliResult bad = RunCli({"act", tmp_.Join("bad.json"), "--yes"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("bad.json: the plan has no \"groups\""), std::string::npos) << bad.err;
  EXPECT_EQ(RunCli({"act", plan_, "--trash", "--delete", "--yes"}).exit_code, 1);
  EXPECT_EQ(RunCli({"undo", tmp_.Join("nope.jsonl")}).exit_code, 1);
  ExpectUntouched();
}

}  // namespace
}  // namespace neardup::act_test
