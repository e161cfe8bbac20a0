// `neardup bench ...`: the benchmark commands. Each sub-subcommand lives in its own file
// (cmd_bench_eval.cc, ...) and is registered here.
#include "commands.h"

namespace neardup::cli {

// The `bench` subcommands, defined in their cmd_bench_*.cc files.
void AddBenchEvalCommand(CLI::App& bench, std::vector<Command>* out);
void AddBenchMakeCommand(CLI::App& bench, std::vector<Command>* out);
void AddBenchRunCommand(CLI::App& bench, std::vector<Command>* out);

void AddBenchCommand(CLI::App& root, std::vector<Command>* out) {
  CLI::App* bench = root.add_subcommand("bench", "Benchmark a near-duplicate detector");
  bench->require_subcommand(1);
  AddBenchMakeCommand(*bench, out);
  AddBenchEvalCommand(*bench, out);
  AddBenchRunCommand(*bench, out);
}

}  // namespace neardup::cli
