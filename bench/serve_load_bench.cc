// Load on `neardup serve --index`: C concurrent clients upload images to POST /v1/query over
// loopback, each its own connection, for N requests in all. Prints requests/s, p50/p99/max
// latency, and the count of each status (503 = refused beyond the queue bound; anything else
// but 200 is a failure). Started by bench/serve_load.sh, which also reads the server's peak RSS.
//
//   serve_load_bench PORT IMAGE_DIR [--clients 100] [--requests 1000] [--k 10]
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: serve_load_bench PORT IMAGE_DIR [--clients C] [--requests N] [--k K]\n");
    return 2;
  }
  const int port = std::atoi(argv[1]);
  int clients = 100, requests = 1000, k = 10;
  for (int i = 3; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--clients") clients = std::atoi(argv[i + 1]);
    else if (a == "--requests") requests = std::atoi(argv[i + 1]);
    else if (a == "--k") k = std::atoi(argv[i + 1]);
  }
  std::vector<std::string> bodies;
  for (const auto& e : std::filesystem::directory_iterator(argv[2])) {
    if (!e.is_regular_file()) continue;
    std::ifstream f(e.path(), std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    bodies.push_back(ss.str());
    if (bodies.size() >= 200) break;
  }
  if (bodies.empty()) {
    std::fprintf(stderr, "error: %s: no files\n", argv[2]);
    return 1;
  }
  std::atomic<int> next{0};
  std::mutex mu;
  std::vector<double> latencies;
  std::map<int, int> statuses;  // < 0: no response, minus httplib::Error (2 = connection)
  const std::string path = "/v1/query?k=" + std::to_string(k);
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&] {
      for (int i; (i = next++) < requests;) {
        httplib::Client cli("127.0.0.1", port);
        cli.set_read_timeout(120, 0);
        cli.set_write_timeout(120, 0);
        const auto t0 = std::chrono::steady_clock::now();
        auto r = cli.Post(path.c_str(), bodies[size_t(i) % bodies.size()], "image/jpeg");
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::lock_guard<std::mutex> lock(mu);
        ++statuses[r ? r->status : -int(r.error())];
        if (r && r->status == 200) latencies.push_back(s);
      }
    });
  }
  for (auto& t : threads) t.join();
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::sort(latencies.begin(), latencies.end());
  auto pct = [&](double p) {
    return latencies.empty() ? 0.0 : latencies[std::min(latencies.size() - 1, size_t(p * latencies.size()))];
  };
  std::printf("%d requests, %d clients, %zu distinct images: %.1f s, %.1f requests/s (200s only: %.1f/s)\n",
              requests, clients, bodies.size(), wall, requests / wall, latencies.size() / wall);
  std::printf("latency of answered requests: p50 %.3f s, p99 %.3f s, max %.3f s\n", pct(0.5),
              pct(0.99), latencies.empty() ? 0.0 : latencies.back());
  std::printf("statuses:");
  for (const auto& [code, n] : statuses) std::printf(" %d x%d", code, n);
  std::printf("\n");
  int failed = 0;
  for (const auto& [code, n] : statuses) {
    if (code != 200 && code != 503) failed += n;
  }
  return failed == 0 ? 0 : 1;
}
