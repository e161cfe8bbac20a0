// The index catalog seen by Scan (private to src/pipeline/): RowChecker rejects catalog rows whose
// descriptor is not the method's (once per row, with a warning), and CatalogCache lets Scan use
// the catalog as its descriptor cache, so `index add` describes only new or changed files.
#ifndef NEARDUP_SRC_PIPELINE_CATALOG_CACHE_H_
#define NEARDUP_SRC_PIPELINE_CATALOG_CACHE_H_

#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_set>
#include <vector>

#include "method/packed.h"
#include "neardup/cache.h"
#include "neardup/hash_list.h"
#include "store/catalog.h"

namespace neardup::pipeline_internal {

using store::Catalog;
using store::CatalogRow;

// Reports a catalog row that does not fit the method once; the catalog reports its own checks.
class RowChecker {
 public:
  RowChecker(const RowChecker&) = delete;
  RowChecker& operator=(const RowChecker&) = delete;
  RowChecker(const Method& method, std::string catalog_path,
             std::function<void(const std::string&)> warn)
      : method_(method), catalog_path_(std::move(catalog_path)), warn_(std::move(warn)) {}

  // Whether `r`'s descriptor has the method's shape; warns (once per id) when not.
  bool Valid(const CatalogRow& r) {
    if (PackedDescriptors(method_).Fits(r.descriptor)) return true;
    std::lock_guard<std::mutex> lock(mu_);
    if (reported_.insert(r.id).second && warn_) {
      warn_(BadRowMessage(catalog_path_, r.id, r.path,
                          "its descriptor is not a " + method_.name() + " descriptor (" +
                              std::to_string(r.descriptor.bits.size() * 8) + " hash bytes, " +
                              std::to_string(r.descriptor.values.size()) + " floats)"));
    }
    return false;
  }

  static std::string BadRowMessage(const std::string& catalog, int64_t id, const std::string& path,
                                   const std::string& reason) {
    return catalog + ": row " + std::to_string(id) +
           (path.empty() ? "" : " (" + EscapeId(path) + ")") + " is damaged: " + reason +
           "; ignored until its file is added or its ID imported again";
  }

 private:
  const Method& method_;
  std::string catalog_path_;
  std::function<void(const std::string&)> warn_;
  std::mutex mu_;  // guards reported_ (Scan's workers look rows up concurrently)
  std::unordered_set<int64_t> reported_;
};

// The catalog seen as Scan's descriptor cache: a file already indexed with the same size and
// mtime is a hit; each newly described file becomes a catalog row. A file whose path is an
// imported hash's ID is an error of that file (IDs are never replaced by files). The first
// catalog error (a lookup or a commit) is kept for Flush: Scan's interface has no other way out.
class CatalogCache : public DescriptorCache {
 public:
  CatalogCache(Catalog* catalog, RowChecker* checker) : catalog_(catalog), checker_(checker) {}

  std::optional<CacheEntry> Lookup(const FileStamp& stamp) override {
    StatusOr<std::optional<CatalogRow>> found = catalog_->Find(stamp.path);
    if (!found.ok()) {
      Fail(found.status());
      return std::nullopt;
    }
    std::optional<CatalogRow>& row = *found;
    if (row && row->size < 0) {
      std::lock_guard<std::mutex> lock(mu_);
      id_conflicts_.insert(stamp.path);
      return std::nullopt;
    }
    if (!row || row->size != stamp.size || row->mtime_ns != stamp.mtime_ns) return std::nullopt;
    if (!checker_->Valid(*row)) return std::nullopt;  // described again, and replaced
    CacheEntry e;
    e.descriptor = std::move(row->descriptor);
    e.width = row->width;
    e.height = row->height;
    e.format = row->format;
    return e;
  }
  void Put(const FileStamp& stamp, const CacheEntry& entry) override {
    if (!entry.error.ok()) return;  // failures are reported, not indexed
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!first_error_.ok() || id_conflicts_.count(stamp.path)) return;
    }
    CatalogRow r;
    r.path = stamp.path;
    r.size = stamp.size;
    r.mtime_ns = stamp.mtime_ns;
    r.width = entry.width;
    r.height = entry.height;
    r.format = entry.format;
    r.descriptor = entry.descriptor;
    Status s = catalog_->Put(std::move(r));
    std::lock_guard<std::mutex> lock(mu_);
    ++added_;
    if (!s.ok() && first_error_.ok()) first_error_ = s;
  }
  void Fail(const Status& s) {
    std::lock_guard<std::mutex> lock(mu_);
    if (first_error_.ok()) first_error_ = s;
  }
  // The files refused because their path is an imported hash's ID.
  std::vector<std::string> id_conflicts() {
    std::lock_guard<std::mutex> lock(mu_);
    return {id_conflicts_.begin(), id_conflicts_.end()};
  }
  Status Flush() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!first_error_.ok()) return first_error_;
    }
    return catalog_->Commit();
  }
  int64_t added() {
    std::lock_guard<std::mutex> lock(mu_);
    return added_;
  }

 private:
  Catalog* catalog_;
  RowChecker* checker_;
  std::mutex mu_;  // guards the members below
  int64_t added_ = 0;
  Status first_error_;
  std::set<std::string> id_conflicts_;
};

}  // namespace neardup::pipeline_internal

#endif  // NEARDUP_SRC_PIPELINE_CATALOG_CACHE_H_
