// Scan with the plumbing the public ScanOptions leaves out (private to the library): the caller's
// cache (ImageIndex passes its catalog) and the slice of a distributed run.
#ifndef NEARDUP_SRC_PIPELINE_SCAN_H_
#define NEARDUP_SRC_PIPELINE_SCAN_H_

#include <memory>
#include <string>
#include <vector>

#include "neardup/cache.h"
#include "neardup/find.h"
#include "pipeline/local_spill.h"

namespace neardup {

struct ScanPlumbing {
  // When set, used instead of the cache ScanOptions names (use_cache and cache_path are then
  // ignored); the caller keeps it alive.
  DescriptorCache* cache = nullptr;
  // Describe only slice `shard` of `shards` contiguous slices of the listed files (a process of a
  // distributed run); the listing's errors, notes and skip count go to shard 0 only.
  int shard = 0;
  int shards = 1;
  // When set, each file's Descriptor::local is written here and emptied as soon as the file is
  // described, and the spill's items are set to the result's files (local_spill.h). A file whose
  // bytes cannot be written keeps them (one warning says why).
  LocalSpill* spill = nullptr;
};

// The cache `options` names (use_cache, cache_path) opened for `method`, or null when it is off
// or cannot be opened (then a line saying why is added to `warnings`).
std::unique_ptr<DescriptorCache> OpenScanCache(const ScanOptions& options, const Method& method,
                                               std::vector<std::string>* warnings);

// Scan (find.h) with `plumbing`; Scan(options, method) is ScanWith(options, method, {}).
StatusOr<ScanResult> ScanWith(const ScanOptions& options, const Method& method,
                              const ScanPlumbing& plumbing);

}  // namespace neardup

#endif  // NEARDUP_SRC_PIPELINE_SCAN_H_
