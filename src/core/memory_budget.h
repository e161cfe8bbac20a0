// A byte budget shared by threads (private to the library): a thread reserves what it is about to
// allocate and waits while others hold too much of it, so the peak across workers stays bounded.
#ifndef NEARDUP_SRC_CORE_MEMORY_BUDGET_H_
#define NEARDUP_SRC_CORE_MEMORY_BUDGET_H_

#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace neardup {

// Thread safety: all methods may be called concurrently.
class MemoryBudget {
 public:
  explicit MemoryBudget(int64_t capacity) : capacity_(capacity) {}
  MemoryBudget(const MemoryBudget&) = delete;
  MemoryBudget& operator=(const MemoryBudget&) = delete;

  // Blocks until `bytes` fit beside what others hold, then holds them. False at once (holding
  // nothing) when `bytes` alone exceed the capacity. A holder must Release before it waits on
  // another reservation, so waiting never deadlocks.
  bool Acquire(int64_t bytes) {
    std::unique_lock<std::mutex> lock(mu_);
    if (bytes > capacity_) return false;
    freed_.wait(lock, [&] { return held_ + bytes <= capacity_; });
    held_ += bytes;
    return true;
  }
  void Release(int64_t bytes) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      held_ -= bytes;
    }
    freed_.notify_all();
  }
  int64_t capacity() const {
    std::lock_guard<std::mutex> lock(mu_);
    return capacity_;
  }
  // Takes effect for later reservations; those held stay held.
  void set_capacity(int64_t capacity) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      capacity_ = capacity;
    }
    freed_.notify_all();
  }

 private:
  mutable std::mutex mu_;  // guards capacity_ and held_
  std::condition_variable freed_;
  int64_t capacity_;
  int64_t held_ = 0;
};

// Holds `bytes` of `budget` for its lifetime (after a successful Acquire).
class BudgetLease {
 public:
  BudgetLease(MemoryBudget* budget, int64_t bytes) : budget_(budget), bytes_(bytes) {}
  ~BudgetLease() {
    if (budget_ != nullptr) budget_->Release(bytes_);
  }
  BudgetLease(const BudgetLease&) = delete;
  BudgetLease& operator=(const BudgetLease&) = delete;

 private:
  MemoryBudget* budget_;
  int64_t bytes_;
};

}  // namespace neardup

#endif  // NEARDUP_SRC_CORE_MEMORY_BUDGET_H_
