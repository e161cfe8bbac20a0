// The pieces `find` and `index dups` use to run over several processes (include/neardup/
// cluster.h): gathering bytes, sharded scans, gathered pairs. With one process every function
// is the identity. Private to the library.
#ifndef NEARDUP_SRC_DIST_DISTRIBUTED_H_
#define NEARDUP_SRC_DIST_DISTRIBUTED_H_

#include <string>
#include <vector>

#include "neardup/cluster.h"
#include "neardup/find.h"
#include "neardup/search.h"

namespace neardup::dist {

// Every process's `mine`, in rank order, on every process. Collective: all ranks must call it.
StatusOr<std::vector<std::string>> AllGather(std::string mine);

// Scan with the files split over the processes (rank r describes the r-th contiguous slice of the
// listed files), then gathered: every process returns what one process's Scan would (same files
// in the same order, errors, counts). Collective.
StatusOr<ScanResult> ScanAll(const ScanOptions& options, const Method& method,
                             const ClusterInfo& cluster);

// The union of every process's pairs, sorted by (a, b), duplicates removed. Collective; with one
// process `mine` comes back as it is.
StatusOr<std::vector<ScoredPair>> GatherPairs(std::vector<ScoredPair> mine);

// Serialisation of the gathered data (exposed for tests).
std::string EncodeScan(const ScanResult& scan);
Status DecodeScanInto(const std::string& bytes, ScanResult* out);  // appends
std::string EncodePairs(const std::vector<ScoredPair>& pairs);
Status DecodePairsInto(const std::string& bytes, std::vector<ScoredPair>* out);  // appends

}  // namespace neardup::dist

#endif  // NEARDUP_SRC_DIST_DISTRIBUTED_H_
