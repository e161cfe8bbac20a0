// VectorIndex on Faiss: the only file of the project that includes Faiss.
#include <faiss/IndexBinary.h>
#include <faiss/IndexBinaryHNSW.h>
#include <faiss/IndexBinaryIVF.h>
#include <faiss/IndexHNSW.h>
#include <faiss/IndexIDMap.h>
#include <faiss/IndexIVF.h>
#include <faiss/impl/IDSelector.h>
#include <faiss/impl/io.h>
#include <faiss/index_factory.h>
#include <faiss/index_io.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <unordered_map>

#include "search/vector_index.h"

namespace neardup::search_internal {
namespace {

constexpr char kMagic[8] = {'N', 'D', 'V', 'E', 'C', 'I', 'X', '1'};
constexpr int64_t kPointsPerCentroid = 39;  // Faiss warns below this many training points

struct FileHeader {  // written to disk: the layout is the format
  char magic[8];
  int64_t applied;
  uint32_t binary;  // 1: a faiss::IndexBinary follows, 0: a faiss::Index
  uint32_t reserved;
};
static_assert(sizeof(FileHeader) == 24, "vectors.faiss header layout");

// Runs a Faiss call, turning its exceptions into a Status.
template <typename Fn>
Status Guard(const std::string& what, Fn&& fn) {
  try {
    fn();
    return Status::Ok();
  } catch (const std::exception& e) {
    return InvalidArgumentError(what + ": " + e.what());
  }
}

// Sorts each list by (distance, id) and drops Faiss's -1 padding.
std::vector<std::vector<Neighbor>> Collect(int64_t nq, int k, const faiss::Index::idx_t* labels,
                                           const double* dist) {
  std::vector<std::vector<Neighbor>> out(nq);
  for (int64_t q = 0; q < nq; ++q) {
    for (int j = 0; j < k; ++j) {
      int64_t id = labels[q * k + j];
      if (id >= 0) out[q].push_back({id, dist[q * k + j]});
    }
    std::sort(out[q].begin(), out[q].end(), [](const Neighbor& a, const Neighbor& b) {
      return a.distance != b.distance ? a.distance < b.distance : a.id < b.id;
    });
  }
  return out;
}

Status Fsync(const std::string& path, bool directory) {
  int fd = ::open(path.c_str(), directory ? (O_RDONLY | O_DIRECTORY) : O_RDONLY);
  if (fd < 0) return IOError(path + ": cannot open to sync: " + std::strerror(errno));
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return IOError(path + ": fsync failed: " + std::strerror(errno));
  return Status::Ok();
}

// Writes the header and then write(FILE*) to path.tmp, syncs, renames over path, syncs the folder.
template <typename WriteFn>
Status AtomicWrite(const std::string& path, int64_t applied, bool binary, WriteFn&& write) {
  FileHeader header{};
  std::memcpy(header.magic, kMagic, sizeof kMagic);
  header.applied = applied;
  header.binary = binary ? 1 : 0;
  const std::string tmp = path + ".tmp";
  FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) return IOError(tmp + ": cannot create: " + std::strerror(errno));
  bool ok = std::fwrite(&header, sizeof header, 1, f) == 1;
  Status s = ok ? Guard("faiss write", [&] { write(f); })
                : IOError(tmp + ": write failed: " + std::strerror(errno));
  ok = s.ok() && std::fflush(f) == 0 && ::fsync(fileno(f)) == 0;
  if (std::fclose(f) != 0) ok = false;
  if (!ok) {
    std::remove(tmp.c_str());
    return s.ok() ? IOError(tmp + ": write failed: " + std::strerror(errno)) : s;
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return IOError(path + ": cannot replace: " + std::strerror(errno));
  }
  std::string dir = std::filesystem::path(path).parent_path().string();
  return Fsync(dir.empty() ? "." : dir, true);
}

// See VectorIndex::CheckIds; `map` is the id map around the index (null: not one).
template <typename IdMap>
Status CheckIdMap(const IdMap* map, int64_t max_id) {
  if (!map) return CorruptionError("the index has no id map");
  if (int64_t(map->id_map.size()) != int64_t(map->ntotal) || !map->index ||
      map->index->ntotal != map->ntotal) {
    return CorruptionError("its id map holds " + std::to_string(map->id_map.size()) + " ids for " +
                           std::to_string(map->ntotal) + " vectors");
  }
  std::vector<int64_t> ids(map->id_map.begin(), map->id_map.end());
  std::sort(ids.begin(), ids.end());
  if (!ids.empty() && (ids.front() < 1 || ids.back() > max_id)) {
    return CorruptionError("it holds ids " + std::to_string(ids.front()) + ".." +
                           std::to_string(ids.back()) + ", its header says rows up to " +
                           std::to_string(max_id));
  }
  if (std::adjacent_find(ids.begin(), ids.end()) != ids.end()) {
    return CorruptionError("it holds an id twice");
  }
  return Status::Ok();
}

// Removes `ids` from a faiss::Index or faiss::IndexBinary (both have remove_ids).
template <typename FaissIndex>
StatusOr<int64_t> RemoveIds(FaissIndex* index, bool supported, const std::vector<int64_t>& ids) {
  if (!supported) return UnimplementedError("this index type cannot remove");
  int64_t removed = 0;
  faiss::IDSelectorBatch sel(ids.size(), ids.data());
  Status s = Guard("faiss remove", [&] { removed = int64_t(index->remove_ids(sel)); });
  if (!s.ok()) return s;
  return removed;
}

class BinaryIndex : public VectorIndex {
 public:
  explicit BinaryIndex(faiss::IndexBinary* index) : index_(index) {}

  Status Save(const std::string& path, int64_t applied) const override {
    return AtomicWrite(path, applied, true,
                       [&](FILE* f) { faiss::write_index_binary(index_.get(), f); });
  }
  Metric metric() const override { return Metric::kHamming; }
  int dims() const override { return index_->d; }
  int64_t size() const override { return index_->ntotal; }
  bool trained() const override { return index_->is_trained; }
  int64_t min_train() const override {
    if (auto* ivf = dynamic_cast<faiss::IndexBinaryIVF*>(inner())) {
      return kPointsPerCentroid * int64_t(ivf->nlist);
    }
    return 0;
  }
  bool supports_remove() const override {
    return dynamic_cast<faiss::IndexBinaryHNSW*>(inner()) == nullptr &&
           dynamic_cast<faiss::IndexBinaryIVF*>(inner()) == nullptr;
  }
  Status CheckIds(int64_t max_id) const override {
    return CheckIdMap(dynamic_cast<const faiss::IndexBinaryIDMap*>(index_.get()), max_id);
  }

  Status Train(const CodeSet& codes) override {
    std::vector<uint8_t> x = Variant0(codes);
    return Guard("faiss train", [&] { index_->train(codes.n, x.data()); });
  }
  Status Train(const VectorSet&) override {
    return InvalidArgumentError("a binary index holds hashes, not float vectors");
  }
  Status Add(const CodeSet& codes, const int64_t* ids) override {
    if (codes.words * 64 != index_->d) return InvalidArgumentError("hash size differs");
    std::vector<uint8_t> x = Variant0(codes);
    return Guard("faiss add", [&] { index_->add_with_ids(codes.n, x.data(), ids); });
  }
  Status Add(const VectorSet&, const int64_t*) override {
    return InvalidArgumentError("a binary index holds hashes, not float vectors");
  }
  StatusOr<int64_t> Remove(const std::vector<int64_t>& ids) override {
    return RemoveIds(index_.get(), supports_remove(), ids);
  }

  StatusOr<std::vector<std::vector<Neighbor>>> Search(const CodeSet& q, int k) const override {
    if (q.words * 64 != index_->d) return InvalidArgumentError("hash size differs");
    const int64_t nq = q.n * q.variants;  // every variant is its own Faiss query
    const int kk = int(std::min<int64_t>(k, std::max<int64_t>(1, index_->ntotal)));
    std::vector<int32_t> dist(nq * kk);
    std::vector<faiss::Index::idx_t> labels(nq * kk, -1);
    const uint8_t* x = reinterpret_cast<const uint8_t*>(q.codes);
    Status s =
        Guard("faiss search", [&] { index_->search(nq, x, kk, dist.data(), labels.data()); });
    if (!s.ok()) return s;
    std::vector<std::vector<Neighbor>> out(q.n);
    for (int64_t i = 0; i < q.n; ++i) {
      std::unordered_map<int64_t, double> best;  // id -> smallest distance over variants
      for (int v = 0; v < q.variants; ++v) {
        int64_t row = (i * q.variants + v) * kk;
        for (int j = 0; j < kk; ++j) {
          if (labels[row + j] < 0) continue;
          auto [it, fresh] = best.emplace(labels[row + j], dist[row + j]);
          if (!fresh) it->second = std::min<double>(it->second, dist[row + j]);
        }
      }
      for (const auto& [id, d] : best) out[i].push_back({id, d});
      std::sort(out[i].begin(), out[i].end(), [](const Neighbor& a, const Neighbor& b) {
        return a.distance != b.distance ? a.distance < b.distance : a.id < b.id;
      });
      if (int64_t(out[i].size()) > k) out[i].resize(k);
    }
    return out;
  }
  StatusOr<std::vector<std::vector<Neighbor>>> Search(const VectorSet&, int) const override {
    return InvalidArgumentError("a binary index is searched with hashes");
  }

  void SetEffort(int effort) override {
    if (auto* h = dynamic_cast<faiss::IndexBinaryHNSW*>(inner())) h->hnsw.efSearch = effort;
    if (auto* ivf = dynamic_cast<faiss::IndexBinaryIVF*>(inner())) {
      ivf->nprobe = std::min<size_t>(effort, ivf->nlist);
    }
  }

 private:
  faiss::IndexBinary* inner() const {
    auto* map = dynamic_cast<faiss::IndexBinaryIDMap*>(index_.get());
    return map ? map->index : index_.get();
  }
  // Variant 0 of every item as bytes (little-endian words, the bit order does not matter).
  static std::vector<uint8_t> Variant0(const CodeSet& codes) {
    const size_t bytes = size_t(codes.words) * 8;
    std::vector<uint8_t> x(size_t(codes.n) * bytes);
    for (int64_t i = 0; i < codes.n; ++i) {
      std::memcpy(x.data() + i * bytes, codes.codes + i * codes.variants * codes.words, bytes);
    }
    return x;
  }

  std::unique_ptr<faiss::IndexBinary> index_;
};

class FloatIndex : public VectorIndex {
 public:
  explicit FloatIndex(faiss::Index* index) : index_(index) {}

  Status Save(const std::string& path, int64_t applied) const override {
    return AtomicWrite(path, applied, false, [&](FILE* f) { faiss::write_index(index_.get(), f); });
  }
  Metric metric() const override { return Metric::kCosine; }
  int dims() const override { return index_->d; }
  int64_t size() const override { return index_->ntotal; }
  bool trained() const override { return index_->is_trained; }
  int64_t min_train() const override {
    if (auto* ivf = dynamic_cast<faiss::IndexIVF*>(inner())) {
      return kPointsPerCentroid * int64_t(ivf->nlist);
    }
    return index_->is_trained ? 0 : kPointsPerCentroid * 256;  // PQ: 256 centroids per part
  }
  bool supports_remove() const override {
    return dynamic_cast<faiss::IndexHNSW*>(inner()) == nullptr;
  }
  Status CheckIds(int64_t max_id) const override {
    return CheckIdMap(dynamic_cast<const faiss::IndexIDMap*>(index_.get()), max_id);
  }

  Status Train(const CodeSet&) override {
    return InvalidArgumentError("a float index holds vectors, not hashes");
  }
  Status Train(const VectorSet& v) override {
    if (v.dim != index_->d) return InvalidArgumentError("vector size differs");
    return Guard("faiss train", [&] { index_->train(v.n, v.data); });
  }
  Status Add(const CodeSet&, const int64_t*) override {
    return InvalidArgumentError("a float index holds vectors, not hashes");
  }
  Status Add(const VectorSet& v, const int64_t* ids) override {
    if (v.dim != index_->d) return InvalidArgumentError("vector size differs");
    return Guard("faiss add", [&] { index_->add_with_ids(v.n, v.data, ids); });
  }
  StatusOr<int64_t> Remove(const std::vector<int64_t>& ids) override {
    return RemoveIds(index_.get(), supports_remove(), ids);
  }

  StatusOr<std::vector<std::vector<Neighbor>>> Search(const CodeSet&, int) const override {
    return InvalidArgumentError("a float index is searched with vectors");
  }
  StatusOr<std::vector<std::vector<Neighbor>>> Search(const VectorSet& q, int k) const override {
    if (q.dim != index_->d) return InvalidArgumentError("vector size differs");
    const int kk = int(std::min<int64_t>(k, std::max<int64_t>(1, index_->ntotal)));
    std::vector<float> sim(q.n * kk);
    std::vector<faiss::Index::idx_t> labels(q.n * kk, -1);
    Status s =
        Guard("faiss search", [&] { index_->search(q.n, q.data, kk, sim.data(), labels.data()); });
    if (!s.ok()) return s;
    std::vector<double> dist(sim.size());
    for (size_t i = 0; i < sim.size(); ++i) dist[i] = 1.0 - double(sim[i]);
    return Collect(q.n, kk, labels.data(), dist.data());
  }

  void SetEffort(int effort) override {
    if (auto* h = dynamic_cast<faiss::IndexHNSW*>(inner())) h->hnsw.efSearch = effort;
    if (auto* ivf = dynamic_cast<faiss::IndexIVF*>(inner())) {
      ivf->nprobe = std::min<size_t>(effort, ivf->nlist);
    }
  }

 private:
  faiss::Index* inner() const {
    auto* map = dynamic_cast<faiss::IndexIDMap*>(index_.get());
    return map ? map->index : index_.get();
  }

  std::unique_ptr<faiss::Index> index_;
};

}  // namespace

std::string SpaceName(Metric metric, int dims) {
  return std::to_string(dims) + (metric == Metric::kHamming ? "-bit hashes" : "-d vectors");
}

std::string DefaultFactory(Metric metric) { return metric == Metric::kHamming ? "BFlat" : "Flat"; }

StatusOr<std::unique_ptr<VectorIndex>> VectorIndex::Create(const std::string& factory,
                                                           Metric metric, int dims) {
  const bool binary_factory = factory.rfind('B', 0) == 0;
  if (metric == Metric::kHamming) {
    if (!binary_factory || dims % 64 != 0) {
      return InvalidArgumentError("index type '" + factory +
                                  "': hash methods need a binary Faiss index (BFlat, "
                                  "BHNSW32, BHash2x16, BIVF1024)");
    }
    faiss::IndexBinary* inner = nullptr;
    Status s = Guard("index type '" + factory + "'",
                     [&] { inner = faiss::index_binary_factory(dims, factory.c_str()); });
    if (!s.ok()) return s;
    auto* map = new faiss::IndexBinaryIDMap(inner);
    map->own_fields = true;
    std::unique_ptr<VectorIndex> out(new BinaryIndex(map));
    out->SetEffort(kDefaultEffort);
    return out;
  }
  if (binary_factory) {
    return InvalidArgumentError("index type '" + factory +
                                "': embeddings need a float Faiss index (Flat, HNSW32, "
                                "IVF1024,Flat, IVF4096,PQ32)");
  }
  faiss::Index* inner = nullptr;
  Status s = Guard("index type '" + factory + "'", [&] {
    inner = faiss::index_factory(dims, factory.c_str(), faiss::METRIC_INNER_PRODUCT);
  });
  if (!s.ok()) return s;
  auto* map = new faiss::IndexIDMap(inner);
  map->own_fields = true;
  std::unique_ptr<VectorIndex> out(new FloatIndex(map));
  out->SetEffort(kDefaultEffort);
  return out;
}

StatusOr<std::unique_ptr<VectorIndex>> VectorIndex::Load(const std::string& path,
                                                         int64_t* applied) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) {
    if (errno == ENOENT) return NotFoundError(path + ": no such file");
    return IOError(path + ": cannot open: " + std::strerror(errno));
  }
  FileHeader h{};
  if (std::fread(&h, sizeof h, 1, f) != 1 || std::memcmp(h.magic, kMagic, sizeof kMagic) != 0 ||
      h.binary > 1) {
    std::fclose(f);
    return CorruptionError(path + ": not a neardup vector index (damaged or truncated header)");
  }
  std::unique_ptr<VectorIndex> out;
  Status s = Guard("reading the vector index", [&] {
    if (h.binary) {
      out.reset(new BinaryIndex(faiss::read_index_binary(f)));
    } else {
      out.reset(new FloatIndex(faiss::read_index(f)));
    }
  });
  std::fclose(f);
  if (!s.ok()) return CorruptionError(path + ": damaged or truncated (" + s.message() + ")");
  *applied = h.applied;
  out->SetEffort(kDefaultEffort);
  return out;
}

}  // namespace neardup::search_internal
