// The pieces a run over several processes needs (include/neardup/cluster.h): gathering bytes and
// gathered pairs. With one process every function is the identity. Private to the library; the
// pipeline's sharded scan (src/pipeline/distributed_scan.h) stands on it.
#ifndef NEARDUP_SRC_DIST_DISTRIBUTED_H_
#define NEARDUP_SRC_DIST_DISTRIBUTED_H_

#include <string>
#include <vector>

#include "neardup/cluster.h"
#include "neardup/search.h"
#include "neardup/status.h"

namespace neardup::dist {

// Every process's `mine`, in rank order, on every process. Collective: all ranks must call it.
StatusOr<std::vector<std::string>> AllGather(std::string mine);

// The union of every process's pairs, sorted by (a, b), duplicates removed. Collective; with one
// process `mine` comes back as it is.
StatusOr<std::vector<ScoredPair>> GatherPairs(std::vector<ScoredPair> mine);

// Serialisation of the gathered pairs (exposed for tests).
std::string EncodePairs(const std::vector<ScoredPair>& pairs);
Status DecodePairsInto(const std::string& bytes, std::vector<ScoredPair>* out);  // appends

}  // namespace neardup::dist

#endif  // NEARDUP_SRC_DIST_DISTRIBUTED_H_
