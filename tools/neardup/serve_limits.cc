#include "serve_limits.h"

#include <cstdio>

namespace neardup::cli {
namespace {

thread_local bool t_rejecting = false;

// Latency bucket bounds in seconds (Prometheus "le").
constexpr double kBuckets[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
constexpr int kBucketCount = sizeof kBuckets / sizeof kBuckets[0];

}  // namespace

BoundedTaskQueue::BoundedTaskQueue(int workers, int max_queued)
    : workers_(workers), max_queued_(max_queued) {
  for (int i = 0; i < workers; ++i) threads_.emplace_back([this] { Work(&jobs_, false); });
  threads_.emplace_back([this] { Work(&rejected_, true); });
}

BoundedTaskQueue::~BoundedTaskQueue() { shutdown(); }

void BoundedTaskQueue::enqueue(std::function<void()> fn) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (active_ + int(jobs_.size()) < workers_ + max_queued_) {
      jobs_.push_back(std::move(fn));
    } else {
      rejected_.push_back(std::move(fn));
    }
  }
  cv_.notify_all();
}

void BoundedTaskQueue::shutdown() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (shutdown_) return;
    shutdown_ = true;
  }
  cv_.notify_all();
  for (std::thread& t : threads_) t.join();
}

bool BoundedTaskQueue::RejectingThisConnection() { return t_rejecting; }

void BoundedTaskQueue::Work(std::deque<std::function<void()>>* jobs, bool rejecting) {
  t_rejecting = rejecting;
  for (;;) {
    std::function<void()> fn;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return !jobs->empty() || shutdown_; });
      if (jobs->empty()) return;  // shut down and drained
      fn = std::move(jobs->front());
      jobs->pop_front();
      if (!rejecting) ++active_;
    }
    fn();
    if (!rejecting) {
      std::lock_guard<std::mutex> lock(mu_);
      --active_;
    }
  }
}

WorkGate::WorkGate(int slots, int max_waiting, std::chrono::milliseconds max_wait)
    : slots_(slots), max_waiting_(max_waiting), max_wait_(max_wait) {}

bool WorkGate::Enter() {
  std::unique_lock<std::mutex> lock(mu_);
  if (used_ < slots_) {
    ++used_;
    return true;
  }
  if (waiting_ >= max_waiting_) return false;
  ++waiting_;
  const bool got = cv_.wait_for(lock, max_wait_, [&] { return used_ < slots_; });
  --waiting_;
  if (got) ++used_;
  return got;
}

void WorkGate::Leave() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    --used_;
  }
  cv_.notify_one();
}

int WorkGate::in_use() const {
  std::lock_guard<std::mutex> lock(mu_);
  return used_;
}

void Metrics::Observe(const std::string& route, int status, double seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  ++requests_[{route, status}];
  Histogram& h = latency_[route];
  if (h.buckets.empty()) h.buckets.assign(kBucketCount, 0);
  for (int i = 0; i < kBucketCount; ++i) {
    if (seconds <= kBuckets[i]) {
      ++h.buckets[i];
      break;
    }
  }
  h.sum += seconds;
  ++h.count;
}

void Metrics::Add(const std::string& counter, int64_t n) {
  std::lock_guard<std::mutex> lock(mu_);
  counters_[counter] += n;
}

std::string Metrics::Render(const std::map<std::string, double>& gauges) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  char buf[256];
  out += "# HELP neardup_requests_total HTTP requests by route and status.\n";
  out += "# TYPE neardup_requests_total counter\n";
  for (const auto& [key, n] : requests_) {
    std::snprintf(buf, sizeof buf, "neardup_requests_total{route=\"%s\",code=\"%d\"} %lld\n",
                  key.first.c_str(), key.second, static_cast<long long>(n));
    out += buf;
  }
  out += "# HELP neardup_request_seconds Request latency by route.\n";
  out += "# TYPE neardup_request_seconds histogram\n";
  for (const auto& [route, h] : latency_) {
    int64_t cumulative = 0;
    for (int i = 0; i < kBucketCount; ++i) {
      cumulative += h.buckets[i];
      std::snprintf(buf, sizeof buf, "neardup_request_seconds_bucket{route=\"%s\",le=\"%g\"} %lld\n",
                    route.c_str(), kBuckets[i], static_cast<long long>(cumulative));
      out += buf;
    }
    std::snprintf(buf, sizeof buf,
                  "neardup_request_seconds_bucket{route=\"%s\",le=\"+Inf\"} %lld\n"
                  "neardup_request_seconds_sum{route=\"%s\"} %.6f\n"
                  "neardup_request_seconds_count{route=\"%s\"} %lld\n",
                  route.c_str(), static_cast<long long>(h.count), route.c_str(), h.sum,
                  route.c_str(), static_cast<long long>(h.count));
    out += buf;
  }
  for (const auto& [name, n] : counters_) {
    std::snprintf(buf, sizeof buf, "# TYPE neardup_%s counter\nneardup_%s %lld\n", name.c_str(),
                  name.c_str(), static_cast<long long>(n));
    out += buf;
  }
  for (const auto& [name, v] : gauges) {
    std::snprintf(buf, sizeof buf, "# TYPE neardup_%s gauge\nneardup_%s %g\n", name.c_str(),
                  name.c_str(), v);
    out += buf;
  }
  return out;
}

}  // namespace neardup::cli
