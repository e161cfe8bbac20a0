// A minimal parallel-for over [0, n) (private to the library).
#ifndef NEARDUP_SRC_CORE_PARALLEL_H_
#define NEARDUP_SRC_CORE_PARALLEL_H_

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

namespace neardup {

// Number of threads to use for `requested` (<= 0 means one per hardware thread).
inline int ResolveThreads(int requested) {
  if (requested > 0) return requested;
  return std::max(1u, std::thread::hardware_concurrency());
}

// Calls fn(begin, end, worker) over chunks of [0, n) of at most `chunk` items, on `threads`
// threads that take chunks dynamically (so uneven work balances). `worker` is in [0, threads).
// Returns when every chunk is done. fn must not throw.
template <typename Fn>
void ParallelFor(int64_t n, int threads, int64_t chunk, Fn&& fn) {
  threads = std::max(1, std::min<int>(ResolveThreads(threads), int(std::max<int64_t>(1, n))));
  chunk = std::max<int64_t>(1, chunk);
  std::atomic<int64_t> next{0};
  auto body = [&](int worker) {
    for (;;) {
      int64_t begin = next.fetch_add(chunk);
      if (begin >= n) return;
      fn(begin, std::min(n, begin + chunk), worker);
    }
  };
  if (threads == 1) {
    body(0);
    return;
  }
  std::vector<std::thread> pool;
  pool.reserve(threads - 1);
  for (int t = 1; t < threads; ++t) pool.emplace_back(body, t);
  body(0);
  for (auto& th : pool) th.join();
}

}  // namespace neardup

#endif  // NEARDUP_SRC_CORE_PARALLEL_H_
