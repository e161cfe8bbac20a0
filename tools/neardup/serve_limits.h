// What keeps `neardup serve` bounded: the connection pool with a queue bound, the gate in front of
// heavy work (decoding, describing, verifying), and the counters behind GET /metrics.
#ifndef NEARDUP_TOOLS_SERVE_LIMITS_H_
#define NEARDUP_TOOLS_SERVE_LIMITS_H_

#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace neardup::cli {

// httplib's task queue with a bound: `workers` threads serve connections; up to `max_queued`
// more wait (holding only their sockets); a connection beyond that is handed to one rejecting
// thread, on which RejectingThisConnection() is true, so the server's handlers answer 503 and
// close it. Memory is then bounded by the workers, not the clients.
class BoundedTaskQueue : public httplib::TaskQueue {
 public:
  BoundedTaskQueue(int workers, int max_queued);
  ~BoundedTaskQueue() override;
  void enqueue(std::function<void()> fn) override;
  void shutdown() override;
  static bool RejectingThisConnection();

 private:
  void Work(std::deque<std::function<void()>>* jobs, bool rejecting);

  const int workers_, max_queued_;
  int active_ = 0;  // connections being served
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_, rejected_;
  bool shutdown_ = false;
  std::vector<std::thread> threads_;
};

// At most `slots` holders at once; a caller waits at most `max_wait` and only while fewer than
// `max_waiting` others wait, else Enter fails (the caller answers 503).
class WorkGate {
 public:
  WorkGate(int slots, int max_waiting, std::chrono::milliseconds max_wait);
  bool Enter();
  void Leave();
  int in_use() const;

 private:
  const int slots_, max_waiting_;
  const std::chrono::milliseconds max_wait_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  int used_ = 0, waiting_ = 0;
};

// RAII: holds a WorkGate slot when ok().
class GateSlot {
 public:
  explicit GateSlot(WorkGate& g) : gate_(g), ok_(g.Enter()) {}
  ~GateSlot() {
    if (ok_) gate_.Leave();
  }
  bool ok() const { return ok_; }
  GateSlot(const GateSlot&) = delete;
  GateSlot& operator=(const GateSlot&) = delete;

 private:
  WorkGate& gate_;
  bool ok_;
};

// Request counts by route and status, latency histograms by route, and plain counters; rendered
// in the Prometheus text format. Thread-safe.
class Metrics {
 public:
  void Observe(const std::string& route, int status, double seconds);
  void Add(const std::string& counter, int64_t n = 1);
  std::string Render(const std::map<std::string, double>& gauges) const;

 private:
  struct Histogram {
    std::vector<int64_t> buckets;  // cumulative counts are made when rendering
    double sum = 0;
    int64_t count = 0;
  };
  mutable std::mutex mu_;
  std::map<std::pair<std::string, int>, int64_t> requests_;
  std::map<std::string, Histogram> latency_;
  std::map<std::string, int64_t> counters_;
};

}  // namespace neardup::cli

#endif  // NEARDUP_TOOLS_SERVE_LIMITS_H_
