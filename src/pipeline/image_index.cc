// ImageIndex: the SQLite catalog (src/store/catalog.h) plus a Faiss index
// (src/index/vector_index.h) kept in step with it.
#include <algorithm>
#include <cassert>
#include <filesystem>
#include <mutex>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "dist/distributed.h"
#include "index/vector_index.h"
#include "neardup/cache.h"
#include "neardup/hash_list.h"
#include "neardup/index.h"
#include "store/catalog.h"

namespace neardup {
namespace {

using index_internal::VectorIndex;
using store::Catalog;
using store::CatalogRow;

constexpr const char* kCatalogFile = "catalog.sqlite";
constexpr const char* kVectorFile = "vectors.faiss";
constexpr int64_t kMaxTrainVectors = 1 << 18;  // training sample of IVF/PQ indexes
constexpr int64_t kCatchUpBatch = 1 << 16;     // rows handed to Faiss at once

int64_t FileBytes(const std::string& path) {
  std::error_code ec;
  auto n = std::filesystem::file_size(path, ec);
  return ec ? 0 : int64_t(n);
}

std::string AbsolutePath(const std::string& p) {
  std::error_code ec;
  return std::filesystem::absolute(p, ec).lexically_normal().string();
}

// Descriptors of one method packed for the vector index, with their catalog ids; the one place
// that picks the hash or the float side of VectorIndex.
class Packed {
 public:
  explicit Packed(const Method& m)
      : hamming_(m.metric() == Metric::kHamming),
        words_(m.dims() / 64),
        variants_(m.variants()),
        dim_(m.dims()) {}

  // `d` must Fit the method: a short descriptor would shift every later one onto another id.
  void Push(int64_t id, const Descriptor& d) {
    assert(hamming_ ? d.bits.size() == size_t(words_ * variants_)
                    : d.values.size() == size_t(dim_));
    ids_.push_back(id);
    if (hamming_) {
      codes_.insert(codes_.end(), d.bits.begin(), d.bits.end());
    } else {
      values_.insert(values_.end(), d.values.begin(), d.values.end());
    }
  }
  void Clear() {
    codes_.clear();
    values_.clear();
    ids_.clear();
  }
  int64_t n() const { return int64_t(ids_.size()); }
  const std::vector<int64_t>& ids() const { return ids_; }
  CodeSet code_set() const { return {codes_.data(), n(), words_, variants_}; }
  VectorSet vector_set() const { return {values_.data(), n(), dim_}; }

  Status AddTo(VectorIndex* vi) const {
    if (n() == 0) return Status::Ok();
    return hamming_ ? vi->Add(code_set(), ids_.data()) : vi->Add(vector_set(), ids_.data());
  }
  Status TrainOn(VectorIndex* vi) const {
    return hamming_ ? vi->Train(code_set()) : vi->Train(vector_set());
  }
  StatusOr<std::vector<std::vector<Neighbor>>> Search(const VectorIndex& vi, int k) const {
    return hamming_ ? vi.Search(code_set(), k) : vi.Search(vector_set(), k);
  }

 private:
  bool hamming_;
  int words_, variants_, dim_;
  std::vector<uint64_t> codes_;
  std::vector<float> values_;
  std::vector<int64_t> ids_;
};

// Whether `d` has the shape of `m`'s descriptors.
bool Fits(const Method& m, const Descriptor& d) {
  if (m.metric() == Metric::kHamming) {
    return d.bits.size() == size_t(m.dims() / 64 * m.variants()) && d.values.empty();
  }
  return d.values.size() == size_t(m.dims()) && d.bits.empty();
}

// Reports a catalog row that does not fit the method once; the catalog reports its own checks.
class RowChecker {
 public:
  RowChecker(const Method& method, std::string catalog_path,
             std::function<void(const std::string&)> warn)
      : method_(method), catalog_path_(std::move(catalog_path)), warn_(std::move(warn)) {}

  // Whether `r`'s descriptor has the method's shape; warns (once per id) when not.
  bool Valid(const CatalogRow& r) {
    if (Fits(method_, r.descriptor)) return true;
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

class IndexImpl : public ImageIndex {
 public:
  IndexImpl(std::string dir, std::unique_ptr<Catalog> catalog, std::unique_ptr<Method> method,
            IndexOptions options)
      : dir_(std::move(dir)),
        catalog_(std::move(catalog)),
        method_(std::move(method)),
        options_(std::move(options)),
        checker_(*method_, dir_ + "/" + kCatalogFile, options_.warn) {}

  // Loads (or creates) the vector index and brings it up to the catalog. A vector file that
  // cannot be read or does not agree with the catalog is rebuilt from the catalog.
  Status Init() {
    int64_t applied = 0;
    auto loaded = VectorIndex::Load(VectorPath(), &applied);
    Status problem;
    if (loaded.ok()) {
      vectors_ = std::move(loaded).value();
      applied_ = applied;
      RETURN_IF_ERROR(CheckVectors(&problem));
    } else if (loaded.status().code() == StatusCode::kCorruption) {
      problem = loaded.status();
    } else if (loaded.status().code() != StatusCode::kNotFound) {
      return loaded.status();
    }
    if (!loaded.ok() || !problem.ok()) {
      if (!problem.ok()) Warn(problem.message() + "; rebuilding it from the catalog");
      ASSIGN_OR_RETURN(vectors_, NewVectorIndex());
      applied_ = 0;
    }
    RETURN_IF_ERROR(CatchUp());
    if (!problem.ok()) {
      Status saved = SaveVectors();
      if (!saved.ok()) Warn("the rebuilt vector index was not saved: " + saved.message());
    }
    return Status::Ok();
  }

  const Method& method() const override { return *method_; }

  StatusOr<IndexAddResult> Add(ScanOptions options) override {
    RETURN_IF_ERROR(catalog_->CheckWritable());
    CatalogCache cache(catalog_.get(), &checker_);
    options.method = method_->name();
    options.cache = &cache;
    ASSIGN_OR_RETURN(ScanResult scan, Scan(options, *method_));
    IndexAddResult out;
    out.added = cache.added();
    out.unchanged = scan.cached;
    out.errors = std::move(scan.errors);
    out.warnings = std::move(scan.warnings);
    out.skipped_non_images = scan.skipped_non_images;
    // Scan reports a failed Flush as a warning; for an index it is an error.
    RETURN_IF_ERROR(cache.Flush());
    for (const std::string& p : cache.id_conflicts()) {
      out.errors.push_back({p, InvalidArgumentError("the index holds an imported hash with this "
                                                    "path as its ID; remove the ID first")});
    }
    std::sort(out.errors.begin(), out.errors.end(),
              [](const InputError& a, const InputError& b) { return a.path < b.path; });
    RETURN_IF_ERROR(CatchUp());
    RETURN_IF_ERROR(SaveVectors());
    return out;
  }

  StatusOr<ImportResult> AddHashes(const std::vector<ImportedHash>& hashes) override {
    RETURN_IF_ERROR(catalog_->CheckWritable());
    ImportResult out;
    // One ID with different hashes in this call: neither is kept (which is meant is unknown).
    std::unordered_map<std::string, const ImportedHash*> first;
    std::unordered_set<std::string> conflicting;
    for (const ImportedHash& h : hashes) {
      auto [it, fresh] = first.emplace(h.id, &h);
      if (!fresh && (it->second->descriptor.bits != h.descriptor.bits ||
                     it->second->descriptor.values != h.descriptor.values)) {
        conflicting.insert(h.id);
      }
    }
    for (const std::string& id : conflicting) {
      out.errors.push_back(
          {id, InvalidArgumentError("given different hashes in one import; none is kept")});
    }
    std::unordered_set<std::string> done;
    for (const ImportedHash& h : hashes) {
      if (conflicting.count(h.id)) continue;
      if (!done.insert(h.id).second) {
        ++out.unchanged;  // the same ID and hash again
        continue;
      }
      CatalogRow r;
      r.path = h.id;
      r.descriptor = h.descriptor;
      // A single PDQ hash in a pdq8 index: its only orientation stands for all eight, so the
      // symmetric variant distance (search.h) compares the other item's eight with it.
      const size_t words = size_t(method_->dims() / 64);
      if (method_->variants() > 1 && r.descriptor.bits.size() == words) {
        for (int v = 1; v < method_->variants(); ++v) {
          r.descriptor.bits.insert(r.descriptor.bits.end(), h.descriptor.bits.begin(),
                                   h.descriptor.bits.begin() + words);
        }
      }
      if (h.id.empty() || !Fits(*method_, r.descriptor)) {
        out.errors.push_back({h.id, InvalidArgumentError(h.id.empty() ? "empty ID"
                                                                      : "not a descriptor of "
                                                                        "method " +
                                                                            method_->name())});
        continue;
      }
      ASSIGN_OR_RETURN(std::optional<CatalogRow> old, catalog_->Find(r.path));
      if (old && old->size >= 0) {
        out.errors.push_back({h.id, InvalidArgumentError("is the path of an indexed file; an "
                                                         "imported ID never replaces a file's "
                                                         "hash")});
        continue;
      }
      if (old && old->descriptor.bits == r.descriptor.bits &&
          old->descriptor.values == r.descriptor.values) {
        ++out.unchanged;  // imported before
        continue;
      }
      RETURN_IF_ERROR(catalog_->Put(std::move(r)));
      ++out.added;
    }
    RETURN_IF_ERROR(catalog_->Commit());
    RETURN_IF_ERROR(CatchUp());
    RETURN_IF_ERROR(SaveVectors());
    std::sort(out.errors.begin(), out.errors.end(),
              [](const InputError& a, const InputError& b) { return a.path < b.path; });
    return out;
  }

  StatusOr<std::vector<std::string>> Remove(const std::vector<std::string>& paths) override {
    RETURN_IF_ERROR(catalog_->CheckWritable());
    std::vector<std::string> missing;
    ASSIGN_OR_RETURN(std::vector<std::string> first, catalog_->Remove(paths));
    std::vector<std::string> absolute;
    for (const std::string& p : first) absolute.push_back(AbsolutePath(p));
    ASSIGN_OR_RETURN(std::vector<std::string> second, catalog_->Remove(absolute));
    std::unordered_set<std::string> still(second.begin(), second.end());
    for (size_t i = 0; i < first.size(); ++i) {
      if (still.count(absolute[i])) missing.push_back(first[i]);
    }
    RETURN_IF_ERROR(CatchUp());
    RETURN_IF_ERROR(SaveVectors());
    return missing;
  }

  StatusOr<std::vector<std::vector<IndexHit>>> Query(const std::vector<Descriptor>& queries,
                                                     int k) override {
    if (k <= 0) return InvalidArgumentError("k must be at least 1");
    for (const Descriptor& d : queries) {
      if (!Fits(*method_, d)) return InvalidArgumentError("query is not a " + method_->name());
    }
    // Removed rows whose vectors the index could not drop are skipped: ask for that many more,
    // and more again when a query still lacks k (a vector file older than the catalog's log).
    ASSIGN_OR_RETURN(std::vector<int64_t> removed, catalog_->RemovedIds());
    std::vector<std::vector<IndexHit>> out(queries.size());
    std::vector<size_t> todo(queries.size());
    for (size_t i = 0; i < todo.size(); ++i) todo[i] = i;
    const VectorIndex& vi = searchable();
    for (int64_t kk = k + int64_t(removed.size()); !todo.empty(); kk *= 2) {
      Packed q(*method_);
      for (size_t i : todo) q.Push(0, queries[i]);
      const int kq = int(std::min<int64_t>(kk, std::max<int64_t>(1, vi.size())));
      StatusOr<std::vector<std::vector<Neighbor>>> found = q.Search(vi, kq);
      if (!found.ok()) return found.status();
      std::vector<size_t> again;
      for (size_t t = 0; t < todo.size(); ++t) {
        const std::vector<Neighbor>& nbs = (*found)[t];
        std::vector<int64_t> ids;
        for (const Neighbor& nb : nbs) ids.push_back(nb.id);
        ASSIGN_OR_RETURN(auto rows, catalog_->Rows(ids));
        std::vector<IndexHit>& hits = out[todo[t]];
        hits.clear();
        for (size_t j = 0; j < ids.size() && int(hits.size()) < k; ++j) {
          if (!rows[j] || !checker_.Valid(*rows[j])) continue;  // removed, or a bad row
          hits.push_back({ids[j], rows[j]->path, nbs[j].distance, method_->Score(nbs[j].distance)});
        }
        if (int(hits.size()) < k && int64_t(nbs.size()) == kq && kq < vi.size()) {
          again.push_back(todo[t]);
        }
      }
      todo = std::move(again);
    }
    return out;
  }

  StatusOr<std::vector<IndexPair>> Dups(double threshold, int threads) override {
    Packed all(*method_);
    std::vector<std::string> paths;
    // Ids, codes and paths stay aligned: a bad row is skipped in all three.
    RETURN_IF_ERROR(ForEachValid(0, [&](CatalogRow&& r) {
      all.Push(r.id, r.descriptor);
      paths.push_back(std::move(r.path));
    }));
    // Under mpirun each process joins a share and the shares are gathered (cluster.h).
    const ClusterInfo cluster = CurrentCluster();
    const JoinShard shard{cluster.rank, cluster.size};
    std::vector<ScoredPair> pairs;
    if (method_->metric() == Metric::kHamming) {
      pairs = HammingSelfJoin(all.code_set(), int(threshold), threads, shard);
    } else if (catalog_->meta().factory == "Flat" || !vectors_->trained()) {
      pairs = CosineSelfJoin(all.vector_set(), float(threshold), threads, shard);
    } else {
      ASSIGN_OR_RETURN(pairs, ApproximateCosineJoin(all, threshold, shard));
    }
    ASSIGN_OR_RETURN(pairs, dist::GatherPairs(std::move(pairs)));
    std::vector<IndexPair> out;
    out.reserve(pairs.size());
    for (const ScoredPair& p : pairs) out.push_back({paths[p.a], paths[p.b], p.distance});
    return out;
  }

  StatusOr<IndexStats> Stats() override {
    IndexStats s;
    s.path = dir_;
    s.method = method_->name();
    s.factory = catalog_->meta().factory;
    s.dims = method_->dims();
    ASSIGN_OR_RETURN(s.images, catalog_->Count());
    s.vectors = vectors_->trained() ? vectors_->size() : 0;
    s.trained = vectors_->trained();
    const std::string cat = dir_ + "/" + kCatalogFile;
    s.catalog_bytes = FileBytes(cat) + FileBytes(cat + "-wal");
    s.vector_bytes = FileBytes(VectorPath());
    return s;
  }

  Status ForEach(const std::function<void(const std::string&, const Descriptor&)>& fn) override {
    return ForEachValid(0, [&](CatalogRow&& r) { fn(r.path, r.descriptor); });
  }

  void SetEffort(int effort) override {
    vectors_->SetEffort(effort);
    if (exact_) exact_->SetEffort(effort);
  }

 private:
  std::string VectorPath() const { return dir_ + "/" + kVectorFile; }

  void Warn(const std::string& message) {
    if (options_.warn) options_.warn(message);
  }

  // The catalog's rows after `after` whose descriptor fits the method (the others are warned).
  Status ForEachValid(int64_t after, const std::function<void(CatalogRow&&)>& fn) {
    return catalog_->ForEach(after, [&](CatalogRow&& r) {
      if (checker_.Valid(r)) fn(std::move(r));
    });
  }

  // Whether the loaded vectors_ (holding rows up to applied_) can be trusted: its kind and size
  // are the method's, its ids are distinct and within what the catalog has given, and it holds
  // no more vectors than rows (live or removed) it can have seen. When not, *problem is a
  // Corruption naming the file; a non-OK return is the catalog's error.
  Status CheckVectors(Status* problem) {
    const std::string file = VectorPath();
    if (vectors_->metric() != method_->metric() || vectors_->dims() != method_->dims()) {
      *problem = CorruptionError(
          file + ": holds " + std::to_string(vectors_->dims()) +
          (vectors_->metric() == Metric::kHamming ? "-bit hashes" : "-d vectors") +
          ", the catalog's method " + method_->name() + " has " + std::to_string(method_->dims()));
      return Status::Ok();
    }
    ASSIGN_OR_RETURN(int64_t max_id, catalog_->MaxId());
    if (applied_ < 0 || applied_ > max_id) {
      *problem = CorruptionError(file + ": its header says it holds rows up to " +
                                 std::to_string(applied_) + ", the catalog has ids up to " +
                                 std::to_string(max_id));
      return Status::Ok();
    }
    Status ids = vectors_->CheckIds(applied_);
    if (!ids.ok()) {
      *problem = CorruptionError(file + ": " + ids.message());
      return Status::Ok();
    }
    ASSIGN_OR_RETURN(int64_t rows, catalog_->CountUpTo(applied_));
    ASSIGN_OR_RETURN(int64_t removed, catalog_->CountRemovedUpTo(applied_));
    if (vectors_->size() > rows + removed) {
      *problem = CorruptionError(
          file + ": holds " + std::to_string(vectors_->size()) + " vectors, the catalog has only " +
          std::to_string(rows + removed) + " rows up to id " + std::to_string(applied_));
      return Status::Ok();
    }
    return Status::Ok();
  }

  StatusOr<std::unique_ptr<VectorIndex>> NewVectorIndex() const {
    return VectorIndex::Create(catalog_->meta().factory, method_->metric(), method_->dims());
  }

  // The index to search: the Faiss index, or while an IVF/PQ index has too few vectors to train,
  // an exact one over everything in the catalog.
  const VectorIndex& searchable() const { return vectors_->trained() ? *vectors_ : *exact_; }

  // Feeds the rows with ids above `after` to `vi` in batches; returns the highest id fed.
  StatusOr<int64_t> Feed(VectorIndex* vi, int64_t after) {
    Packed batch(*method_);
    int64_t last = after;
    Status s;
    RETURN_IF_ERROR(ForEachValid(after, [&](CatalogRow&& r) {
      if (!s.ok()) return;
      batch.Push(r.id, r.descriptor);
      last = r.id;
      if (batch.n() >= kCatchUpBatch) {
        s = batch.AddTo(vi);
        batch.Clear();
      }
    }));
    RETURN_IF_ERROR(s);
    RETURN_IF_ERROR(batch.AddTo(vi));
    return last;
  }

  // Brings the vector index up to the catalog: trains it once enough vectors exist, adds the rows
  // it has not seen, drops removed rows where the index type can.
  Status CatchUp() {
    ASSIGN_OR_RETURN(int64_t max_id, catalog_->MaxId());
    if (!vectors_->trained()) {
      ASSIGN_OR_RETURN(int64_t count, catalog_->Count());
      if (count < std::max<int64_t>(1, vectors_->min_train())) {
        // Too few to train: search everything exactly until there are enough.
        ASSIGN_OR_RETURN(exact_,
                         VectorIndex::Create(index_internal::DefaultFactory(method_->metric()),
                                             method_->metric(), method_->dims()));
        return Feed(exact_.get(), 0).status();
      }
      Packed sample(*method_);
      RETURN_IF_ERROR(ForEachValid(0, [&](CatalogRow&& r) {
        if (sample.n() < kMaxTrainVectors) sample.Push(r.id, r.descriptor);
      }));
      RETURN_IF_ERROR(sample.TrainOn(vectors_.get()));
      exact_.reset();
      applied_ = 0;
      dirty_ = true;
    }
    if (max_id > applied_) {
      ASSIGN_OR_RETURN(int64_t last, Feed(vectors_.get(), applied_));
      if (last > applied_) dirty_ = true;
      applied_ = max_id;
    }
    ASSIGN_OR_RETURN(std::vector<int64_t> removed, catalog_->RemovedIds());
    if (!removed.empty() && vectors_->supports_remove()) {
      RETURN_IF_ERROR(vectors_->Remove(removed).status());
      purged_ = std::move(removed);
      dirty_ = true;
    }
    return Status::Ok();
  }

  // Writes the Faiss file when it changed, then forgets the removals it now holds.
  Status SaveVectors() {
    if (!dirty_ || !vectors_->trained()) return Status::Ok();
    RETURN_IF_ERROR(vectors_->Save(VectorPath(), applied_));
    dirty_ = false;
    if (!purged_.empty()) RETURN_IF_ERROR(catalog_->ClearRemoved(purged_));
    purged_.clear();
    return Status::Ok();
  }

  // Each of this shard's vectors against its kDupsNeighbors nearest (rows interleaved).
  StatusOr<std::vector<ScoredPair>> ApproximateCosineJoin(const Packed& all, double threshold,
                                                          JoinShard shard) {
    const VectorSet set = all.vector_set();
    Packed mine(*method_);
    std::vector<int64_t> rows;
    Descriptor d;
    for (int64_t i = shard.part; i < all.n(); i += shard.parts) {
      rows.push_back(i);
      d.values.assign(set.data + i * set.dim, set.data + (i + 1) * set.dim);
      mine.Push(all.ids()[i], d);
    }
    ASSIGN_OR_RETURN(auto found, mine.Search(*vectors_, kDupsNeighbors + 1));
    std::unordered_map<int64_t, int64_t> pos;  // catalog id -> index in `all`
    for (int64_t i = 0; i < all.n(); ++i) pos[all.ids()[i]] = i;
    std::vector<ScoredPair> pairs;
    for (size_t r = 0; r < rows.size(); ++r) {
      const int64_t i = rows[r];
      for (const Neighbor& nb : found[r]) {
        auto it = pos.find(nb.id);
        if (it == pos.end() || it->second == i || 1.0 - nb.distance < threshold) continue;
        pairs.push_back({std::min(i, it->second), std::max(i, it->second), nb.distance});
      }
    }
    SortUniquePairs(&pairs);
    return pairs;
  }

  std::string dir_;
  std::unique_ptr<Catalog> catalog_;
  std::unique_ptr<Method> method_;
  IndexOptions options_;
  RowChecker checker_;
  std::unique_ptr<VectorIndex> vectors_;
  std::unique_ptr<VectorIndex> exact_;  // set while vectors_ is untrained
  int64_t applied_ = 0;                 // the highest catalog id vectors_ holds
  bool dirty_ = false;                  // vectors_ differs from its file
  std::vector<int64_t> purged_;         // removed ids vectors_ dropped since the last save
};

StatusOr<std::unique_ptr<ImageIndex>> Make(const std::string& dir, std::unique_ptr<Catalog> catalog,
                                           const IndexOptions& options) {
  ASSIGN_OR_RETURN(std::unique_ptr<Method> method, MakeMethod(catalog->meta().method));
  if (method->version() != catalog->meta().method_version) {
    return InvalidArgumentError(
        dir + ": made by version " + std::to_string(catalog->meta().method_version) + " of " +
        method->name() + ", this neardup computes version " + std::to_string(method->version()) +
        "; create a new index and add the images again");
  }
  auto index = std::make_unique<IndexImpl>(dir, std::move(catalog), std::move(method), options);
  RETURN_IF_ERROR(index->Init());
  return std::unique_ptr<ImageIndex>(std::move(index));
}

// The catalog's bad rows as warnings.
store::BadRowFn BadRowReporter(const std::string& dir, const IndexOptions& options) {
  if (!options.warn) return nullptr;
  return [warn = options.warn, catalog = dir + "/" + kCatalogFile](const store::BadRow& b) {
    warn(RowChecker::BadRowMessage(catalog, b.id, b.path, b.reason));
  };
}

}  // namespace

StatusOr<std::unique_ptr<ImageIndex>> ImageIndex::Create(const std::string& dir,
                                                         const std::string& method,
                                                         const std::string& factory,
                                                         const IndexOptions& options) {
  ASSIGN_OR_RETURN(std::unique_ptr<Method> m, MakeMethod(method));
  if (m->metric() == Metric::kFused) {
    return InvalidArgumentError("method '" + m->name() +
                                "' cannot be indexed (it scores pairs, it has no vector space); "
                                "use pdq8 or a learned method");
  }
  store::CatalogMeta meta{m->name(), m->version(),
                          factory.empty() ? index_internal::DefaultFactory(m->metric()) : factory};
  // Check the factory before anything is written.
  RETURN_IF_ERROR(VectorIndex::Create(meta.factory, m->metric(), m->dims()).status());
  std::error_code ec;
  if (std::filesystem::exists(dir, ec) && !std::filesystem::is_empty(dir, ec)) {
    return InvalidArgumentError(dir + ": exists and is not empty");
  }
  std::filesystem::create_directories(dir, ec);
  if (ec) return IOError(dir + ": cannot create: " + ec.message());
  ASSIGN_OR_RETURN(std::unique_ptr<Catalog> catalog,
                   Catalog::Create(dir + "/" + kCatalogFile, meta, BadRowReporter(dir, options)));
  return Make(dir, std::move(catalog), options);
}

StatusOr<std::unique_ptr<ImageIndex>> ImageIndex::Open(const std::string& dir,
                                                       const IndexOptions& options) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return NotFoundError(dir + ": no index here");
  ASSIGN_OR_RETURN(std::unique_ptr<Catalog> catalog,
                   Catalog::Open(dir + "/" + kCatalogFile, BadRowReporter(dir, options)));
  return Make(dir, std::move(catalog), options);
}

}  // namespace neardup
