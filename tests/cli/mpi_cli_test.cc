// `mpirun -np P neardup find` and `... index dups` print exactly what one process prints.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "neardup/decode.h"
#include "neardup/preprocess.h"
#include "testutil/run_cli.h"
#include "testutil/testutil.h"

namespace neardup {
namespace {

using testing::RunCli;
using testing::RunProgram;

// mpirun refuses root unless told, and containers often forbid the cross-process memory copies
// of its shared-memory transport; the tests may run as root in a container.
const std::vector<std::string> kMpiEnv = {"OMPI_ALLOW_RUN_AS_ROOT=1",
                                          "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1",
                                          "OMPI_MCA_rmaps_base_oversubscribe=1",
                                          "OMPI_MCA_btl_vader_single_copy_mechanism=none"};

bool HaveMpirun() {
  return RunProgram("mpirun", {"--version"}, 30, kMpiEnv).exit_code == 0;
}

testing::CliResult Mpirun(int np, std::vector<std::string> args) {
  std::vector<std::string> all = {"-np", std::to_string(np), "--oversubscribe", NEARDUP_CLI_PATH};
  all.insert(all.end(), args.begin(), args.end());
  return RunProgram("mpirun", all, 120, kMpiEnv);
}

TEST(MpiCliTest, FindAndIndexDupsPrintWhatOneProcessPrints) {
  if (!HaveMpirun()) GTEST_SKIP() << "mpirun not installed (openmpi-bin)";
  testing::TempDir photos, scratch;
  for (int i = 0; i < 23; ++i) {
    Image p = testing::MakeTestPhoto(240, 180, 300 + i);
    ASSERT_TRUE(WriteImage(photos.Join("p" + std::to_string(i) + ".png"), p).ok());
    if (i % 4 == 0) {  // a few resized copies make groups
      ASSERT_TRUE(
          WriteImage(photos.Join("p" + std::to_string(i) + "-small.jpg"), Resize(p, 120, 90), 80)
              .ok());
    }
  }
  testing::WriteBytes(photos.Join("broken.png"), "not a png");

  const std::vector<std::string> find = {"find", photos.path(), "--csv", "--no-cache"};
  auto one = RunCli(find);
  ASSERT_EQ(one.exit_code, 2) << one.err;  // broken.png
  ASSERT_NE(one.out.find("-small.jpg"), std::string::npos);
  for (int np : {2, 3}) {
    auto many = Mpirun(np, find);
    EXPECT_EQ(many.exit_code, one.exit_code) << many.err;
    EXPECT_EQ(many.out, one.out) << np << " processes";
    EXPECT_NE(many.err.find("broken.png"), std::string::npos);  // reported by rank 0
  }

  const std::string ix = scratch.Join("ix");
  ASSERT_EQ(RunCli({"index", "create", ix}).exit_code, 0);
  ASSERT_EQ(RunCli({"index", "add", ix, photos.path()}).exit_code, 2);
  auto dups = RunCli({"index", "dups", ix});
  ASSERT_EQ(dups.exit_code, 0);
  ASSERT_NE(dups.out.find("-small.jpg"), std::string::npos);
  auto many = Mpirun(2, {"index", "dups", ix});
  EXPECT_EQ(many.exit_code, 0) << many.err;
  EXPECT_EQ(many.out, dups.out);
  // A command that is not distributed runs once (rank 0), not once per process.
  auto stats = Mpirun(2, {"index", "stats", ix});
  EXPECT_EQ(stats.exit_code, 0);
  EXPECT_EQ(stats.out, RunCli({"index", "stats", ix}).out);
}

}  // namespace
}  // namespace neardup
