// SerializeFeatures / ParseFeatures: a flat little-endian record.
//   "NDLF" | u8 version | u8 binary | u16 descriptor_bytes | i32 width | i32 height |
//   f32 feature_scale | u32 n | u32 n_mirrored | n x (f32 x, f32 y) | n descriptors |
//   n_mirrored x (f32 x, f32 y) | n_mirrored descriptors | (version 2) u16 t | t thumbnail bytes
#include <cstring>

#include "neardup/verify.h"

namespace neardup {
namespace {

constexpr char kMagic[4] = {'N', 'D', 'L', 'F'};
constexpr uint8_t kVersion = 2;  // 1: no thumbnail (still read)
constexpr size_t kHeaderBytes = 4 + 1 + 1 + 2 + 4 + 4 + 4 + 4 + 4;

template <typename T>
void Put(std::vector<uint8_t>* out, T v) {
  const size_t at = out->size();
  out->resize(at + sizeof(T));
  std::memcpy(out->data() + at, &v, sizeof(T));
}

void PutSide(std::vector<uint8_t>* out, const std::vector<Point2>& points,
             const std::vector<uint8_t>& descriptors) {
  for (const Point2& p : points) {
    Put(out, float(p.x));
    Put(out, float(p.y));
  }
  out->insert(out->end(), descriptors.begin(), descriptors.end());
}

class Reader {
 public:
  Reader(const uint8_t* data, size_t size) : p_(data), end_(data + size) {}
  template <typename T>
  T Get() {
    T v{};
    std::memcpy(&v, p_, sizeof(T));
    p_ += sizeof(T);
    return v;
  }
  size_t left() const { return size_t(end_ - p_); }
  void Bytes(size_t n, std::vector<uint8_t>* out) {
    out->assign(p_, p_ + n);
    p_ += n;
  }
  void Side(uint32_t n, int bytes, std::vector<Point2>* points, std::vector<uint8_t>* desc) {
    points->resize(n);
    for (Point2& q : *points) {
      q.x = Get<float>();
      q.y = Get<float>();
    }
    desc->assign(p_, p_ + size_t(n) * bytes);
    p_ += size_t(n) * bytes;
  }

 private:
  const uint8_t* p_;
  const uint8_t* end_;
};

}  // namespace

std::vector<uint8_t> SerializeFeatures(const LocalFeatures& f) {
  std::vector<uint8_t> out;
  const size_t per = 8 + size_t(f.descriptor_bytes);
  out.reserve(kHeaderBytes + per * (f.points.size() + f.mirrored_points.size()));
  for (char c : kMagic) Put(&out, uint8_t(c));
  Put(&out, kVersion);
  Put(&out, uint8_t(f.binary ? 1 : 0));
  Put(&out, uint16_t(f.descriptor_bytes));
  Put(&out, int32_t(f.width));
  Put(&out, int32_t(f.height));
  Put(&out, float(f.feature_scale));
  Put(&out, uint32_t(f.points.size()));
  Put(&out, uint32_t(f.mirrored_points.size()));
  PutSide(&out, f.points, f.descriptors);
  PutSide(&out, f.mirrored_points, f.mirrored_descriptors);
  Put(&out, uint16_t(f.thumbnail.size()));
  out.insert(out.end(), f.thumbnail.begin(), f.thumbnail.end());
  return out;
}

StatusOr<LocalFeatures> ParseFeatures(const uint8_t* data, size_t size) {
  if (size < kHeaderBytes || std::memcmp(data, kMagic, 4) != 0) {
    return CorruptionError("local features: not a feature record");
  }
  Reader r(data + 4, size - 4);
  const uint8_t version = r.Get<uint8_t>();
  if (version != 1 && version != kVersion) {
    return CorruptionError("local features: unknown version");
  }
  LocalFeatures f;
  f.binary = r.Get<uint8_t>() != 0;
  f.descriptor_bytes = r.Get<uint16_t>();
  f.width = r.Get<int32_t>();
  f.height = r.Get<int32_t>();
  f.feature_scale = r.Get<float>();
  const uint32_t n = r.Get<uint32_t>(), nm = r.Get<uint32_t>();
  const size_t per = 8 + size_t(f.descriptor_bytes);
  const size_t sides = per * (size_t(n) + nm);
  if (version == 1 ? r.left() != sides : r.left() < sides + 2) {
    return CorruptionError("local features: record of " + std::to_string(size) +
                           " bytes does not hold its " + std::to_string(n + nm) + " keypoints");
  }
  r.Side(n, f.descriptor_bytes, &f.points, &f.descriptors);
  r.Side(nm, f.descriptor_bytes, &f.mirrored_points, &f.mirrored_descriptors);
  if (version >= 2) {
    const uint16_t t = r.Get<uint16_t>();
    if (r.left() != t || (t != 0 && t != kThumbnailSide * kThumbnailSide * 3)) {
      return CorruptionError("local features: a thumbnail of " + std::to_string(r.left()) +
                             " bytes");
    }
    r.Bytes(t, &f.thumbnail);
  }
  return f;
}

bool FeaturesImageSize(const uint8_t* data, size_t size, int* width, int* height) {
  if (size < kHeaderBytes || std::memcmp(data, kMagic, 4) != 0) return false;
  int32_t w, h;
  std::memcpy(&w, data + 8, 4);
  std::memcpy(&h, data + 12, 4);
  *width = w;
  *height = h;
  return true;
}

}  // namespace neardup
