// Writes the seed corpora of the fuzz targets: make_corpus OUT_DIR makes OUT_DIR/<target>/ with
// small valid inputs of every kind a target reads (tiny images of each format and odd sizes,
// serialized local features, CSV files, hash lists, row-damage recipes). fuzz/make_corpus.sh
// runs it and adds the committed bad inputs of tests/data/reliability/.
#include <zlib.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "fuzz/test_images.h"
#include "neardup/decode.h"
#include "neardup/descriptor.h"
#include "neardup/fuse.h"
#include "neardup/hash.h"
#include "neardup/verify.h"

namespace {

namespace fs = std::filesystem;
using neardup::Image;
using neardup::fuzz::TexturedImage;

void Write(const fs::path& dir, const std::string& name, const std::string& bytes) {
  fs::create_directories(dir);
  std::ofstream out(dir / name, std::ios::binary);
  out.write(bytes.data(), std::streamsize(bytes.size()));
  if (!out) {
    std::fprintf(stderr, "cannot write %s\n", (dir / name).c_str());
    std::exit(1);
  }
}

// A string literal's bytes, NULs included.
template <size_t N>
std::string Bytes(const char (&literal)[N]) {
  return std::string(literal, N - 1);
}

void Put32(std::string* s, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) s->push_back(char((v >> shift) & 0xff));
}

void Chunk(std::string* png, const char* type, const std::string& data) {
  Put32(png, uint32_t(data.size()));
  std::string body = std::string(type, 4) + data;
  png->append(body);
  Put32(png, uint32_t(crc32(0, reinterpret_cast<const Bytef*>(body.data()), uInt(body.size()))));
}

// A PNG of `color_type` (0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA) and `depth` bits per
// sample whose sample bytes are a pattern, written by hand: OpenCV only writes 8-bit RGB/grey.
std::string HandPng(int w, int h, int color_type, int depth, bool interlaced = false) {
  const int channels = color_type == 2 ? 3 : color_type == 4 ? 2 : color_type == 6 ? 4 : 1;
  const size_t row_bytes = (size_t(w) * channels * depth + 7) / 8;
  std::string raw;
  // Interlaced data is written as if progressive: the decoder must cope either way (an error).
  for (int y = 0; y < h; ++y) {
    raw.push_back(char(y % 5));  // each filter type
    for (size_t x = 0; x < row_bytes; ++x) raw.push_back(char((x * 37 + y * 101) & 0xff));
  }
  uLongf n = compressBound(uLong(raw.size()));
  std::string z(n, '\0');
  compress(reinterpret_cast<Bytef*>(z.data()), &n, reinterpret_cast<const Bytef*>(raw.data()),
           uLong(raw.size()));
  z.resize(n);
  std::string png = "\x89PNG\r\n\x1a\n";
  std::string ihdr;
  Put32(&ihdr, uint32_t(w));
  Put32(&ihdr, uint32_t(h));
  ihdr += char(depth);
  ihdr += char(color_type);
  ihdr += std::string(2, '\0');
  ihdr += char(interlaced ? 1 : 0);
  Chunk(&png, "IHDR", ihdr);
  if (color_type == 3) {
    std::string plte;
    for (int i = 0; i < (1 << depth); ++i) plte += {char(i * 40), char(255 - i * 20), char(i * 7)};
    Chunk(&png, "PLTE", plte);
    Chunk(&png, "tRNS", std::string("\x00\x80\xff", 3));
  }
  Chunk(&png, "IDAT", z);
  Chunk(&png, "IEND", "");
  return png;
}

// A JPEG with an EXIF APP1 segment carrying `orientation` (1..8) right after SOI.
std::string WithExifOrientation(const std::string& jpeg, int orientation) {
  std::string tiff = std::string("II*\0\x08\0\0\0", 8);
  tiff += std::string("\x01\x00", 2);                    // one IFD entry
  tiff += std::string("\x12\x01\x03\x00\x01\0\0\0", 8);  // 0x0112 SHORT x1
  tiff += char(orientation);
  tiff += std::string(3, '\0');
  tiff += std::string(4, '\0');  // no next IFD
  std::string app1 = std::string("Exif\0\0", 6) + tiff;
  std::string seg = "\xFF\xE1";
  seg += char(((app1.size() + 2) >> 8) & 0xff);
  seg += char((app1.size() + 2) & 0xff);
  return jpeg.substr(0, 2) + seg + app1 + jpeg.substr(2);
}

void DecodeSeeds(const fs::path& out) {
  struct Size {
    int w, h;
  };
  const Size sizes[] = {{1, 1}, {2, 3}, {7, 5}, {33, 17}, {64, 64}, {500, 1}, {1, 300}};
  for (const Size& s : sizes) {
    for (int channels : {1, 3}) {
      const Image im = TexturedImage(s.w, s.h, uint32_t(s.w * 31 + s.h), channels);
      const std::string stem =
          std::to_string(s.w) + "x" + std::to_string(s.h) + "c" + std::to_string(channels);
      for (const char* ext : {".png", ".jpg", ".webp", ".tiff", ".bmp"}) {
        if (std::string(ext) == ".webp" && (s.w > 16383 || s.h > 16383)) continue;
        auto bytes = neardup::EncodeImage(im, ext, 80);
        if (bytes.ok()) Write(out, stem + ext, *bytes);
      }
    }
  }
  const Image im = TexturedImage(48, 32, 9);
  if (auto lossless = neardup::EncodeImage(im, ".webp", 101); lossless.ok()) {
    Write(out, "48x32-lossless.webp", *lossless);
  }
  if (auto jpeg = neardup::EncodeImage(im, ".jpg", 90); jpeg.ok()) {
    for (int o : {3, 6, 8})
      Write(out, "48x32-exif" + std::to_string(o) + ".jpg", WithExifOrientation(*jpeg, o));
  }
  Write(out, "16x8-grey16.png", HandPng(16, 8, 0, 16));
  Write(out, "16x8-grey1.png", HandPng(16, 8, 0, 1));
  Write(out, "9x7-rgb16.png", HandPng(9, 7, 2, 16));
  Write(out, "9x7-palette4.png", HandPng(9, 7, 3, 4));
  Write(out, "9x7-greyalpha.png", HandPng(9, 7, 4, 8));
  Write(out, "9x7-rgba.png", HandPng(9, 7, 6, 8));
  Write(out, "9x7-rgba16.png", HandPng(9, 7, 6, 16));
  Write(out, "9x7-interlaced.png", HandPng(9, 7, 2, 8, true));
  // The smallest GIF (1x1, transparent) and one with a local colour table.
  Write(out, "1x1.gif",
        Bytes("GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00"
              "\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"));
  Write(out, "2x2-local.gif",
        Bytes("GIF87a\x02\x00\x02\x00\x00\x00\x00,\x00\x00\x00\x00\x02\x00\x02\x00\x81"
              "\xff\x00\x00\x00\xff\x00\x00\x00\xff\xff\xff\xff\x02\x03\x84\x1d\x05\x00;"));
}

void FeatureSeeds(const fs::path& out) {
  neardup::VerifyOptions o = neardup::FuseOptions{}.verify;
  int k = 0;
  for (int keypoints : {0, 4, 40}) {
    o.max_keypoints = keypoints > 0 ? keypoints : 1;
    const Image im = keypoints > 0 ? TexturedImage(160, 120, uint32_t(keypoints)) : Image(8, 8, 3);
    auto f = neardup::ExtractFeatures(im, o);
    if (!f.ok()) continue;
    std::vector<uint8_t> bytes = neardup::SerializeFeatures(*f);
    Write(out, "features" + std::to_string(k++), std::string(bytes.begin(), bytes.end()));
  }
  neardup::LocalFeatures sift;
  sift.width = 10;
  sift.height = 20;
  sift.binary = false;
  sift.descriptor_bytes = 8;
  sift.points = {{1, 2}, {3, 4}};
  sift.descriptors.assign(16, 1);
  std::vector<uint8_t> bytes = neardup::SerializeFeatures(sift);
  Write(out, "float-features", std::string(bytes.begin(), bytes.end()));
}

void TextSeeds(const fs::path& root) {
  const std::string pairs =
      "a,b,score\n"
      "/bench/images/g1/original.jpg,/bench/images/g1/crop.jpg,0.9\n"
      "/bench/images/g1/original.jpg,g1/rot.jpg,0.8\n"
      "\"x/d,2.jpg\",\"g2/a.png\",1e-3\r\n"
      "x/\"q\".jpg,g2/b.png,-0\n"
      "\"x/\"\"q\"\".jpg\",/elsewhere/g2/b.png,0.5\n"
      "g2/a.png,g2/b.png,nan\n"
      "g2/a.png,unknown.png,0.1\n"
      "only,two\n";
  Write(root / "pairs", "pairs.csv", pairs);
  Write(root / "pairs", "header-only.csv", "a,b,score\n");
  Write(root / "pairs", "bom.csv", "\xEF\xBB\xBFg1/crop.jpg,g1/rot.jpg,0.7\n");
  Write(root / "csv", "pairs.csv", pairs);
  Write(root / "csv", "quoted.csv", "\"a\"\"b\",\"multi\nline\",c\r\n\"open,x\n");
  const std::string truth =
      "image,group,role,family\n"
      "g1/original.jpg,g1,original,\n"
      "g1/crop.jpg,g1,copy,crop\n"
      "g1/./rot.jpg, g1 ,copy,rotate\n"
      "g2/a.png,g2,natural,\n"
      "g2/b.png,g2,natural,\n"
      "\"x/d,2.jpg\",,distractor,\n";
  Write(root / "truth", "truth", truth);
  Write(root / "truth", "truth-ignore",
        truth + std::string(1, '\0') + "a,b\ng1/crop.jpg,g2/a.png\n");
  Write(root / "truth", "reordered", "role,image,group\noriginal,a.jpg,1\ncopy,b.jpg,1\n");
  Write(root / "csv", "truth.csv", truth);
}

void HashListSeeds(const fs::path& out) {
  const Image im = TexturedImage(64, 64, 1);
  const std::string hex = neardup::ToHex(neardup::PdqHash(im).hash);
  std::string upper = hex;
  for (char& c : upper) c = char(std::toupper(static_cast<unsigned char>(c)));
  Write(out, "hex", hex);
  Write(out, "short", hex.substr(0, 63));
  Write(out, "list",
        "\xEF\xBB\xBF# exported\n" + hex + ",id-1\n" + upper + "\r\n" + hex +
            ",a,comma and \\\\ backslash \\n\\x07\r" + hex + ",caf\xC3\xA9\n\n  " + hex +
            "\t,id-1\n" + hex.substr(1) + "0,id-1\n");
  Write(out, "bad", hex + ",\\q\n" + hex + ",\n" + hex + ",x\\\nzz\n");
}

// The row targets read their input through FuzzedDataProvider: a few byte strings of each size
// class give it a start (the all-zero input rewrites every column with its own value).
void RowSeeds(const fs::path& out) {
  Write(out, "zeros", std::string(64, '\0'));
  Write(out, "ones", std::string(64, '\x01'));
  std::string mixed;
  for (int i = 0; i < 256; ++i) mixed.push_back(char(i * 73));
  Write(out, "mixed", mixed);
  Write(out, "text", "jpeg\x04png\x05\x03" + std::string(40, 'x'));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUT_DIR\n", argv[0]);
    return 1;
  }
  const fs::path root = argv[1];
  DecodeSeeds(root / "decode");
  FeatureSeeds(root / "features");
  TextSeeds(root);
  HashListSeeds(root / "hashlist");
  RowSeeds(root / "cache");
  RowSeeds(root / "index");
  return 0;
}
