#include "serve_server.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "find_json.h"
#include "json_out.h"
#include "neardup/act.h"
#include "neardup/find.h"
#include "neardup/registry.h"
#include "neardup/text.h"
#include "serve_assets.h"
#include "serve_http.h"

namespace neardup::cli {
namespace fs = std::filesystem;

struct Server::ScanState {
  std::string state = "scanning";  // "scanning", "ready", "failed"
  int64_t done = 0, total = 0;
  std::string error;
  int64_t generation = 0;  // bumped by every finished scan
  bool wanted = false;     // a scan was asked for and has not started
  bool running = false;
  nlohmann::ordered_json doc;
  std::unordered_set<std::string> files;  // absolute paths as scanned
};

namespace {

std::string RandomToken() {
  unsigned char b[16] = {};
  const int fd = ::open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    if (::read(fd, b, sizeof b) != ssize_t(sizeof b)) b[0] ^= 1;
    ::close(fd);
  }
  return HexBytes(std::string_view(reinterpret_cast<const char*>(b), sizeof b));
}

std::optional<ActionKind> ActionKindFromName(const std::string& name) {
  for (ActionKind k : {ActionKind::kTrash, ActionKind::kMoveTo, ActionKind::kHardlink,
                       ActionKind::kSymlink, ActionKind::kDelete}) {
    if (name == ActionKindName(k)) return k;
  }
  return std::nullopt;
}

}  // namespace

Server::Server(ServeFlags flags)
    : flags_(std::move(flags)),
      heavy_(
          flags_.heavy > 0 ? flags_.heavy : int(std::max(1u, std::thread::hardware_concurrency())),
          flags_.max_queue, std::chrono::seconds(flags_.timeout_s)),
      scan_(std::make_unique<ScanState>()) {}

Server::~Server() {
  Stop();
  if (scan_thread_.joinable()) {
    bool running;
    {
      std::lock_guard<std::mutex> lock(scan_mu_);
      running = scan_->running;
    }
    // A scan cannot be interrupted: one still running ends with the process (the cache is
    // transactional), the idle loop is joined.
    if (running) {
      scan_thread_.detach();
    } else {
      scan_thread_.join();
    }
  }
}

void Server::Stop() {
  {
    std::lock_guard<std::mutex> lock(scan_mu_);
    stopping_ = true;
  }
  scan_cv_.notify_all();
  http_.stop();
}

bool Server::Authorized(const httplib::Request& req) const {
  const std::string auth = req.get_header_value("Authorization");
  const std::string header = req.get_header_value("X-Neardup-Token");
  return (auth == "Bearer " + token_) || (!header.empty() && header == token_);
}

void Server::Route(const char* method, const std::string& pattern, const std::string& name,
                   bool token, Handler h) {
  auto wrapped = [this, name, token, h](const httplib::Request& req, httplib::Response& res) {
    const auto start = std::chrono::steady_clock::now();
    if (BoundedTaskQueue::RejectingThisConnection()) {
      // Beyond the queue bound (the body was read, so the client sees the answer, not a reset).
      metrics_.Add("rejected_total");
      res.set_header("Connection", "close");
      res.set_header("Retry-After", "1");
      JsonError(res, 503, "busy: too many requests queued; retry later");
    } else if (token && !Authorized(req)) {
      JsonError(res, 401,
                "this request changes state: it needs the token (header "
                "'Authorization: Bearer TOKEN'), printed when the server started");
    } else {
      try {
        h(req, res);
      } catch (const std::exception& e) {
        JsonError(res, 500, std::string("internal error: ") + e.what());
      }
    }
    metrics_.Observe(
        name, res.status,
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  };
  const std::string m = method;
  if (m == "GET") {
    http_.Get(pattern, wrapped);
  } else {
    http_.Post(pattern, wrapped);
  }
}

std::optional<std::string> Server::ServablePath(const std::string& path) const {
  if (path.empty() || path[0] != '/') return std::nullopt;
  const std::string lexical = fs::path(path).lexically_normal().string();
  {
    std::lock_guard<std::mutex> lock(scan_mu_);
    const bool scanned = scan_->files.count(lexical) > 0;
    const bool upload =
        !flags_.index.empty() &&
        lexical.rfind(fs::path(flags_.index).lexically_normal().string() + "/uploads/", 0) == 0;
    if (!scanned && !upload) return std::nullopt;
  }
  std::error_code ec;
  const fs::path real = fs::canonical(lexical, ec);
  if (ec || !fs::is_regular_file(real, ec)) return std::nullopt;
  std::vector<std::string> allowed = roots_;
  if (!flags_.index.empty()) {
    std::error_code e2;
    allowed.push_back(fs::canonical(fs::path(flags_.index) / "uploads", e2).string());
  }
  for (const std::string& root : allowed) {
    const std::string r = root == "/" ? root : root + "/";
    if (real.string() == root || real.string().rfind(r, 0) == 0) return real.string();
  }
  return std::nullopt;  // a symlink out of the roots
}

void Server::StartScan() {
  std::lock_guard<std::mutex> lock(scan_mu_);
  scan_->wanted = true;
  if (scan_->state != "scanning") {
    scan_->state = "scanning";
    scan_->done = scan_->total = 0;
  }
  scan_cv_.notify_one();
}

void Server::ScanLoop() {
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(scan_mu_);
      scan_cv_.wait(lock, [&] { return scan_->wanted || stopping_; });
      if (stopping_) return;
      scan_->wanted = false;
      scan_->state = "scanning";
      scan_->running = true;
    }
    ScanOnce();
  }
}

void Server::ScanOnce() {
  const auto start = std::chrono::steady_clock::now();
  FindOptions options;
  options.scan = MakeScanOptions(flags_.scan);
  options.scan.inputs = roots_;
  options.scan.progress = [this](int64_t done, int64_t total) {
    std::lock_guard<std::mutex> lock(scan_mu_);
    scan_->done = done;
    scan_->total = total;
  };
  StatusOr<FindResult> r = Find(options);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  nlohmann::ordered_json doc;
  std::unordered_set<std::string> files;
  if (r.ok()) {
    described_ += r->scan.decoded;
    doc = FindJson(*r, roots_, seconds);
    for (const ScannedFile& f : r->scan.files) {
      files.insert(fs::path(f.path).lexically_normal().string());
    }
  }
  std::lock_guard<std::mutex> lock(scan_mu_);
  ++scan_->generation;
  scan_->running = false;
  if (r.ok()) {
    scan_->state = scan_->wanted ? "scanning" : "ready";
    scan_->doc = std::move(doc);
    scan_->files = std::move(files);
    scan_->error.clear();
    std::fprintf(stderr, "neardup serve: scanned %zu images, %zu groups in %.1f s\n",
                 scan_->files.size(), scan_->doc["groups"].size(), seconds);
  } else {
    scan_->state = "failed";
    scan_->error = r.status().message();
    std::fprintf(stderr, "neardup serve: scan failed: %s\n", scan_->error.c_str());
  }
}

nlohmann::ordered_json Server::GroupsPage(int64_t offset, int64_t limit) const {
  std::lock_guard<std::mutex> lock(scan_mu_);
  nlohmann::ordered_json out;
  out["state"] = scan_->state;
  out["generation"] = scan_->generation;
  if (scan_->state != "ready") {
    out["done"] = scan_->done;
    out["total"] = scan_->total;
    if (!scan_->error.empty()) out["error"] = scan_->error;
    return out;
  }
  const nlohmann::ordered_json& groups = scan_->doc["groups"];
  for (auto it = scan_->doc.begin(); it != scan_->doc.end(); ++it) {
    if (it.key() != "groups") out[it.key()] = it.value();
  }
  const int64_t n = int64_t(groups.size());
  out["total_groups"] = n;
  out["offset"] = offset;
  nlohmann::ordered_json page = nlohmann::ordered_json::array();
  for (int64_t i = offset; i < n && i < offset + limit; ++i) {
    nlohmann::ordered_json g = groups[size_t(i)];
    // Nanosecond mtimes pass 2^53: as decimal strings they survive JavaScript's numbers
    // (POST /v1/actions turns them back).
    for (auto& f : g["files"]) {
      if (f.contains("mtime_ns")) f["mtime_ns"] = std::to_string(f["mtime_ns"].get<int64_t>());
    }
    page.push_back(std::move(g));
  }
  out["groups"] = std::move(page);
  return out;
}

void Server::RegisterRoutes() {
  Route("GET", "/healthz", "healthz", false, [this](const auto&, auto& res) {
    std::lock_guard<std::mutex> lock(scan_mu_);
    JsonReply(res, 200, {{"status", "ok"}, {"scan", scan_->state}});
  });
  Route("GET", "/metrics", "metrics", false, [this](const auto&, auto& res) {
    std::map<std::string, double> gauges;
    {
      std::lock_guard<std::mutex> lock(scan_mu_);
      gauges["scan_images"] = double(scan_->files.size());
    }
    gauges["heavy_in_use"] = heavy_.in_use();
    gauges["images_described_total"] = double(described_.load());
    res.set_content(metrics_.Render(gauges), "text/plain; version=0.0.4");
  });
  for (const Asset& a : Assets()) {
    const std::string name(a.name);
    const std::string path = name == "index.html" ? "/" : "/assets/" + name;
    Route("GET", path, "page", false, [a](const auto&, auto& res) {
      const std::string n(a.name);
      const char* type = n.ends_with(".html")  ? "text/html; charset=utf-8"
                         : n.ends_with(".js")  ? "text/javascript; charset=utf-8"
                         : n.ends_with(".css") ? "text/css; charset=utf-8"
                                               : "application/octet-stream";
      res.set_header("Cache-Control", "no-cache");
      res.set_header("Content-Security-Policy",
                     "default-src 'self'; img-src 'self' blob: data:; style-src 'self'");
      res.set_content(std::string(a.data), type);
    });
  }
  Route("GET", "/v1/groups", "groups", false, [this](const auto& req, auto& res) {
    const int64_t offset = QueryInt(req, "offset", 0, 0, int64_t(1) << 40);
    const int64_t limit = QueryInt(req, "limit", 100, 1, 1000);
    if (offset < 0 || limit < 0) return JsonError(res, 400, "offset/limit: not a whole number");
    JsonReply(res, 200, GroupsPage(offset, limit));
  });
  Route("POST", "/v1/scan", "scan", true, [this](const auto&, auto& res) {
    StartScan();
    JsonReply(res, 202, {{"state", "scanning"}});
  });
  Route("POST", "/v1/actions", "actions", true, [this](const auto& req, auto& res) {
    nlohmann::json body = nlohmann::json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
      return JsonError(res, 400, "body: not a JSON object");
    }
    ActOptions o;
    const std::string action = body.value("action", "trash");
    std::optional<ActionKind> kind = ActionKindFromName(action);
    if (!kind) return JsonError(res, 400, "action: unknown '" + action + "'");
    o.kind = *kind;
    o.move_to = body.value("move_to", "");
    o.dry_run = !body.value("yes", false);
    o.force = body.value("force", false);
    o.roots = roots_;
    o.journal_dir = flags_.journal_dir;
    if (!body.contains("plan") || !body["plan"].is_object()) {
      return JsonError(res, 400, "plan: missing (the groups document, as GET /v1/groups gives)");
    }
    if (body["plan"].contains("groups") && body["plan"]["groups"].is_array()) {
      for (auto& g : body["plan"]["groups"]) {
        if (!g.is_object() || !g.contains("files") || !g["files"].is_array()) continue;
        for (auto& f : g["files"]) {
          if (!f.is_object() || !f.contains("mtime_ns") || !f["mtime_ns"].is_string()) continue;
          const std::string digits = f["mtime_ns"];
          char* end = nullptr;
          const long long v = std::strtoll(digits.c_str(), &end, 10);
          if (digits.empty() || *end != '\0') return JsonError(res, 400, "mtime_ns: not a number");
          f["mtime_ns"] = int64_t(v);
        }
      }
    }
    StatusOr<Plan> plan = ParsePlan(body["plan"].dump());
    if (!plan.ok()) return JsonError(res, StatusHttpCode(plan.status()), plan.status().message());
    if (plan->roots.empty()) plan->roots = roots_;
    StatusOr<ActReport> report = IOError("not run");
    {
      std::lock_guard<std::mutex> lock(act_mu_);
      report = Act(*plan, o);
    }
    if (!report.ok()) {
      return JsonError(res, StatusHttpCode(report.status()), report.status().message());
    }
    if (!o.dry_run) StartScan();
    const nlohmann::ordered_json out = ActReportJson(*report, o);
    JsonReply(res, 200, out);
  });
  Route("POST", "/v1/undo", "undo", true, [this](const auto& req, auto& res) {
    nlohmann::json body = nlohmann::json::parse(req.body.empty() ? "{}" : req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
      return JsonError(res, 400, "body: not a JSON object");
    }
    std::string journal = body.value("journal", "");
    StatusOr<UndoReport> report = IOError("not run");
    {
      std::lock_guard<std::mutex> lock(act_mu_);
      if (journal.empty()) {
        StatusOr<std::string> latest = LatestJournal(flags_.journal_dir);
        if (!latest.ok() && latest.status().code() == StatusCode::kNotFound) {
          return JsonError(res, 404, "nothing to undo: " + latest.status().message());
        }
        if (!latest.ok()) {
          return JsonError(res, StatusHttpCode(latest.status()), latest.status().message());
        }
        journal = *latest;
      } else if (journal.find('/') != std::string::npos) {
        return JsonError(res, 400, "journal: a name from the journal folder, not a path");
      } else {
        journal = (fs::path(flags_.journal_dir.empty() ? DefaultJournalDir() : flags_.journal_dir) /
                   journal)
                      .string();
      }
      report = Undo(journal);
    }
    if (!report.ok()) {
      return JsonError(res, StatusHttpCode(report.status()), report.status().message());
    }
    StartScan();
    const nlohmann::ordered_json out = UndoReportJson(*report);
    JsonReply(res, 200, out);
  });
}

int Server::Run() {
  // SIGINT/SIGTERM stop the server: blocked in every thread started from here, a thread waits
  // for them.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  // Roots: real paths, each must exist.
  for (const std::string& in : flags_.scan.inputs) {
    std::error_code ec;
    const fs::path real = fs::canonical(in, ec);
    if (ec) {
      std::fprintf(stderr, "neardup serve: %s: %s\n", in.c_str(), ec.message().c_str());
      return 1;
    }
    roots_.push_back(real.string());
  }
  if (!flags_.token_file.empty()) {
    std::ifstream f(flags_.token_file);
    std::getline(f, token_);
    while (!token_.empty() && std::isspace(static_cast<unsigned char>(token_.back()))) {
      token_.pop_back();
    }
    if (!f && token_.empty()) {
      std::fprintf(stderr, "neardup serve: %s: cannot read the token\n", flags_.token_file.c_str());
      return 1;
    }
    if (token_.size() < 16) {
      std::fprintf(stderr, "neardup serve: %s: the token must have at least 16 characters\n",
                   flags_.token_file.c_str());
      return 1;
    }
  } else {
    token_ = RandomToken();
  }
  if (!flags_.index.empty()) {
    StatusOr<std::unique_ptr<ImageIndex>> ix = ImageIndex::Open(flags_.index);
    if (!ix.ok()) {
      std::fprintf(stderr, "neardup serve: --index %s: %s\n", flags_.index.c_str(),
                   ix.status().message().c_str());
      return 1;
    }
    index_ = std::move(*ix);
  }
  const size_t colon = flags_.bind.rfind(':');
  if (colon == std::string::npos) {
    std::fprintf(stderr, "neardup serve: --bind %s: expected ADDR:PORT\n", flags_.bind.c_str());
    return 1;
  }
  const std::string host = flags_.bind.substr(0, colon);
  const int port = std::atoi(flags_.bind.c_str() + colon + 1);

  http_.new_task_queue = [this] { return new BoundedTaskQueue(flags_.workers, flags_.max_queue); };
  http_.set_payload_max_length(size_t(flags_.max_body_mb) << 20);
  http_.set_read_timeout(flags_.timeout_s, 0);
  http_.set_write_timeout(flags_.timeout_s, 0);
  http_.set_keep_alive_max_count(100);
  http_.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.body.empty()) {
      JsonError(res, res.status,
                res.status == 413   ? "request body too large"
                : res.status == 404 ? "no such endpoint"
                                    : "request refused");
    }
  });
  // httplib listens with a backlog of 5 (CPPHTTPLIB_LISTEN_BACKLOG, fixed in Debian's build):
  // a burst of clients would see refused connections. The listening socket is remembered here
  // and listen() called again with a deep backlog (Linux updates it in place).
  int listen_fd = -1;
  http_.set_socket_options([&listen_fd](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    listen_fd = sock;
  });
  RegisterRoutes();
  RegisterMediaRoutes();

  const int bound =
      port == 0 ? http_.bind_to_any_port(host) : (http_.bind_to_port(host, port) ? port : -1);
  if (bound < 0) {
    std::fprintf(stderr, "neardup serve: cannot listen on %s\n", flags_.bind.c_str());
    return 1;
  }
  if (listen_fd >= 0) ::listen(listen_fd, 1024);
  scan_thread_ = std::thread([this] { ScanLoop(); });
  StartScan();
  std::printf("neardup serve: listening on http://%s:%d/\n", host.c_str(), bound);
  if (flags_.token_file.empty()) std::printf("token: %s\n", token_.c_str());
  std::printf("review page: http://%s:%d/#token=%s\n", host.c_str(), bound,
              flags_.token_file.empty() ? token_.c_str() : "<the token in --token-file>");
  std::fflush(stdout);

  std::thread signals([this, set] {
    int sig = 0;
    sigwait(&set, &sig);
    Stop();
  });
  const bool ok = http_.listen_after_bind();
  pthread_kill(signals.native_handle(), SIGTERM);
  signals.join();
  return ok ? 0 : 1;
}

int RunServe(const ServeFlags& flags) {
  Server server(flags);
  return server.Run();
}

}  // namespace neardup::cli
