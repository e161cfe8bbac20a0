// QueryImages, QueryDescribed, DescribeTurned (neardup/image_index.h): describe query images, in
// up to eight orientations, and merge each query's hits by indexed image.
#include <algorithm>
#include <unordered_set>

#include "core/parallel.h"
#include "neardup/image_index.h"
#include "neardup/decode.h"
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

// Describes item i's image (got(i, holder) decodes it into holder or points at it) turned, and
// upright too when `with_upright`, one item (its views as one batch) per worker at a time.
// got's errors are returned as they are; the method's are prefixed with name(i).
template <typename GetImage, typename Name>
Status DescribeEach(const Method& m, int64_t n, int threads, bool with_upright,
                    std::vector<QueryDescriptors>* out, const GetImage& got, const Name& name) {
  out->assign(size_t(n), QueryDescriptors{});
  const bool turn = !HoldsOrientations(m);
  std::vector<Status> failed(static_cast<size_t>(n));
  ParallelFor(n, threads, 1, [&](int64_t begin, int64_t end, int) {
    for (int64_t i = begin; i < end; ++i) {
      Image holder;
      StatusOr<const Image*> image = got(i, &holder);
      if (!image.ok()) {
        failed[size_t(i)] = image.status();
        continue;
      }
      std::vector<Image> turned = turn ? Orientations(**image) : std::vector<Image>{};
      std::vector<const Image*> batch;
      if (with_upright) batch.push_back(*image);
      for (const Image& t : turned) batch.push_back(&t);
      std::vector<StatusOr<Descriptor>> described = m.ComputeBatch(batch);
      QueryDescriptors& q = (*out)[size_t(i)];
      for (size_t j = 0; j < described.size(); ++j) {
        if (!described[j].ok()) {
          failed[size_t(i)] = described[j].status().WithPrefix(name(i));
          break;
        }
        if (with_upright && j == 0) {
          q.upright = std::move(described[j]).value();
        } else {
          q.turned.push_back(std::move(described[j]).value());
        }
      }
    }
  });
  for (const Status& s : failed) RETURN_IF_ERROR(s);
  return Status::Ok();
}

std::string ImageName(int64_t i) { return "query image " + std::to_string(i); }

std::vector<std::vector<Descriptor>> TurnedOnly(std::vector<QueryDescriptors>&& all) {
  std::vector<std::vector<Descriptor>> out;
  out.reserve(all.size());
  for (QueryDescriptors& q : all) out.push_back(std::move(q.turned));
  return out;
}

}  // namespace

bool HoldsOrientations(const Method& m) {
  return m.metric() == Metric::kHamming && m.variants() > 1;
}

StatusOr<std::vector<std::vector<Descriptor>>> DescribeTurned(
    const Method& m, const std::vector<const Image*>& images, int threads) {
  std::vector<QueryDescriptors> all;
  RETURN_IF_ERROR(DescribeEach(m, int64_t(images.size()), threads, false, &all,
                               [&](int64_t i, Image*) -> StatusOr<const Image*> {
                                 return images[size_t(i)];
                               },
                               ImageName));
  return TurnedOnly(std::move(all));
}

StatusOr<std::vector<std::vector<Descriptor>>> DescribeTurnedFiles(
    const Method& m, const std::vector<std::string>& paths, int threads) {
  DecodeOptions decode;
  decode.min_side = m.min_decode_side();
  std::vector<QueryDescriptors> all;
  RETURN_IF_ERROR(DescribeEach(m, int64_t(paths.size()), threads, false, &all,
                               [&](int64_t i, Image* holder) -> StatusOr<const Image*> {
                                 StatusOr<Image> image = DecodeFile(paths[size_t(i)], decode);
                                 if (!image.ok()) return image.status();
                                 *holder = std::move(image).value();
                                 return holder;
                               },
                               [&](int64_t i) { return paths[size_t(i)]; }));
  return TurnedOnly(std::move(all));
}

StatusOr<std::vector<std::vector<IndexHit>>> QueryDescribed(
    ImageIndex& index, const std::vector<QueryDescriptors>& queries, const QueryOptions& options) {
  if (options.k < 1) return InvalidArgumentError("k must be at least 1");
  const Method& m = index.method();
  // Every view of every query in one search; first[i] is where query i's views begin.
  std::vector<Descriptor> views;
  std::vector<size_t> first;
  for (const QueryDescriptors& q : queries) {
    first.push_back(views.size());
    views.push_back(q.upright);
    views.insert(views.end(), q.turned.begin(), q.turned.end());
  }
  first.push_back(views.size());
  ASSIGN_OR_RETURN(std::vector<std::vector<IndexHit>> hits, index.Query(views, options.k));
  std::vector<std::vector<IndexHit>> out(queries.size());
  for (size_t i = 0; i < queries.size(); ++i) {
    if (queries[i].turned.empty()) {
      out[i] = std::move(hits[first[i]]);
      continue;
    }
    std::vector<Ranked> all;
    for (size_t j = first[i]; j < first[i + 1]; ++j) {
      for (IndexHit& h : hits[j]) {
        const double rank =
            j == first[i] ? h.distance
                          : m.DistanceForScore(std::max(0.0, h.score - options.turned_score_margin));
        all.push_back({rank, std::move(h)});
      }
    }
    out[i] = Merge(std::move(all), options.k);
  }
  return out;
}

StatusOr<std::vector<std::vector<IndexHit>>> QueryImages(ImageIndex& index,
                                                         const std::vector<const Image*>& images,
                                                         const QueryOptions& options) {
  if (options.k < 1) return InvalidArgumentError("k must be at least 1");
  const Method& m = index.method();
  std::vector<QueryDescriptors> queries;
  if (options.orientations) {
    // Each query's eight views as one batch.
    RETURN_IF_ERROR(DescribeEach(m, int64_t(images.size()), options.threads, true, &queries,
                                 [&](int64_t i, Image*) -> StatusOr<const Image*> {
                                   return images[size_t(i)];
                                 },
                                 ImageName));
  } else {
    queries.resize(images.size());
    std::vector<Status> failed(images.size());
    ParallelFor(int64_t(images.size()), options.threads, 1, [&](int64_t begin, int64_t end, int) {
      for (int64_t i = begin; i < end; ++i) {
        StatusOr<Descriptor> d = m.Compute(*images[size_t(i)]);
        if (d.ok()) {
          queries[size_t(i)].upright = std::move(d).value();
        } else {
          failed[size_t(i)] = d.status().WithPrefix(ImageName(i));
        }
      }
    });
    for (const Status& s : failed) RETURN_IF_ERROR(s);
  }
  return QueryDescribed(index, queries, options);
}

}  // namespace neardup
