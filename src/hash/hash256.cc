// Hash256 text form and distance. The words are stored so that bit i of the hash is the PDQ
// reference's bit i (its 16-bit word i/16, bit i%16); the reference prints its 16-bit words from
// the last to the first, which is the same as printing our 64-bit words from w[3] to w[0].
#include <bit>

#include "neardup/hash.h"
#include "neardup/text.h"

namespace neardup {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string ToHex(const Hash256& h) {
  const uint64_t reversed[4] = {h.w[3], h.w[2], h.w[1], h.w[0]};
  return HexWords(reversed, 4);
}

StatusOr<Hash256> Hash256FromHex(std::string_view hex) {
  if (hex.size() != 64) {
    return InvalidArgumentError("hash256: expected 64 hex digits, got " +
                                std::to_string(hex.size()) + " characters");
  }
  Hash256 h;
  for (int i = 0; i < 64; ++i) {
    int v = HexValue(hex[i]);
    if (v < 0) {
      return InvalidArgumentError("hash256: '" + std::string(hex) +
                                  "' has a non-hex character at " + std::to_string(i));
    }
    int word = 3 - i / 16;
    h.w[word] = (h.w[word] << 4) | uint64_t(v);
  }
  return h;
}

int HammingDistance(const Hash256& a, const Hash256& b) {
  int d = 0;
  for (int i = 0; i < 4; ++i) d += std::popcount(a.w[i] ^ b.w[i]);
  return d;
}

}  // namespace neardup
