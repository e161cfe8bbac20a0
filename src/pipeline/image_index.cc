// ImageIndex: the SQLite catalog (src/store/catalog.h) plus a Faiss index
// (src/search/vector_index.h) kept in step with it.
#include "neardup/image_index.h"

#include <algorithm>
#include <filesystem>
#include <unordered_map>
#include <unordered_set>

#include "dist/distributed.h"
#include "method/packed.h"
#include "neardup/cache.h"
#include "neardup/hash_list.h"
#include "pipeline/catalog_cache.h"
#include "pipeline/import_hashes.h"
#include "pipeline/scan.h"
#include "search/vector_index.h"
#include "store/catalog.h"

namespace neardup {
namespace {

using pipeline_internal::CatalogCache;
using pipeline_internal::ImportHashes;
using pipeline_internal::RowChecker;
using search_internal::VectorIndex;
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
    ASSIGN_OR_RETURN(ScanResult scan, ScanWith(options, *method_, ScanPlumbing{&cache}));
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
    ASSIGN_OR_RETURN(ImportResult out, ImportHashes(catalog_.get(), *method_, hashes));
    RETURN_IF_ERROR(CatchUp());
    RETURN_IF_ERROR(SaveVectors());
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
      if (!PackedDescriptors(*method_).Fits(d))
        return InvalidArgumentError("query is not a " + method_->name());
    }
    // Removed rows whose vectors the index could not drop are skipped: ask for that many more,
    // and more again when a query still lacks k (a vector file older than the catalog's log).
    ASSIGN_OR_RETURN(std::vector<int64_t> removed, catalog_->RemovedIds());
    std::vector<std::vector<IndexHit>> out(queries.size());
    std::vector<size_t> todo(queries.size());
    for (size_t i = 0; i < todo.size(); ++i) todo[i] = i;
    const VectorIndex& vi = searchable();
    // One more than k, to see whether the k-th place is tied.
    for (int64_t kk = k + 1 + int64_t(removed.size()); !todo.empty(); kk *= 2) {
      PackedDescriptors q(*method_);
      for (size_t i : todo) q.Push(queries[i], 0);
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
        for (size_t j = 0; j < ids.size(); ++j) {
          if (!rows[j] || !checker_.Valid(*rows[j])) continue;  // removed, or a bad row
          hits.push_back({ids[j], rows[j]->path, nbs[j].distance, method_->Score(nbs[j].distance),
                          QueryView{}});
        }
        // The search orders equal distances as it likes (and ids follow the order files were
        // described in): ties go by path, and a tie at the k-th place asks for more, so a query
        // always answers the same.
        std::stable_sort(hits.begin(), hits.end(), [](const IndexHit& a, const IndexHit& b) {
          return a.distance != b.distance ? a.distance < b.distance : a.path < b.path;
        });
        // With more than k hits the last one found lies beyond the k-th: when it is as near,
        // unseen rows may be too.
        const bool more_exist = int64_t(nbs.size()) == kq && kq < vi.size();
        const bool short_or_tied =
            int(hits.size()) <= k || nbs.back().distance <= hits[k - 1].distance;
        if (more_exist && short_or_tied) {
          again.push_back(todo[t]);
        } else if (int(hits.size()) > k) {
          hits.resize(k);
        }
      }
      todo = std::move(again);
    }
    return out;
  }

  StatusOr<std::vector<IndexPair>> Dups(double threshold, int threads) override {
    PackedDescriptors all(*method_);
    std::vector<std::string> paths;
    // Ids, codes and paths stay aligned: a bad row is skipped in all three.
    RETURN_IF_ERROR(ForEachValid(0, [&](CatalogRow&& r) {
      all.Push(r.descriptor, r.id);
      paths.push_back(std::move(r.path));
    }));
    // Under mpirun each process joins a share and the shares are gathered (cluster.h).
    const ClusterInfo cluster = CurrentCluster();
    const JoinShard shard{cluster.rank, cluster.size};
    std::vector<ScoredPair> pairs;
    if (all.has_fast_exact_join() || catalog_->meta().factory == "Flat" || !vectors_->trained()) {
      pairs = all.SelfJoin(threshold, threads, shard);
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
          file + ": holds " + search_internal::SpaceName(vectors_->metric(), vectors_->dims()) +
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
    PackedDescriptors batch(*method_);
    int64_t last = after;
    Status s;
    RETURN_IF_ERROR(ForEachValid(after, [&](CatalogRow&& r) {
      if (!s.ok()) return;
      batch.Push(r.descriptor, r.id);
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
                         VectorIndex::Create(search_internal::DefaultFactory(method_->metric()),
                                             method_->metric(), method_->dims()));
        return Feed(exact_.get(), 0).status();
      }
      PackedDescriptors sample(*method_);
      RETURN_IF_ERROR(ForEachValid(0, [&](CatalogRow&& r) {
        if (sample.n() < kMaxTrainVectors) sample.Push(r.descriptor, r.id);
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
  StatusOr<std::vector<ScoredPair>> ApproximateCosineJoin(const PackedDescriptors& all,
                                                          double threshold, JoinShard shard) {
    const VectorSet set = all.vector_set();
    PackedDescriptors mine(*method_);
    std::vector<int64_t> rows;
    Descriptor d;
    for (int64_t i = shard.part; i < all.n(); i += shard.parts) {
      rows.push_back(i);
      d.values.assign(set.data + i * set.dim, set.data + (i + 1) * set.dim);
      mine.Push(d, all.ids()[i]);
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
  if (m->search_kind() != SearchKind::kVectorSpace) {
    return InvalidArgumentError("method '" + m->name() +
                                "' cannot be indexed (it scores pairs, it has no vector space); "
                                "use pdq8 or a learned method");
  }
  store::CatalogMeta meta{m->name(), m->version(),
                          factory.empty() ? search_internal::DefaultFactory(m->metric()) : factory};
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
