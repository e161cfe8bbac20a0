// Selecting the images: loading, thumbnails and near-copy de-duplication, list reading and the
// diverse order, the originals (SelectOriginals) and the large negative set (SelectNegatives).
#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "hash_robustness/common.h"
#include "neardup/decode.h"
#include "neardup/hash.h"
#include "neardup/image.h"
#include "neardup/preprocess.h"
#include "neardup/split.h"

namespace hash_robustness {
namespace {

constexpr int kMinSide = 128;

// The 16x16 area-averaged grey thumbnail of `grey`, as bytes.
Image Grey16(const Image& grey) { return neardup::Resize(grey, 16, 16); }

Thumb16 Normalised(const Image& t16) {
  Thumb16 t;
  double mean = 0;
  for (int k = 0; k < 256; ++k) mean += t16.pixels[k];
  mean /= 256;
  double norm = 0;
  for (int k = 0; k < 256; ++k) {
    t[k] = float(t16.pixels[k] - mean);
    norm += double(t[k]) * t[k];
  }
  norm = std::sqrt(norm);
  if (norm > 1e-6) {
    for (float& v : t) v = float(v / norm);
  }
  return t;
}

double Dot(const Thumb16& a, const Thumb16& b) {
  double s = 0;
  for (int k = 0; k < 256; ++k) s += double(a[k]) * b[k];
  return s;
}

Thumb MakeThumb(const Image& rgb) {
  const Image g = neardup::ToGrey(rgb);
  const int side = std::min(g.width, g.height);
  const Image whole = Grey16(g);
  Thumb t;
  t.whole = Normalised(whole);
  t.square =
      Normalised(Grey16(neardup::Crop(g, (g.width - side) / 2, (g.height - side) / 2, side, side)));
  double mean = 0, sq = 0;
  for (uint8_t v : whole.pixels) mean += v;
  mean /= 256;
  for (uint8_t v : whole.pixels) sq += (v - mean) * (v - mean);
  t.stddev = std::sqrt(sq / 256);
  return t;
}

bool NearCopy(const Thumb& a, const Thumb& b) {
  return std::abs(Dot(a.whole, b.whole)) > kDupCorrelation ||
         std::abs(Dot(a.square, b.square)) > kDupCorrelation;
}

std::vector<std::string> ReadList(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "error: cannot read %s\n", path.c_str());
    std::exit(1);
  }
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

// Seeded shuffle, then round-robin over directories (in order of first appearance).
std::vector<std::string> DiverseOrder(std::vector<std::string> paths, std::mt19937_64& rng) {
  std::shuffle(paths.begin(), paths.end(), rng);
  std::vector<std::string> dirs;
  std::map<std::string, std::vector<std::string>> by_dir;
  for (const std::string& p : paths) {
    const std::string dir = p.substr(0, p.rfind('/') + 1);
    auto& v = by_dir[dir];
    if (v.empty()) dirs.push_back(dir);
    v.push_back(p);
  }
  std::vector<std::string> out;
  for (size_t round = 0; out.size() < paths.size(); ++round) {
    for (const std::string& d : dirs) {
      if (round < by_dir[d].size()) out.push_back(by_dir[d][round]);
    }
  }
  return out;
}

// The 8 rotations and mirrors of a 16x16 thumbnail (index 0: itself).
std::array<std::array<int16_t, 256>, 8> Dihedral16(const std::array<int16_t, 256>& t) {
  std::array<std::array<int16_t, 256>, 8> out;
  for (int y = 0; y < 16; ++y) {
    for (int x = 0; x < 16; ++x) {
      const int16_t v = t[y * 16 + x];
      const int X = 15 - x, Y = 15 - y;
      out[0][y * 16 + x] = v;
      out[1][x * 16 + Y] = v;  // rot90
      out[2][Y * 16 + X] = v;  // rot180
      out[3][X * 16 + y] = v;  // rot270
      out[4][y * 16 + X] = v;  // mirror
      out[5][Y * 16 + x] = v;  // flip
      out[6][x * 16 + y] = v;  // transpose
      out[7][X * 16 + Y] = v;  // anti-transpose
    }
  }
  return out;
}

int32_t Dot256(const std::array<int16_t, 256>& a, const std::array<int16_t, 256>& b) {
  int32_t s = 0;
  for (int k = 0; k < 256; ++k) s += int32_t(a[k]) * int32_t(b[k]);
  return s;
}

bool NearCopyQ(const QThumb& a, const QThumb& b) {
  constexpr int32_t kLimit = int32_t(kDupCorrelation * double(1 << 28));
  return std::abs(Dot256(a.whole, b.whole)) > kLimit ||
         std::abs(Dot256(a.square, b.square)) > kLimit;
}

}  // namespace

void ParallelFor(int n, int threads, const std::function<void(int)>& fn) {
  std::atomic<int> next{0};
  auto worker = [&] {
    for (int i = next++; i < n; i = next++) fn(i);
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (std::thread& t : pool) t.join();
}

Image LoadOriginal(const std::string& path, int max_side) {
  neardup::StatusOr<Image> decoded = neardup::DecodeFile(path, neardup::DecodeOptions{});
  if (!decoded.ok()) {
    if (decoded.status().code() != neardup::StatusCode::kInvalidArgument) {
      std::fprintf(stderr, "warning: %s\n", decoded.status().ToString().c_str());
    }
    return {};  // counted as undecodable
  }
  Image m = std::move(*decoded);
  const int long_side = std::max(m.width, m.height);
  if (long_side > max_side) {
    const double s = double(max_side) / long_side;
    m = neardup::Resize(m, std::max(1, int(std::lround(m.width * s))),
                        std::max(1, int(std::lround(m.height * s))));
  }
  return m;
}

QThumb Quantise(const Thumb& t) {
  QThumb q;
  for (int k = 0; k < 256; ++k) {
    q.whole[k] = int16_t(std::lround(t.whole[k] * 16384.0f));
    q.square[k] = int16_t(std::lround(t.square[k] * 16384.0f));
  }
  return q;
}

std::vector<Original> SelectOriginals(const Options& opt, std::mt19937_64& rng,
                                      std::vector<Thumb>* thumbs_out,
                                      std::set<std::string>* families_out) {
  int fixed = 0, shared = 0;
  for (const ListSpec& l : opt.lists) (l.count >= 0 ? fixed += l.count : ++shared);
  const int share = shared ? std::max(0, opt.n - fixed) / shared : 0;

  std::vector<Original> chosen;
  std::vector<Thumb> thumbs;
  std::set<std::string> families;
  for (size_t li = 0; li < opt.lists.size(); ++li) {
    const ListSpec& spec = opt.lists[li];
    const int want = spec.count >= 0 ? spec.count : share;
    const std::vector<std::string> order = DiverseOrder(ReadList(spec.path), rng);
    int got = 0, small = 0, flat = 0, dup = 0, bad = 0;
    // Decode in parallel batches, accept in list order: the same originals for any thread count.
    const int batch = 8 * opt.threads;
    for (size_t start = 0; start < order.size() && got < want; start += batch) {
      const int count = int(std::min<size_t>(batch, order.size() - start));
      std::vector<Image> decoded(count);
      ParallelFor(count, opt.threads, [&](int i) { decoded[i] = LoadOriginal(order[start + i]); });
      for (int i = 0; i < count && got < want; ++i) {
        const Image& m = decoded[i];
        if (m.pixels.empty()) {
          ++bad;
          continue;
        }
        if (std::min(m.width, m.height) < kMinSide) {
          ++small;
          continue;
        }
        Thumb t = MakeThumb(m);
        if (t.stddev < 4.0) {
          ++flat;
          continue;
        }
        const std::string family = neardup::FamilyKey(order[start + i]);
        if (families.count(family) || std::any_of(thumbs.begin(), thumbs.end(),
                                                  [&](const Thumb& s) { return NearCopy(t, s); })) {
          ++dup;
          continue;
        }
        families.insert(family);
        thumbs.push_back(t);
        chosen.push_back({order[start + i], int(li), std::move(decoded[i])});
        ++got;
      }
    }
    std::fprintf(stderr,
                 "%s: %d originals (skipped %d under %d px, %d flat, %d near-copies, %d "
                 "undecodable)\n",
                 spec.path.c_str(), got, small, kMinSide, flat, dup, bad);
  }
  *thumbs_out = std::move(thumbs);
  *families_out = std::move(families);
  return chosen;
}

std::vector<NegListStats> SelectNegatives(const Options& opt, std::vector<PoolImage>& pool,
                                          std::vector<QThumb>& qthumbs,
                                          std::set<std::string>& families) {
  std::mt19937_64 rng(opt.seed ^ 0x6e65676174697665ULL);  // own stream: originals unchanged
  int fixed = 0, shared = 0;
  for (const ListSpec& l : opt.neg_lists) (l.count >= 0 ? fixed += l.count : ++shared);
  const int share = shared ? std::max(0, opt.neg_n - fixed) / shared : 0;
  // Localised copies (.../l10n/LANG/x.png) are one family: drop LANG, so the innermost folder
  // FamilyKey looks at is l10n for all of them.
  static const std::regex kL10n("/l10n/[^/]+/");
  auto family_of = [](const std::string& path) {
    return neardup::FamilyKey(std::regex_replace(path, kL10n, "/l10n/"));
  };
  auto near = [&](const QThumb& q, const std::array<std::array<int16_t, 256>, 8>& dw,
                  const std::array<std::array<int16_t, 256>, 8>& ds, const Hashes& h, size_t j) {
    if (NearCopyQ(q, qthumbs[j])) return true;
    const std::array<int, kMethods> d = FindDistances(h, pool[j].hashes);
    const bool close = d[kPdq8] <= 64 || *std::min_element(d.begin(), d.begin() + 4) <= 16;
    if (!close) return false;
    constexpr int32_t kLimit = int32_t(kDupCorrelation * double(1 << 28));
    for (int v = 1; v < 8; ++v) {
      if (std::abs(Dot256(dw[v], qthumbs[j].whole)) > kLimit ||
          std::abs(Dot256(ds[v], qthumbs[j].square)) > kLimit) {
        return true;
      }
    }
    return false;
  };
  std::vector<NegListStats> stats(opt.neg_lists.size());
  for (size_t li = 0; li < opt.neg_lists.size(); ++li) {
    const ListSpec& spec = opt.neg_lists[li];
    const int want = spec.count >= 0 ? spec.count : share;
    const std::vector<std::string> order = DiverseOrder(ReadList(spec.path), rng);
    NegListStats& st = stats[li];
    const int batch = 32 * opt.threads;
    for (size_t start = 0; start < order.size() && st.got < want; start += batch) {
      const int count = int(std::min<size_t>(batch, order.size() - start));
      // In parallel: decode, thumbnail, hash, and compare with the pool as it was before this
      // batch.
      std::vector<int> short_side(count, 0);
      std::vector<QThumb> q(count);
      std::vector<std::array<std::array<int16_t, 256>, 8>> dw(count), ds(count);
      std::vector<Hashes> h(count);
      std::vector<char> bad(count, 0), flat(count, 0), near_pool(count, 0);
      const size_t pool_before = qthumbs.size();
      ParallelFor(count, opt.threads, [&](int i) {
        const Image m = LoadOriginal(order[start + i], opt.neg_max_side);
        bad[i] = m.pixels.empty();
        if (bad[i]) return;
        short_side[i] = std::min(m.width, m.height);
        if (short_side[i] < opt.neg_min_side) return;
        const Thumb t = MakeThumb(m);
        flat[i] = t.stddev < 4.0;
        if (flat[i]) return;
        q[i] = Quantise(t);
        dw[i] = Dihedral16(q[i].whole);
        ds[i] = Dihedral16(q[i].square);
        h[i] = HashAll(m, /*dihedral=*/true);
        for (size_t j = 0; j < pool_before && !near_pool[i]; ++j) {
          near_pool[i] = near(q[i], dw[i], ds[i], h[i], j);
        }
      });
      // In list order: accept, so the choice does not depend on the thread count.
      for (int i = 0; i < count && st.got < want; ++i) {
        if (bad[i]) {
          ++st.bad;
          continue;
        }
        if (short_side[i] < opt.neg_min_side) {
          ++st.small;
          continue;
        }
        if (flat[i]) {
          ++st.flat;
          continue;
        }
        const std::string family = family_of(order[start + i]);
        if (families.count(family)) {
          ++st.family;
          continue;
        }
        bool is_near = near_pool[i];
        for (size_t j = pool_before; j < qthumbs.size() && !is_near; ++j) {
          is_near = near(q[i], dw[i], ds[i], h[i], j);
        }
        if (is_near) {
          ++st.near;
          continue;
        }
        families.insert(family);
        qthumbs.push_back(q[i]);
        pool.push_back({order[start + i], int(li), h[i], short_side[i]});
        ++st.got;
      }
    }
    std::fprintf(stderr,
                 "%s: %d negatives (skipped %d under %d px, %d flat, %d of a family in the pool, "
                 "%d near-copies, %d undecodable)\n",
                 spec.path.c_str(), st.got, st.small, opt.neg_min_side, st.flat, st.family, st.near,
                 st.bad);
  }
  return stats;
}

}  // namespace hash_robustness
