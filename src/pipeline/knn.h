// Searching the descriptors of a scan (private to the library): shared by Find/Pairs and by the
// benchmark runner (src/eval/bench_run.cc), which times the search on its own.
#ifndef NEARDUP_SRC_PIPELINE_KNN_H_
#define NEARDUP_SRC_PIPELINE_KNN_H_

#include <cstdint>
#include <vector>

#include "neardup/descriptor.h"
#include "neardup/find.h"
#include "neardup/fuse.h"
#include "neardup/search.h"

namespace neardup {

// Contiguous codes of every scanned file of a Hamming method, for the search kernels. `set`
// points into `codes`: keep the struct alive (and unmoved) while searching.
struct PackedCodes {
  std::vector<uint64_t> codes;
  CodeSet set;
};
// Fills `out` (not returned by value, since `set` points into `codes`).
void PackCodes(const std::vector<ScannedFile>& files, const Method& method, PackedCodes* out);

// The float descriptors of every scanned file, row-major (files.size() x method.dims()).
std::vector<float> PackVectors(const std::vector<ScannedFile>& files);

// For each file, its k most similar other files (HammingSelfKnn or CosineSelfKnn by the
// method's metric; for the fused method, its best-scored candidates of FusedPairs, which may be
// fewer than k), distance in the method's unit. k >= 1.
StatusOr<std::vector<std::vector<Neighbor>>> SelfKnn(const std::vector<ScannedFile>& files,
                                                     const Method& method, int k, int threads);

// FusedPairs (fuse.h) over the scanned files' descriptors.
StatusOr<std::vector<PairEvidence>> FusedFilePairs(const std::vector<ScannedFile>& files,
                                                   int threads);

}  // namespace neardup

#endif  // NEARDUP_SRC_PIPELINE_KNN_H_
