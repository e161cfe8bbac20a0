#include <map>
#include <mutex>
#include <tuple>

#include "neardup/cache.h"

namespace neardup {
namespace {

class MemoryCache : public DescriptorCache {
 public:
  std::optional<CacheEntry> Lookup(const FileStamp& stamp) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = entries_.find(stamp.path);
    if (it == entries_.end() || it->second.first.size != stamp.size ||
        it->second.first.mtime_ns != stamp.mtime_ns) {
      return std::nullopt;
    }
    return it->second.second;
  }
  void Put(const FileStamp& stamp, const CacheEntry& entry) override {
    std::lock_guard<std::mutex> lock(mu_);
    entries_[stamp.path] = {stamp, entry};
  }
  Status Flush() override { return Status::Ok(); }
  std::optional<std::vector<uint8_t>> LookupPair(uint64_t a, uint64_t b,
                                                 uint64_t version) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = pairs_.find({a, b, version});
    if (it == pairs_.end()) return std::nullopt;
    return it->second;
  }
  void PutPair(uint64_t a, uint64_t b, uint64_t version, std::vector<uint8_t> evidence) override {
    std::lock_guard<std::mutex> lock(mu_);
    pairs_[{a, b, version}] = std::move(evidence);
  }

 private:
  std::mutex mu_;  // guards entries_ and pairs_
  std::map<std::tuple<uint64_t, uint64_t, uint64_t>, std::vector<uint8_t>> pairs_;
  std::map<std::string, std::pair<FileStamp, CacheEntry>> entries_;
};

}  // namespace

std::unique_ptr<DescriptorCache> NewMemoryCache() { return std::make_unique<MemoryCache>(); }

}  // namespace neardup
