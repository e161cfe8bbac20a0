// Runs the built `neardup` binary in a child process and captures what it printed.
#ifndef NEARDUP_TESTS_RUN_CLI_H_
#define NEARDUP_TESTS_RUN_CLI_H_

#include <string>
#include <vector>

namespace neardup::testing {

struct CliResult {
  int exit_code = -1;  // -1 when killed by a signal or the timeout
  std::string out;
  std::string err;
};

// Runs `neardup args...`; `uid` >= 0 runs it as that user (needs root). Kills it after
// `timeout_s` seconds (a hang is a test failure, not a stuck suite).
CliResult RunCli(const std::vector<std::string>& args, int uid = -1, int timeout_s = 60,
                 const std::vector<std::string>& env = {});

// Runs `program args...` (found in PATH unless it has a slash), like RunCli.
CliResult RunProgram(const std::string& program, const std::vector<std::string>& args,
                     int timeout_s = 60, const std::vector<std::string>& env = {});

}  // namespace neardup::testing

#endif  // NEARDUP_TESTS_RUN_CLI_H_
