#include "testutil/run_cli.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "testutil/testutil.h"

namespace neardup::testing {
namespace {

CliResult Run(const std::string& program, const std::vector<std::string>& args, int uid,
              int timeout_s, const std::vector<std::string>& env) {
  TempDir io;
  ::chmod(io.path().c_str(), 0777);
  const std::string out_path = io.Join("out"), err_path = io.Join("err");
  pid_t pid = ::fork();
  if (pid == 0) {
    int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0666);
    int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0666);
    int in = ::open("/dev/null", O_RDONLY);
    ::dup2(out, 1);
    ::dup2(err, 2);
    ::dup2(in, 0);
    for (const std::string& e : env) ::putenv(const_cast<char*>(e.c_str()));
    if (uid >= 0) {
      if (::setgid(uid) != 0 || ::setuid(uid) != 0) ::_exit(126);
    }
    std::vector<char*> argv;
    std::string bin = program;
    argv.push_back(bin.data());
    std::vector<std::string> copy = args;
    for (std::string& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execvp(bin.c_str(), argv.data());
    ::_exit(127);
  }
  CliResult r;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  int status = 0;
  for (;;) {
    pid_t w = ::waitpid(pid, &status, WNOHANG);
    if (w == pid) break;
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      r.err = "timeout";
      return r;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = ReadFile(out_path);
  r.err = ReadFile(err_path);
  return r;
}

}  // namespace

CliResult RunCli(const std::vector<std::string>& args, int uid, int timeout_s,
                 const std::vector<std::string>& env) {
  return Run(NEARDUP_CLI_PATH, args, uid, timeout_s, env);
}

CliResult RunProgram(const std::string& program, const std::vector<std::string>& args,
                     int timeout_s, const std::vector<std::string>& env) {
  return Run(program, args, -1, timeout_s, env);
}

}  // namespace neardup::testing
