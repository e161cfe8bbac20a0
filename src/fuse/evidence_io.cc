// Layout of an evidence record (little-endian): "NDPE" | u8 layout | i32 hash_bits |
// u8 flags (low_quality, low_information, verified, fallback, match, mirrored) | i32 votes,
// mirrored_votes |
// f64 pixel_diff, score | i32 keypoints_a, keypoints_b, matches, inliers | f64 vscore |
// 9 f64 homography | 16 f64 regions | f64 spread, coverage_a, coverage_b, coverage |
// u16 + bytes why_not_verified | u16 + bytes reason.
#include "fuse/evidence_io.h"

#include <algorithm>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>

namespace neardup::fuse_internal {
namespace {

constexpr char kMagic[4] = {'N', 'D', 'P', 'E'};
constexpr uint8_t kLayout = 2;  // 2: mirrored_votes
// Bump when FusedScore, the candidates' evidence or VerifyPair change what a pair gets.
constexpr uint64_t kScoringVersion = 6;

uint64_t Mix(uint64_t h, uint64_t v) {
  // splitmix64 of the running value and the next word.
  h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebULL;
  return h ^ (h >> 31);
}
uint64_t MixDouble(uint64_t h, double d) {
  uint64_t bits;
  std::memcpy(&bits, &d, sizeof bits);
  return Mix(h, bits);
}
uint64_t HashBytes(const void* data, size_t size) {
  return std::hash<std::string_view>{}(std::string_view(static_cast<const char*>(data), size));
}

class Writer {
 public:
  template <typename T>
  void Put(T v) {
    const size_t at = out_.size();
    out_.resize(at + sizeof(T));
    std::memcpy(out_.data() + at, &v, sizeof(T));
  }
  void Text(const std::string& s) {
    const uint16_t n = uint16_t(std::min<size_t>(s.size(), 0xffff));
    Put(n);
    out_.insert(out_.end(), s.begin(), s.begin() + n);
  }
  std::vector<uint8_t> Take() { return std::move(out_); }

 private:
  std::vector<uint8_t> out_;
};

class Reader {
 public:
  explicit Reader(const std::vector<uint8_t>& b) : p_(b.data()), end_(b.data() + b.size()) {}
  template <typename T>
  T Get() {
    T v{};
    if (size_t(end_ - p_) < sizeof(T)) {
      ok_ = false;
      return v;
    }
    std::memcpy(&v, p_, sizeof(T));
    p_ += sizeof(T);
    return v;
  }
  std::string Text() {
    const uint16_t n = Get<uint16_t>();
    if (!ok_ || size_t(end_ - p_) < n) {
      ok_ = false;
      return {};
    }
    std::string s(reinterpret_cast<const char*>(p_), n);
    p_ += n;
    return s;
  }
  bool done() const { return ok_ && p_ == end_; }

 private:
  const uint8_t* p_;
  const uint8_t* end_;
  bool ok_ = true;
};

}  // namespace

uint64_t DescriptorFingerprint(const Descriptor& d) {
  uint64_t h = Mix(0, HashBytes(d.bits.data(), d.bits.size() * sizeof(uint64_t)));
  h = Mix(h, HashBytes(d.values.data(), d.values.size() * sizeof(float)));
  h = Mix(h, HashBytes(d.local.data(), d.local.size()));
  return Mix(h, uint64_t(d.quality));
}

uint64_t OptionsVersion(const FuseOptions& o) {
  uint64_t h = Mix(0, kScoringVersion);
  for (int v :
       {o.hash_neighbors, o.hash_max_bits, o.hash_join_bits, o.vote_keypoints,
        o.vote_index_keypoints, o.vote_max_bits, o.vote_probes, o.vote_neighbors,
        o.min_votes, o.trusted_bits, o.min_keypoints, o.min_votes_to_verify, o.verify_keypoints,
        o.verify.max_keypoints, o.verify.use_keypoints, o.verify.max_side, o.verify.min_inliers,
        int(o.verify.mirrored)}) {
    h = Mix(h, uint64_t(int64_t(v)));
  }
  h = Mix(h, HashBytes(o.verify.features.data(), o.verify.features.size()));
  for (int v : {o.quick_keypoints, o.quick_accept_inliers, o.quick_reject_matches}) {
    h = Mix(h, uint64_t(int64_t(v)));
  }
  h = MixDouble(h, o.mirrored_vote_share);
  h = MixDouble(h, o.verify.ratio);
  h = MixDouble(h, o.verify.ransac_px);
  h = Mix(h, uint64_t(int64_t(o.learned_neighbors)));
  h = MixDouble(h, o.learned_min_cosine);
  return h;
}

std::vector<uint8_t> SerializeEvidence(const PairEvidence& e) {
  const Verification& v = e.verification;
  Writer w;
  for (char c : kMagic) w.Put(c);
  w.Put(kLayout);
  w.Put(int32_t(e.hash_bits));
  w.Put(uint8_t(e.low_quality | e.low_information << 1 | e.verified << 2 | e.fallback << 3 |
                v.match << 4 | v.mirrored << 5));
  w.Put(int32_t(e.votes));
  w.Put(int32_t(e.mirrored_votes));
  w.Put(e.pixel_diff);
  w.Put(e.score);
  for (int n : {v.keypoints_a, v.keypoints_b, v.matches, v.inliers}) w.Put(int32_t(n));
  w.Put(v.score);
  for (double h : v.homography) w.Put(h);
  for (const auto* region : {&v.region_a, &v.region_b}) {
    for (const Point2& p : *region) {
      w.Put(p.x);
      w.Put(p.y);
    }
  }
  for (double d : {v.spread, v.coverage_a, v.coverage_b, v.coverage}) w.Put(d);
  w.Text(e.why_not_verified);
  w.Text(v.reason);
  return w.Take();
}

std::optional<PairEvidence> ParseEvidence(const std::vector<uint8_t>& bytes) {
  Reader r(bytes);
  for (char c : kMagic) {
    if (r.Get<char>() != c) return std::nullopt;
  }
  if (r.Get<uint8_t>() != kLayout) return std::nullopt;
  PairEvidence e;
  Verification& v = e.verification;
  e.hash_bits = r.Get<int32_t>();
  const uint8_t flags = r.Get<uint8_t>();
  e.low_quality = flags & 1;
  e.low_information = flags & 2;
  e.verified = flags & 4;
  e.fallback = flags & 8;
  v.match = flags & 16;
  v.mirrored = flags & 32;
  e.votes = r.Get<int32_t>();
  e.mirrored_votes = r.Get<int32_t>();
  e.pixel_diff = r.Get<double>();
  e.score = r.Get<double>();
  for (int* n : {&v.keypoints_a, &v.keypoints_b, &v.matches, &v.inliers}) *n = r.Get<int32_t>();
  v.score = r.Get<double>();
  for (double& h : v.homography) h = r.Get<double>();
  for (auto* region : {&v.region_a, &v.region_b}) {
    for (Point2& p : *region) {
      p.x = r.Get<double>();
      p.y = r.Get<double>();
    }
  }
  for (double* d : {&v.spread, &v.coverage_a, &v.coverage_b, &v.coverage}) *d = r.Get<double>();
  e.why_not_verified = r.Text();
  v.reason = r.Text();
  if (!r.done() || !(e.score >= 0 && e.score <= 1)) return std::nullopt;
  return e;
}

uint64_t FolderKey(const std::vector<uint64_t>& fingerprints, uint64_t options_version) {
  // The candidate search's own version: the list changes when the search does (2: the two-level
  // inverted file of vote_index.h), the scores of its pairs do not.
  constexpr uint64_t kCandidateVersion = 2;
  uint64_t h = Mix(Mix(0x666f6c646572, kCandidateVersion), options_version);  // "folder"
  h = Mix(h, fingerprints.size());
  for (uint64_t f : fingerprints) h = Mix(h, f);
  return h;
}

std::vector<uint8_t> SerializeCandidates(const std::vector<CandidatePair>& pairs) {
  Writer w;
  w.Put(uint64_t(pairs.size()));
  for (const CandidatePair& p : pairs) {
    w.Put(uint32_t(p.a));
    w.Put(uint32_t(p.b));
  }
  return w.Take();
}

std::optional<std::vector<CandidatePair>> ParseCandidates(const std::vector<uint8_t>& bytes,
                                                          int64_t n) {
  Reader r(bytes);
  const uint64_t count = r.Get<uint64_t>();
  if (count > bytes.size() / 8) return std::nullopt;
  std::vector<CandidatePair> out(count);
  for (CandidatePair& p : out) {
    p.a = r.Get<uint32_t>();
    p.b = r.Get<uint32_t>();
    if (p.a >= p.b || p.b >= n) return std::nullopt;
  }
  if (!r.done()) return std::nullopt;
  return out;
}

}  // namespace neardup::fuse_internal
