// The descriptor cache: remembers each file's descriptor so a second run over an unchanged folder
// decodes nothing. An entry is keyed by (absolute path, method name) and is valid only while the
// file's size, modification time and the method's version are unchanged.
// Files that failed to decode for a reason in their content (corrupt, not an image, over the
// pixel limit) are remembered too, so re-runs report them without reading them again; such a
// verdict is trusted only while the decoders' version (kDecoderVersion, decode.h) is unchanged.
// Failures of the operating system or of the run (permissions, missing files, read errors, out of
// memory) are never cached.
// Nothing read back is trusted blindly: a stored row with NULLs, wrong sizes or out-of-range
// values is a miss (the file is recomputed and its row replaced) and is reported by
// TakeWarnings; Scan also checks each hit's descriptor with Method::CheckDescriptor.
#ifndef NEARDUP_CACHE_H_
#define NEARDUP_CACHE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

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

  // The entry for `stamp` if one is stored for the same size, mtime and method version (and, for
  // a failure, the same decoder version). A stored row that cannot be trusted is a miss.
  virtual std::optional<CacheEntry> Lookup(const FileStamp& stamp) = 0;
  // Stores (or replaces) the entry; may be buffered until Flush.
  virtual void Put(const FileStamp& stamp, const CacheEntry& entry) = 0;
  // Writes buffered entries. IOError naming the store and the reason (e.g. disk full) when it
  // cannot be written, also when an earlier buffered write failed; the entries are then lost
  // (the cache only holds what can be computed again).
  virtual Status Flush() = 0;
  // What went wrong reading since the last call, one line each, e.g. "cache row for /a.jpg was
  // damaged (bits blob of 5 bytes); recomputed". The default has nothing to report.
  virtual std::vector<std::string> TakeWarnings() { return {}; }

  // ---- The evidence on scored pairs (pair-pipeline methods, fuse.h) ----
  // So a re-run over an unchanged folder verifies nothing: the pipeline's own bytes for the pair
  // of descriptors whose fingerprints are (a, b), scored under options `version` (the pipeline's
  // key of everything that changes a score), or nullopt. A stored value that is not what the
  // pipeline wrote is the pipeline's to reject (then it scores the pair again). The default
  // stores nothing.
  virtual std::optional<std::vector<uint8_t>> LookupPair(uint64_t a, uint64_t b, uint64_t version) {
    (void)a, (void)b, (void)version;
    return std::nullopt;
  }
  // Stores (or replaces) one pair's evidence; may be buffered until Flush.
  virtual void PutPair(uint64_t a, uint64_t b, uint64_t version, std::vector<uint8_t> evidence) {
    (void)a, (void)b, (void)version, (void)evidence;
  }
};

// Opens (creating if needed) the SQLite cache at `path` for one method. The parent folder is
// created. IOError/Corruption when the file cannot be opened or is not a neardup cache. A cache
// that can be read but not written (read-only folder or file) is opened read-only: lookups work,
// and Flush reports that nothing could be saved.
StatusOr<std::unique_ptr<DescriptorCache>> OpenSqliteCache(const std::string& path,
                                                           const Method& method);

// A cache that lives in memory only (tests, --no-cache runs that still want to share work).
std::unique_ptr<DescriptorCache> NewMemoryCache();

// $NEARDUP_CACHE, else $XDG_CACHE_HOME/neardup/descriptors.sqlite, else
// ~/.cache/neardup/descriptors.sqlite.
std::string DefaultCachePath();

}  // namespace neardup

#endif  // NEARDUP_CACHE_H_
