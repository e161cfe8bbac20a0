// QueryImages, QueryDescribed, DescribeOtherViews (neardup/image_index.h): describe query images
// in up to eight orientations and the pictures inside them, and merge each query's hits by
// indexed image.
#include <algorithm>
#include <unordered_set>

#include "core/parallel.h"
#include "image/content_regions.h"
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

// Describes item i's image (got(i, holder) decodes it into holder or points at it) in the views
// `options` asks for, and upright too when `with_upright`, one item (its views as one batch) per
// worker at a time. got's errors are returned as they are; the method's are prefixed with name(i).
template <typename GetImage, typename Name>
StatusOr<std::vector<QueryDescriptors>> DescribeEach(const Method& m, int64_t n,
                                                     const QueryOptions& options, bool with_upright,
                                                     const GetImage& got, const Name& name) {
  std::vector<QueryDescriptors> out(static_cast<size_t>(n));
  const bool turn = options.orientations && !HoldsOrientations(m);
  std::vector<Status> failed(static_cast<size_t>(n));
  ParallelFor(n, options.threads, 1, [&](int64_t begin, int64_t end, int) {
    for (int64_t i = begin; i < end; ++i) {
      Image holder;
      StatusOr<const Image*> image = got(i, &holder);
      if (!image.ok()) {
        failed[size_t(i)] = image.status();
        continue;
      }
      std::vector<Image> views = turn ? Orientations(**image) : std::vector<Image>{};
      const size_t turned = views.size();
      std::vector<QueryView> windows;
      if (options.regions) {
        const Image& whole = **image;
        for (const Region& r : ContentRegions(whole)) {
          views.push_back(Crop(whole, r.x, r.y, r.width, r.height));
          QueryView w;
          w.x = double(r.x) / whole.width;
          w.y = double(r.y) / whole.height;
          w.width = double(r.width) / whole.width;
          w.height = double(r.height) / whole.height;
          windows.push_back(w);
        }
      }
      std::vector<const Image*> batch;
      if (with_upright) batch.push_back(*image);
      for (const Image& v : views) batch.push_back(&v);
      std::vector<StatusOr<Descriptor>> described = m.ComputeBatch(batch);
      QueryDescriptors& q = out[size_t(i)];
      q.region_views = std::move(windows);
      for (size_t j = 0; j < described.size(); ++j) {
        if (!described[j].ok()) {
          failed[size_t(i)] = described[j].status().WithPrefix(name(i));
          break;
        }
        const size_t view = with_upright ? j : j + 1;  // 0: upright, then turned, then regions
        Descriptor d = std::move(described[j]).value();
        if (view == 0) {
          q.upright = std::move(d);
        } else if (view <= turned) {
          q.turned.push_back(std::move(d));
        } else {
          q.regions.push_back(std::move(d));
        }
      }
    }
  });
  for (const Status& s : failed) RETURN_IF_ERROR(s);
  return out;
}

std::string ImageName(int64_t i) { return "query image " + std::to_string(i); }

}  // namespace

bool HoldsOrientations(const Method& m) {
  return m.metric() == Metric::kHamming && m.variants() > 1;
}

StatusOr<std::vector<QueryDescriptors>> DescribeOtherViews(
    const Method& m, const std::vector<const Image*>& images, const QueryOptions& options) {
  return DescribeEach(
      m, int64_t(images.size()), options, false,
      [&](int64_t i, Image*) -> StatusOr<const Image*> { return images[size_t(i)]; }, ImageName);
}

StatusOr<std::vector<QueryDescriptors>> DescribeOtherViewsOfFiles(
    const Method& m, const std::vector<std::string>& paths, const QueryOptions& options) {
  DecodeOptions decode;
  decode.min_side = m.min_decode_side();
  return DescribeEach(
      m, int64_t(paths.size()), options, false,
      [&](int64_t i, Image* holder) -> StatusOr<const Image*> {
        StatusOr<Image> image = DecodeFile(paths[size_t(i)], decode);
        if (!image.ok()) return image.status();
        *holder = std::move(image).value();
        return holder;
      },
      [&](int64_t i) { return paths[size_t(i)]; });
}

StatusOr<std::vector<std::vector<IndexHit>>> QueryDescribed(
    ImageIndex& index, const std::vector<QueryDescriptors>& queries, const QueryOptions& options) {
  if (options.k < 1) return InvalidArgumentError("k must be at least 1");
  const Method& m = index.method();
  // Every view of every query in one search, with the margin its hits rank after and where it is.
  std::vector<Descriptor> views;
  std::vector<double> margins;
  std::vector<QueryView> where;
  std::vector<size_t> first;  // where query i's views begin
  for (const QueryDescriptors& q : queries) {
    if (q.region_views.size() != q.regions.size() && !q.region_views.empty()) {
      return InvalidArgumentError("region_views must be empty or as many as regions");
    }
    first.push_back(views.size());
    views.push_back(q.upright);
    margins.push_back(0);
    where.emplace_back();
    for (size_t j = 0; j < q.turned.size(); ++j) {
      views.push_back(q.turned[j]);
      margins.push_back(options.turned_score_margin);
      QueryView v;  // DescribeOtherViews' order: three quarter turns, then the four mirrored
      v.quarter_turns = int(j < 3 ? j + 1 : j - 3);
      v.mirrored = j >= 3;
      where.push_back(v);
    }
    for (size_t j = 0; j < q.regions.size(); ++j) {
      views.push_back(q.regions[j]);
      margins.push_back(options.region_score_margin);
      where.push_back(q.region_views.empty() ? QueryView{} : q.region_views[j]);
    }
  }
  first.push_back(views.size());
  ASSIGN_OR_RETURN(std::vector<std::vector<IndexHit>> hits, index.Query(views, options.k));
  std::vector<std::vector<IndexHit>> out(queries.size());
  for (size_t i = 0; i < queries.size(); ++i) {
    if (first[i + 1] - first[i] == 1) {
      out[i] = std::move(hits[first[i]]);
      continue;
    }
    std::vector<Ranked> all;
    for (size_t j = first[i]; j < first[i + 1]; ++j) {
      for (IndexHit& h : hits[j]) {
        const double rank =
            j == first[i] ? h.distance : m.DistanceForScore(std::max(0.0, h.score - margins[j]));
        h.view = where[j];
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
  ASSIGN_OR_RETURN(
      std::vector<QueryDescriptors> queries,
      DescribeEach(
          index.method(), int64_t(images.size()), options, true,
          [&](int64_t i, Image*) -> StatusOr<const Image*> { return images[size_t(i)]; },
          ImageName));
  return QueryDescribed(index, queries, options);
}

}  // namespace neardup
