// An example of neardup's public API: decodes the images given on the command line, prints
// each one's PDQ hash (variant 0 of pdq8: the image as it is) and quality, then the pdq8
// distance of the first two (bits; 8 dihedral variants, so a rotated or mirrored copy is close).
//
//   $ cd examples && consumer harbour.jpg harbour_rotated.jpg
//   harbour.jpg  pdq8 83d28bf235b6c1a79d0705866796581ede9f760ba878ea5a026da5e98568de85  quality 100
//   harbour_rotated.jpg  pdq8 99e24684672178941ce45b92178cab53a390956bed7b36e554ebeadcaa8d4d98  ...
//   distance 12 bits (threshold 32): near-duplicates
//
// With --learned first, it also prints the cosine of the first two under the shipped learned
// model (neardup::kDefaultLearnedMethod), which libneardup.so finds in its own prefix
// (lib/neardup/ for the plugin, share/neardup/models/ for the model) wherever this program is.
//
// Exit status: 0, or 1 on an unreadable file or a usage error (the reason on stderr).
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "neardup/decode.h"
#include "neardup/descriptor.h"
#include "neardup/hash.h"
#include "neardup/registry.h"
#include "neardup/status.h"

// The cosine similarity of two images under the shipped learned model.
int PrintLearned(const neardup::Image& a, const neardup::Image& b) {
  neardup::StatusOr<std::unique_ptr<neardup::Method>> m =
      neardup::MakeMethod(neardup::kDefaultLearnedMethod);
  if (!m.ok()) {
    std::fprintf(stderr, "consumer: %s\n", m.status().ToString().c_str());
    return 1;
  }
  neardup::StatusOr<neardup::Descriptor> da = (*m)->Compute(a), db = (*m)->Compute(b);
  if (!da.ok() || !db.ok()) {
    std::fprintf(stderr, "consumer: %s\n", (da.ok() ? db : da).status().ToString().c_str());
    return 1;
  }
  neardup::StatusOr<double> d = (*m)->Distance(*da, *db);
  if (!d.ok()) {
    std::fprintf(stderr, "consumer: %s\n", d.status().ToString().c_str());
    return 1;
  }
  std::printf("%s cosine %.4f\n", (*m)->name().c_str(), 1 - *d);
  return 0;
}

int main(int argc, char** argv) {
  const bool learned = argc > 1 && std::string(argv[1]) == "--learned";
  if (learned) {
    --argc;
    ++argv;
  }
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s [--learned] IMAGE...\n", argv[0]);
    return 1;
  }
  neardup::StatusOr<std::unique_ptr<neardup::Method>> method = neardup::MakeMethod("pdq8");
  if (!method.ok()) {
    std::fprintf(stderr, "consumer: %s\n", method.status().ToString().c_str());
    return 1;
  }
  const neardup::Method& pdq8 = **method;

  std::vector<neardup::Descriptor> descriptors;
  std::vector<neardup::Image> images;
  for (int i = 1; i < argc; ++i) {
    const std::string path = argv[i];
    // Full resolution, as `neardup hash` decodes, so both print the same hash.
    neardup::StatusOr<neardup::Image> image = neardup::DecodeFile(path, neardup::DecodeOptions{});
    if (!image.ok()) {  // the message starts with the path
      std::fprintf(stderr, "consumer: %s\n", image.status().ToString().c_str());
      return 1;
    }
    neardup::StatusOr<neardup::Descriptor> d = pdq8.Compute(*image);
    if (!d.ok()) {
      std::fprintf(stderr, "consumer: %s: %s\n", path.c_str(), d.status().ToString().c_str());
      return 1;
    }
    neardup::Hash256 h;  // variant 0: the first 4 words
    for (int w = 0; w < 4; ++w) h.w[w] = d->bits[w];
    std::printf("%s  pdq8 %s  quality %d\n", path.c_str(), neardup::ToHex(h).c_str(), d->quality);
    descriptors.push_back(std::move(*d));
    images.push_back(std::move(*image));
  }

  if (descriptors.size() >= 2) {
    neardup::StatusOr<double> distance = pdq8.Distance(descriptors[0], descriptors[1]);
    if (!distance.ok()) {
      std::fprintf(stderr, "consumer: %s\n", distance.status().ToString().c_str());
      return 1;
    }
    const double threshold = pdq8.default_threshold();
    std::printf("distance %.0f bits (threshold %.0f): %s\n", *distance, threshold,
                neardup::IsMatch(pdq8, *distance, threshold) ? "near-duplicates" : "different");
  }
  if (learned && images.size() >= 2) return PrintLearned(images[0], images[1]);
  return 0;
}
