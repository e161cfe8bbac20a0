#include "hash/resize.h"

#include <cassert>
#include <cstdint>

#include "hash/luma.h"

namespace neardup::hash_internal {
namespace {

// The source span of one output sample along an axis. Source and output are laid on an axis of
// src_len * out_len units: source pixel s spans [s*out_len, (s+1)*out_len), output o spans
// [o*src_len, (o+1)*src_len). Overlaps are integers; pixels strictly inside the span are covered
// fully (weight out_len), and an output's weights sum to src_len.
struct Span {
  int first, last;          // source pixels touched, inclusive
  int64_t first_w, last_w;  // their overlaps (first_w alone when first == last)
  int64_t inner_w;          // overlap of every pixel strictly between them: out_len
};

std::vector<Span> AxisSpans(int src_len, int out_len) {
  std::vector<Span> spans(out_len);
  for (int o = 0; o < out_len; ++o) {
    const int64_t lo = int64_t(o) * src_len, hi = int64_t(o + 1) * src_len;
    Span& s = spans[o];
    s.first = int(lo / out_len);
    s.last = int((hi - 1) / out_len);
    s.inner_w = out_len;
    if (s.first == s.last) {
      s.first_w = hi - lo;
      s.last_w = 0;
    } else {
      s.first_w = int64_t(s.first + 1) * out_len - lo;
      s.last_w = hi - int64_t(s.last) * out_len;
    }
  }
  return spans;
}

// Weighted sum over one span of v[i * stride].
template <typename T>
int64_t SpanSum(const Span& s, const T* v, size_t stride) {
  int64_t sum = s.first_w * v[s.first * stride];
  if (s.first == s.last) return sum;
  int64_t inner = 0;
  for (int i = s.first + 1; i < s.last; ++i) inner += v[i * stride];
  return sum + s.inner_w * inner + s.last_w * v[s.last * stride];
}

}  // namespace

std::vector<double> AreaResizeLuma(const Image& image, int out_w, int out_h) {
  assert(!image.empty() && out_w >= 1 && out_h >= 1);
  const int w = image.width, h = image.height;
  const std::vector<Span> xs = AxisSpans(w, out_w);
  const std::vector<Span> ys = AxisSpans(h, out_h);

  // Bounds: 1000 * 255 * (weights summing to w) per row sum, times weights summing to h: below
  // 2.6e5 * w * h, which fits int64 for any image of up to 2^31 pixels.
  std::vector<int32_t> luma(w);
  std::vector<int64_t> rows(size_t(h) * out_w);
  for (int y = 0; y < h; ++y) {
    LumaRowX1000(image.row(y), w, image.channels, luma.data());
    int64_t* dst = rows.data() + size_t(y) * out_w;
    for (int o = 0; o < out_w; ++o) dst[o] = SpanSum(xs[o], luma.data(), 1);
  }
  std::vector<double> out(size_t(out_w) * out_h);
  const double scale = 1000.0 * double(w) * double(h);
  for (int oy = 0; oy < out_h; ++oy) {
    for (int x = 0; x < out_w; ++x) {
      out[size_t(oy) * out_w + x] = double(SpanSum(ys[oy], rows.data() + x, out_w)) / scale;
    }
  }
  return out;
}

}  // namespace neardup::hash_internal
