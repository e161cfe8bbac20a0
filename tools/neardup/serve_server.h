// `neardup serve`: the review page and the JSON API over the library (issue 16). Only the roots
// given at start are scanned or served; anything that changes state needs the token.
#ifndef NEARDUP_TOOLS_SERVE_SERVER_H_
#define NEARDUP_TOOLS_SERVE_SERVER_H_

#include <httplib.h>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "neardup/image_index.h"
#include "scan_flags.h"
#include "serve_limits.h"

namespace neardup::cli {

struct ServeFlags {
  ScanFlags scan;             // inputs = the roots
  std::string bind = "127.0.0.1:8080";
  std::string index;          // --index DB: enables POST /v1/query and /v1/images
  std::string token_file;     // empty: a token is generated and printed
  std::string journal_dir;    // act/undo journals (empty: DefaultJournalDir())
  std::string thumbs_dir;     // empty: $XDG_CACHE_HOME/neardup/thumbs
  int workers = 8;            // connection threads
  int max_queue = 256;        // connections waiting beyond the workers; more get 503
  int heavy = 0;              // requests decoding or describing at once (0 = cores)
  int max_body_mb = 32;       // request bodies (uploads, plans)
  int64_t max_pixels = 64'000'000;  // uploaded images
  int timeout_s = 30;         // socket read/write timeout and the wait for a heavy slot
};

class Server {
 public:
  explicit Server(ServeFlags flags);
  ~Server();
  // Binds, prints the address and token, scans the roots in the background and serves until
  // Stop() (or a signal). Returns the process exit code.
  int Run();
  void Stop();

 private:
  struct ScanState;
  using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;

  void Route(const char* method, const std::string& pattern, const std::string& name, bool token,
             Handler h);
  void RegisterRoutes();
  void RegisterMediaRoutes();  // serve_media.cc
  void StartScan();  // asks the scan thread for a (re)scan
  void ScanLoop();
  void ScanOnce();
  bool Authorized(const httplib::Request& req) const;
  // The absolute real path of `path` when it is a file the current scan found (or an upload of
  // the index) and still lies inside a root, else nullopt.
  std::optional<std::string> ServablePath(const std::string& path) const;
  nlohmann::ordered_json GroupsPage(int64_t offset, int64_t limit) const;

  ServeFlags flags_;
  std::vector<std::string> roots_;  // real paths
  std::string token_;
  httplib::Server http_;
  Metrics metrics_;
  WorkGate heavy_;
  std::atomic<int64_t> described_{0};

  mutable std::mutex scan_mu_;
  std::unique_ptr<ScanState> scan_;
  std::condition_variable scan_cv_;
  bool stopping_ = false;
  std::thread scan_thread_;
  std::mutex act_mu_;  // one act or undo at a time

  std::mutex index_mu_;
  std::unique_ptr<ImageIndex> index_;
};

int RunServe(const ServeFlags& flags);

}  // namespace neardup::cli

#endif  // NEARDUP_TOOLS_SERVE_SERVER_H_
