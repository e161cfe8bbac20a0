// neardup: find near-duplicate images. See README.md and `neardup --help`.
#include <cstdio>

#include "commands.h"
#include "neardup/cluster.h"

int main(int argc, char** argv) {
  using namespace neardup::cli;
  CLI::App app{"neardup " NEARDUP_VERSION ": find near-duplicate images", "neardup"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "neardup " NEARDUP_VERSION);
  // "neardup: --k: 0 is out of range (1..10000)", like the commands' own usage errors.
  app.failure_message([](const CLI::App* a, const CLI::Error& e) {
    return "neardup: " + CLI::FailureMessage::simple(a, e);
  });
  std::vector<Command> commands;
  AddFindCommand(app, &commands);
  AddPairsCommand(app, &commands);
  AddHashCommand(app, &commands);
  AddCompareCommand(app, &commands);
  AddExplainCommand(app, &commands);
  AddBenchCommand(app, &commands);
  AddTrainCommand(app, &commands);
  AddIndexCommand(app, &commands);
  AddModelCommand(app, &commands);
  AddActCommand(app, &commands);
  AddServeCommand(app, &commands);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  }
  for (const Command& c : commands) {
    if (!c.app->parsed()) continue;
    if (!c.distributed) return neardup::LaunchedRank() == 0 ? c.run() : kExitOk;
    neardup::StatusOr<neardup::ClusterInfo> cluster = neardup::JoinCluster();
    if (!cluster.ok()) {
      std::fprintf(stderr, "neardup: %s\n", cluster.status().message().c_str());
      return kExitUsage;
    }
    if (cluster->rank != 0) {
      // Every process computes the whole result; rank 0 prints it.
      if (!std::freopen("/dev/null", "w", stdout) || !std::freopen("/dev/null", "w", stderr)) {
        return kExitUsage;
      }
    }
    return c.run();
  }
  return kExitUsage;
}
