// The subcommands of the neardup CLI. Each lives in its own file, only parses options and calls
// the library; shared printing helpers are in output.h.
#ifndef NEARDUP_TOOLS_COMMANDS_H_
#define NEARDUP_TOOLS_COMMANDS_H_

#include <CLI/CLI.hpp>
#include <functional>
#include <vector>

namespace neardup::cli {

// Exit codes of every command.
inline constexpr int kExitOk = 0;          // everything was read
inline constexpr int kExitUsage = 1;       // bad command line or option
inline constexpr int kExitSomeFailed = 2;  // ran, but some inputs could not be read

// A registered subcommand: its CLI11 node and what to run when it was chosen.
// Under `mpirun -np P` (include/neardup/cluster.h) a `distributed` command runs in every process
// and only rank 0 prints; any other command runs in rank 0 alone.
struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;
  bool distributed = false;
};

void AddFindCommand(CLI::App& root, std::vector<Command>* out);
void AddPairsCommand(CLI::App& root, std::vector<Command>* out);
void AddHashCommand(CLI::App& root, std::vector<Command>* out);
void AddCompareCommand(CLI::App& root, std::vector<Command>* out);
void AddExplainCommand(CLI::App& root, std::vector<Command>* out);
void AddBenchCommand(CLI::App& root, std::vector<Command>* out);  // and its subcommands
void AddTrainCommand(CLI::App& root, std::vector<Command>* out);
void AddIndexCommand(CLI::App& root, std::vector<Command>* out);  // and its subcommands
void AddModelCommand(CLI::App& root, std::vector<Command>* out);  // and its subcommands
void AddActCommand(CLI::App& root, std::vector<Command>* out);    // act and undo
void AddServeCommand(CLI::App& root, std::vector<Command>* out);

}  // namespace neardup::cli

#endif  // NEARDUP_TOOLS_COMMANDS_H_
