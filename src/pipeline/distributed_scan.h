// Scan over several processes (include/neardup/cluster.h): each describes a slice of the files,
// then all gather the whole. Private to the library; with one process it is Scan.
#ifndef NEARDUP_SRC_PIPELINE_DISTRIBUTED_SCAN_H_
#define NEARDUP_SRC_PIPELINE_DISTRIBUTED_SCAN_H_

#include <string>

#include "neardup/cluster.h"
#include "neardup/find.h"
#include "pipeline/local_spill.h"

namespace neardup::dist {

// Scan with the files split over the processes (rank r describes the r-th contiguous slice of the
// listed files), then gathered: every process returns what one process's Scan would (same files
// in the same order, errors, counts). Collective. `cache` and `spill` as in ScanWith
// (pipeline/scan.h); `spill` is used by a single process only (other processes could not read
// it: a cluster gathers the features with the files).
StatusOr<ScanResult> ScanAll(const ScanOptions& options, const Method& method,
                             const ClusterInfo& cluster, DescriptorCache* cache = nullptr,
                             LocalSpill* spill = nullptr);

// Serialisation of a scan (exposed for tests).
std::string EncodeScan(const ScanResult& scan);
Status DecodeScanInto(const std::string& bytes, ScanResult* out);  // appends

}  // namespace neardup::dist

#endif  // NEARDUP_SRC_PIPELINE_DISTRIBUTED_SCAN_H_
