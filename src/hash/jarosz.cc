// Speed without changing a single float: the reference filters one row or column at a time with a
// running sum, a chain of dependent additions. Here every 1-D filter runs on kLanes signals side
// by side (the columns of a matrix, so the inner loops vectorise), and rows are filtered by
// transposing strips of rows into such columns. The first row pass reads luma straight from the
// pixels; the second keeps only the 64 columns that decimation samples, and the last column pass
// runs on those alone. Each signal still sees the reference's operations in the reference's
// order, so the results are identical.
#include "hash/jarosz.h"

#include <algorithm>
#include <cassert>
#include <vector>

#include "hash/luma.h"

namespace neardup::hash_internal {
namespace {

constexpr int kLanes = 16;      // signals filtered side by side
constexpr int kStrip = kLanes;  // rows transposed together for the row pass

// Box-filters `k` (at most kLanes) signals of length n with window `window`, as the reference's
// box1DFloat: signal c is in[i * in_stride + c] for i < n, written to out[i * out_stride + c].
// The window is centred on the output (an even one reaches one sample further ahead than behind)
// and shrinks at the ends; each output is the plain mean of the samples under it. kFixed > 0 fixes
// k at compile time: GCC's -O2 vectoriser only takes loops of constant length, and the loops only
// touch the local `sum` and one array each so that no aliasing check is needed.
template <int kFixed>
void BoxLanes(const float* in, int in_stride, float* out, int out_stride, int n, int k,
              int window) {
  const int lanes = kFixed > 0 ? kFixed : k;
  const int half = (window + 2) / 2;
  float sum[kLanes] = {};
  const float* add = in;  // leading edge of the window
  const float* sub = in;  // trailing edge
  float* dst = out;
  int size = 0;
  for (int i = 0; i < half - 1; ++i, add += in_stride, ++size) {
    for (int c = 0; c < lanes; ++c) sum[c] += add[c];
  }
  for (int i = 0; i < window - half + 1; ++i, add += in_stride, dst += out_stride) {
    const float fsize = float(++size);
    for (int c = 0; c < lanes; ++c) sum[c] += add[c];
    for (int c = 0; c < lanes; ++c) dst[c] = sum[c] / fsize;
  }
  const float fsize = float(size);
  for (int i = 0; i < n - window; ++i, add += in_stride, sub += in_stride, dst += out_stride) {
    for (int c = 0; c < lanes; ++c) sum[c] += add[c];
    for (int c = 0; c < lanes; ++c) sum[c] -= sub[c];
    for (int c = 0; c < lanes; ++c) dst[c] = sum[c] / fsize;
  }
  for (int i = 0; i < half - 1; ++i, sub += in_stride, dst += out_stride) {
    const float fsize_end = float(--size);
    for (int c = 0; c < lanes; ++c) sum[c] -= sub[c];
    for (int c = 0; c < lanes; ++c) dst[c] = sum[c] / fsize_end;
  }
}

// BoxLanes over `count` signals, any number.
void BoxColumns(const float* in, int in_stride, float* out, int out_stride, int n, int count,
                int window) {
  int c0 = 0;
  for (; c0 + kLanes <= count; c0 += kLanes) {
    BoxLanes<kLanes>(in + c0, in_stride, out + c0, out_stride, n, kLanes, window);
  }
  if (c0 < count) BoxLanes<0>(in + c0, in_stride, out + c0, out_stride, n, count - c0, window);
}

// Buffers reused across calls on one thread.
struct Scratch {
  std::vector<float> plane_a, plane_b;  // rows x cols
  std::vector<float> strip_a, strip_b;  // cols x kStrip
  std::vector<float> picked, filtered;  // rows x kPdqGrid

  void ReleaseIfLarge() {
    size_t total = plane_a.capacity() + plane_b.capacity() + strip_a.capacity() +
                   strip_b.capacity() + picked.capacity() + filtered.capacity();
    if (total > kPdqKeptScratchFloats) *this = Scratch();
  }
};

// Box-filters every row of a rows x cols image along the row. fill_strip(y, dst) writes row y
// transposed, dst[x * kStrip] for x < cols. Output: out[y * out_stride + j] = filtered (y, x_j),
// where x_j = out_x[j] for j < out_count, or every x when out_x is null (out_count = cols).
template <typename FillStrip>
void BoxRows(const FillStrip& fill_strip, int rows, int cols, int window, const int* out_x,
             int out_count, float* out, int out_stride, Scratch& s) {
  s.strip_a.resize(size_t(cols) * kStrip);
  s.strip_b.resize(size_t(cols) * kStrip);
  float* a = s.strip_a.data();
  float* b = s.strip_b.data();
  for (int y0 = 0; y0 < rows; y0 += kStrip) {
    const int k = std::min(kStrip, rows - y0);
    for (int r = 0; r < k; ++r) fill_strip(y0 + r, a + r);
    // Lanes past k filter stale rows of the strip; their outputs are never copied back.
    BoxLanes<kStrip>(a, kStrip, b, kStrip, cols, kStrip, window);
    for (int r = 0; r < k; ++r) {
      float* dst = out + size_t(y0 + r) * out_stride;
      if (out_x == nullptr) {
        for (int x = 0; x < cols; ++x) dst[x] = b[size_t(x) * kStrip + r];
      } else {
        for (int j = 0; j < out_count; ++j) dst[j] = b[size_t(out_x[j]) * kStrip + r];
      }
    }
  }
}

// Copies row y of a rows x cols float plane to dst[x * kStrip].
auto StripFromPlane(const float* plane, int cols) {
  return [plane, cols](int y, float* dst) {
    const float* src = plane + size_t(y) * cols;
    for (int x = 0; x < cols; ++x) dst[size_t(x) * kStrip] = src[x];
  };
}

// The reference's decimateFloat sample position: the input index under the centre of output cell
// `o`, computed in double as it does.
int SampleIndex(int o, int in_len) { return int(((o + 0.5) * in_len) / kPdqGrid); }

}  // namespace

void PdqDownsample(const LumaSource& source, PdqGrid& out) {
  const int rows = source.height(), cols = source.width();
  assert(rows >= 1 && cols >= 1);
  // Source row y written to dst[x * stride]: luma computed from pixels, or copied.
  auto source_row = [&](int y, float* dst, int stride) {
    if (source.image != nullptr) {
      LumaRow(source.image->row(y), cols, source.image->channels, dst, stride);
    } else {
      const float* src = source.luma->data.data() + size_t(y) * cols;
      for (int x = 0; x < cols; ++x) dst[size_t(x) * stride] = src[x];
    }
  };
  if (rows == kPdqGrid && cols == kPdqGrid) {
    for (int y = 0; y < kPdqGrid; ++y) source_row(y, out.data() + y * kPdqGrid, 1);
    return;
  }
  const int window_x = JaroszWindowSize(cols, kPdqGrid);  // along each row
  const int window_y = JaroszWindowSize(rows, kPdqGrid);  // along each column
  thread_local Scratch s;
  s.plane_a.resize(size_t(rows) * cols);
  s.plane_b.resize(size_t(rows) * cols);
  s.picked.resize(size_t(rows) * kPdqGrid);
  s.filtered.resize(size_t(rows) * kPdqGrid);
  float* a = s.plane_a.data();
  float* b = s.plane_b.data();
  int sample_x[kPdqGrid];
  for (int j = 0; j < kPdqGrid; ++j) sample_x[j] = SampleIndex(j, cols);

  // Pass 1: rows (reading the source) then columns, in full.
  BoxRows([&](int y, float* dst) { source_row(y, dst, kStrip); }, rows, cols, window_x, nullptr,
          cols, a, cols, s);
  BoxColumns(a, cols, b, cols, rows, cols, window_y);
  // Pass 2: rows, kept only at the columns decimation samples; then those columns.
  BoxRows(StripFromPlane(b, cols), rows, cols, window_x, sample_x, kPdqGrid, s.picked.data(),
          kPdqGrid, s);
  BoxColumns(s.picked.data(), kPdqGrid, s.filtered.data(), kPdqGrid, rows, kPdqGrid, window_y);
  for (int i = 0; i < kPdqGrid; ++i) {
    const float* src = s.filtered.data() + size_t(SampleIndex(i, rows)) * kPdqGrid;
    std::copy(src, src + kPdqGrid, out.begin() + i * kPdqGrid);
  }
  s.ReleaseIfLarge();
}

}  // namespace neardup::hash_internal
