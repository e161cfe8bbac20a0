// A `neardup serve` child process for the server's tests: started with the given arguments and
// environment, its port read from what it prints, stopped (SIGTERM, then SIGKILL) on destruction.
#ifndef NEARDUP_TESTS_SERVE_SERVE_PROCESS_H_
#define NEARDUP_TESTS_SERVE_SERVE_PROCESS_H_

#include <fcntl.h>
#include <httplib.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

namespace neardup::testing {

class ServeProcess {
 public:
  // Runs `neardup serve args...` with `env` added ("NAME=value"); waits up to 60 s for it to
  // listen. port() is 0 when it did not.
  ServeProcess(const std::vector<std::string>& args, const std::vector<std::string>& env) {
    int out[2];
    if (::pipe(out) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(out[1], 1);
      ::close(out[0]);
      ::close(out[1]);
      for (const std::string& e : env) ::putenv(const_cast<char*>(e.c_str()));
      std::vector<std::string> all = {NEARDUP_CLI_PATH, "serve"};
      all.insert(all.end(), args.begin(), args.end());
      std::vector<char*> argv;
      for (std::string& a : all) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    ::close(out[1]);
    fd_ = out[0];
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 200) <= 0) continue;
      char buf[512];
      const ssize_t n = ::read(fd_, buf, sizeof buf);
      if (n <= 0) break;
      printed_.append(buf, size_t(n));
      const size_t at = printed_.find("listening on http://127.0.0.1:");
      if (at != std::string::npos && printed_.find('\n', at) != std::string::npos) {
        port_ = std::atoi(printed_.c_str() + at + std::string("listening on http://127.0.0.1:").size());
        break;
      }
    }
  }
  ~ServeProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      for (int i = 0; i < 50; ++i) {
        if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
          pid_ = 0;
          break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      if (pid_ > 0) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
      }
    }
    if (fd_ >= 0) ::close(fd_);
  }
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;

  int port() const { return port_; }
  const std::string& printed() const { return printed_; }
  httplib::Client Client() const {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(60, 0);
    return c;
  }
  // Polls GET /v1/groups until the scan is ready (60 s at most); the document, or null.
  nlohmann::json WaitForGroups(const std::string& query = "") const {
    httplib::Client c = Client();
    for (int i = 0; i < 600; ++i) {
      auto r = c.Get(("/v1/groups" + query).c_str());
      if (r && r->status == 200) {
        nlohmann::json j = nlohmann::json::parse(r->body, nullptr, false);
        if (j.is_object() && j.value("state", "") == "ready") return j;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return nullptr;
  }

 private:
  pid_t pid_ = -1;
  int fd_ = -1;
  int port_ = 0;
  std::string printed_;
};

}  // namespace neardup::testing

#endif  // NEARDUP_TESTS_SERVE_SERVE_PROCESS_H_
