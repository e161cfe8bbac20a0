// An approximate (or exact) nearest-neighbour index over the descriptors of one method, keyed by
// 64-bit ids: the project's only door to Faiss (src/search/faiss_index.cc); private to the library.
//
// The index is chosen by a Faiss factory string (faiss/index_factory.h):
//  - Hamming methods use binary indexes: "BFlat" (exact), "BHNSW32" (graph), "BHash2x16"
//    (multi-index hashing), "BIVF1024" (inverted lists; needs training). `dims` is in bits.
//  - Cosine methods use float indexes over inner product of L2-normalised vectors: "Flat" (exact),
//    "HNSW32", "IVF1024,Flat", "IVF4096,PQ32" (need training), ...
// Every index is wrapped in an id map, so ids are the caller's (the catalog's row ids).
//
// Distances returned are in the method's unit: Hamming bits, or 1 - cosine for float vectors.
// Thread safety: const methods may run concurrently; the others need exclusive access.
#ifndef NEARDUP_SRC_SEARCH_VECTOR_INDEX_H_
#define NEARDUP_SRC_SEARCH_VECTOR_INDEX_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "neardup/descriptor.h"
#include "neardup/search.h"
#include "neardup/status.h"

namespace neardup::search_internal {

class VectorIndex {
 public:
  virtual ~VectorIndex() = default;
  VectorIndex() = default;
  VectorIndex(const VectorIndex&) = delete;
  VectorIndex& operator=(const VectorIndex&) = delete;

  // A new empty index. InvalidArgument for a factory string Faiss does not know or one of the
  // wrong kind (a float index for a hash method or the reverse).
  static StatusOr<std::unique_ptr<VectorIndex>> Create(const std::string& factory, Metric metric,
                                                       int dims);
  // Reads an index written by Save; `*applied` receives the number Save was given.
  // NotFound when the file does not exist, Corruption when it is not a whole index file.
  static StatusOr<std::unique_ptr<VectorIndex>> Load(const std::string& path, int64_t* applied);
  // Writes the index to `path` atomically (a temporary file, fsync, rename, fsync of the folder):
  // after a crash the file holds either the old or the new index, never a mix. `applied` is the
  // caller's marker of what the index contains (the catalog's highest id added).
  virtual Status Save(const std::string& path, int64_t applied) const = 0;

  virtual Metric metric() const = 0;
  virtual int dims() const = 0;
  // Number of vectors held (removed ones excluded where removal is supported).
  virtual int64_t size() const = 0;
  // False for indexes that need Train before Add (IVF, PQ).
  virtual bool trained() const = 0;
  // The fewest vectors Train accepts without a poor clustering (39 per centroid, Faiss's advice).
  virtual int64_t min_train() const = 0;
  // Whether Remove works (flat and IVF indexes); graph indexes cannot delete vectors.
  virtual bool supports_remove() const = 0;
  // OK when the index maps each of its size() vectors to a distinct id in [1, max_id] (a file
  // whose header or id map was damaged fails this); Corruption saying what is wrong otherwise.
  // O(size) time and memory.
  virtual Status CheckIds(int64_t max_id) const = 0;

  // Trains on the first variant of each item of `codes` / every vector of `vectors`.
  virtual Status Train(const CodeSet& codes) = 0;
  virtual Status Train(const VectorSet& vectors) = 0;
  // Adds variant 0 of each item (hashes) or each vector, with ids[i] for item i.
  virtual Status Add(const CodeSet& codes, const int64_t* ids) = 0;
  virtual Status Add(const VectorSet& vectors, const int64_t* ids) = 0;
  // Removes the ids present; returns how many were removed. Unimplemented when unsupported.
  virtual StatusOr<int64_t> Remove(const std::vector<int64_t>& ids) = 0;

  // The k nearest ids of each query, ascending distance (ties by id). A hash query with several
  // variants (pdq8) is searched in every variant and each id keeps its smallest distance.
  // Fewer than k come back when the index holds fewer (or the approximate search finds fewer).
  virtual StatusOr<std::vector<std::vector<Neighbor>>> Search(const CodeSet& queries,
                                                              int k) const = 0;
  virtual StatusOr<std::vector<std::vector<Neighbor>>> Search(const VectorSet& queries,
                                                              int k) const = 0;

  // The search effort of approximate indexes: efSearch of HNSW, nprobe of IVF; ignored by exact
  // ones. Larger is slower and finds more of the true neighbours.
  virtual void SetEffort(int effort) = 0;
};

// "256-bit hashes" or "512-d vectors": what an index of `metric` and `dims` holds, for messages.
std::string SpaceName(Metric metric, int dims);

// The default factory for a metric: exact search ("BFlat" / "Flat").
std::string DefaultFactory(Metric metric);

// The default search effort (efSearch / nprobe), chosen on bench/index_bench.cc.
inline constexpr int kDefaultEffort = 128;

}  // namespace neardup::search_internal

#endif  // NEARDUP_SRC_SEARCH_VECTOR_INDEX_H_
