// Clusters of a match graph in which every member is confirmed against its cluster (private to
// the library; GroupPairs' default mode, group.h).
#ifndef NEARDUP_SRC_PIPELINE_CONFIRMED_CLUSTERS_H_
#define NEARDUP_SRC_PIPELINE_CONFIRMED_CLUSTERS_H_

#include <cstdint>
#include <vector>

#include "neardup/search.h"

namespace neardup::pipeline_internal {

// Clusters the `n` items joined by `pairs` (a < b, each once; distance = the method's, smaller is
// more similar). Pairs are taken strongest first; one joins the two clusters of its items only
// when every member of the merged cluster matches its hub (the member with the most matches
// inside it, ties to the lower index) or at least half of the other members directly. So a chain
// breaks at its weakest links, and one false link between two groups cannot merge them: the
// other group's members match neither the hub nor half of the merged members.
// Returns the clusters of two or more items, each sorted ascending, ordered by their first item.
// Time O(E log E + E * S) for E pairs and clusters of at most S items.
std::vector<std::vector<int64_t>> ConfirmedClusters(int64_t n,
                                                    const std::vector<ScoredPair>& pairs);

}  // namespace neardup::pipeline_internal

#endif  // NEARDUP_SRC_PIPELINE_CONFIRMED_CLUSTERS_H_
