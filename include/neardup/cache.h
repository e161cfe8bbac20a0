// The descriptor cache: remembers each file's descriptor so a second run over an unchanged folder
// decodes nothing. An entry is keyed by (absolute path, method name) and is valid only while the
// file's size, modification time and the method's version are unchanged.
// Files that failed to decode for a reason in their content (corrupt, not an image, too large)
// are remembered too, so re-runs report them without reading them again; failures of the
// operating system (permissions, missing files) are never cached.
#ifndef NEARDUP_CACHE_H_
#define NEARDUP_CACHE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "neardup/descriptor.h"
#include "neardup/status.h"

namespace neardup {

// The identity of a file's content as the file system tells it.
struct FileStamp {
  std::string path;  // absolute
  int64_t size = 0;
  int64_t mtime_ns = 0;
};

struct CacheEntry {
  Descriptor descriptor;
  int width = 0;  // upright image size before any decode downscaling
  int height = 0;
  std::string format;
  Status error;  // non-OK: the file failed with this (content) error
};

// Thread safety: all methods may be called concurrently.
class DescriptorCache {
 public:
  virtual ~DescriptorCache() = default;
  DescriptorCache() = default;
  DescriptorCache(const DescriptorCache&) = delete;
  DescriptorCache& operator=(const DescriptorCache&) = delete;

  // The entry for `stamp` if one is stored for the same size, mtime and method version.
  virtual std::optional<CacheEntry> Lookup(const FileStamp& stamp) = 0;
  // Stores (or replaces) the entry; may be buffered until Flush.
  virtual void Put(const FileStamp& stamp, const CacheEntry& entry) = 0;
  // Writes buffered entries. IOError when the store cannot be written.
  virtual Status Flush() = 0;
};

// Opens (creating if needed) the SQLite cache at `path` for one method. The parent folder is
// created. IOError/Corruption when the file cannot be opened or is not a neardup cache.
StatusOr<std::unique_ptr<DescriptorCache>> OpenSqliteCache(const std::string& path,
                                                           const Method& method);

// A cache that lives in memory only (tests, --no-cache runs that still want to share work).
std::unique_ptr<DescriptorCache> NewMemoryCache();

// $NEARDUP_CACHE, else $XDG_CACHE_HOME/neardup/descriptors.sqlite, else
// ~/.cache/neardup/descriptors.sqlite.
std::string DefaultCachePath();

}  // namespace neardup

#endif  // NEARDUP_CACHE_H_
