// QueryImages (neardup/image_index.h): describe query images, in up to eight orientations, and
// merge each query's hits by indexed image.
#include <algorithm>
#include <unordered_set>

#include "core/parallel.h"
#include "neardup/image_index.h"
#include "neardup/preprocess.h"

namespace neardup {
namespace {

// The image in the eight orientations of the square's symmetries: four quarter turns, then the
// mirror of each.
std::vector<Image> Orientations(const Image& image) {
  std::vector<Image> out;
  out.reserve(7);
  for (int k = 1; k < 4; ++k) out.push_back(Rotate90(image, k));
  out.push_back(FlipHorizontal(image));
  for (int k = 1; k < 4; ++k) out.push_back(FlipHorizontal(out[size_t(k - 1)]));
  return out;
}

// One hit of a query's view, with the distance it ranks by.
struct Ranked {
  double rank = 0;
  IndexHit hit;
};

// Each indexed image once, from the view that ranks it best; the k best, ties by path.
std::vector<IndexHit> Merge(std::vector<Ranked> all, int k) {
  std::sort(all.begin(), all.end(), [](const Ranked& a, const Ranked& b) {
    return a.rank != b.rank ? a.rank < b.rank : a.hit.path < b.hit.path;
  });
  std::vector<IndexHit> out;
  std::unordered_set<int64_t> seen;
  for (Ranked& r : all) {
    if (int(out.size()) == k) break;
    if (seen.insert(r.hit.id).second) out.push_back(std::move(r.hit));
  }
  return out;
}

}  // namespace

StatusOr<std::vector<std::vector<IndexHit>>> QueryImages(ImageIndex& index,
                                                         const std::vector<const Image*>& images,
                                                         const QueryOptions& options) {
  if (options.k < 1) return InvalidArgumentError("k must be at least 1");
  const Method& m = index.method();
  const bool turn = options.orientations && !(m.metric() == Metric::kHamming && m.variants() > 1);
  const size_t per = turn ? 8 : 1;
  const int64_t n = int64_t(images.size());
  std::vector<Descriptor> descriptors(images.size() * per);
  std::vector<Status> failed(images.size());
  // One query (its `per` orientations as one batch) at a time per worker.
  ParallelFor(n, options.threads, 1, [&](int64_t begin, int64_t end, int) {
    for (int64_t i = begin; i < end; ++i) {
      std::vector<Image> turned = turn ? Orientations(*images[i]) : std::vector<Image>{};
      std::vector<const Image*> batch = {images[i]};
      for (const Image& t : turned) batch.push_back(&t);
      std::vector<StatusOr<Descriptor>> got = m.ComputeBatch(batch);
      for (size_t j = 0; j < per; ++j) {
        if (!got[j].ok()) {
          failed[i] = got[j].status().WithPrefix("query image " + std::to_string(i));
          break;
        }
        descriptors[size_t(i) * per + j] = std::move(got[j]).value();
      }
    }
  });
  for (const Status& s : failed) RETURN_IF_ERROR(s);
  ASSIGN_OR_RETURN(std::vector<std::vector<IndexHit>> hits, index.Query(descriptors, options.k));
  if (per == 1) return hits;
  std::vector<std::vector<IndexHit>> out(images.size());
  for (size_t i = 0; i < images.size(); ++i) {
    std::vector<Ranked> all;
    for (size_t j = 0; j < per; ++j) {
      for (IndexHit& h : hits[i * per + j]) {
        const double rank =
            j == 0 ? h.distance
                   : m.DistanceForScore(std::max(0.0, h.score - options.turned_score_margin));
        all.push_back({rank, std::move(h)});
      }
    }
    out[i] = Merge(std::move(all), options.k);
  }
  return out;
}

}  // namespace neardup
