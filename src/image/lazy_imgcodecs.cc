#include "image/lazy_imgcodecs.h"

#include <dlfcn.h>

#include <cstdlib>
#include <iostream>
#include <mutex>
#include <opencv2/core/utils/logger.hpp>
#include <streambuf>
#include <string>

namespace neardup::image_internal {
namespace {

// std::cerr's buffer while imgcodecs is loaded: drops the lines cv::imdecode prints itself
// ("imdecode_('...'): can't read data: ...") for a file it could not read, since the decoder
// returns that failure as a Status naming the file, and forwards everything else. Lines are
// assembled under one mutex, so writers on several threads never interleave inside a line.
class DropImdecodeLines : public std::streambuf {
 public:
  explicit DropImdecodeLines(std::streambuf* next) : next_(next) {}

 protected:
  int overflow(int c) override {
    if (c == traits_type::eof()) return traits_type::not_eof(c);
    std::lock_guard<std::mutex> lock(mu_);
    Put(char(c));
    return c;
  }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    std::lock_guard<std::mutex> lock(mu_);
    for (std::streamsize i = 0; i < n; ++i) Put(s[i]);
    return n;
  }
  int sync() override {
    std::lock_guard<std::mutex> lock(mu_);
    return next_->pubsync();
  }

 private:
  void Put(char c) {
    line_ += c;
    if (c != '\n') return;
    // The exception's text ends in a newline of its own, and std::endl adds an empty line.
    const bool drop = line_.rfind("imdecode_(", 0) == 0 || (line_ == "\n" && dropped_last_);
    if (!drop) next_->sputn(line_.data(), std::streamsize(line_.size()));
    dropped_last_ = drop && line_ != "\n";
    line_.clear();
  }

  std::mutex mu_;  // guards line_, dropped_last_ and writes to next_
  std::streambuf* next_;
  std::string line_;
  bool dropped_last_ = false;  // the last whole line was one of imdecode's
};

// OpenCV's decoders report damaged files on stderr without the file's name (libtiff warnings,
// imdecode's own lines); neardup reports each failure once, with the path, so they are silenced.
// OPENCV_LOG_LEVEL, when set, still wins for the logger (to debug OpenCV itself).
void SilenceOpenCv() {
  if (std::getenv("OPENCV_LOG_LEVEL") == nullptr) {
    cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_SILENT);
  }
  // Never destroyed: std::cerr is flushed by static destructors that run after a function-local
  // static's (libstdc++'s ios_base::Init of libraries loaded before, e.g. GDAL's libgeos), and it
  // must not point at a destroyed buffer then (ASan: SEGV at exit of every process that decoded).
  static DropImdecodeLines* const filter = new DropImdecodeLines(std::cerr.rdbuf());
  std::cerr.rdbuf(filter);
}

// The exact signatures of the two OpenCV 4 functions we call.
using ImdecodeFn = cv::Mat (*)(cv::InputArray, int);
using ImencodeFn = bool (*)(const cv::String&, cv::InputArray, std::vector<uchar>&,
                            const std::vector<int>&);

// Their Itanium-mangled names (stable across OpenCV 4.x on the GCC ABI).
constexpr const char* kImdecodeSymbol = "_ZN2cv8imdecodeERKNS_11_InputArrayEi";
constexpr const char* kImencodeSymbol =
    "_ZN2cv8imencodeERKNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEERKNS_11_InputArrayERSt6"
    "vectorIhSaIhEERKSB_IiSaIiEE";

struct Codecs {
  ImdecodeFn imdecode = nullptr;
  ImencodeFn imencode = nullptr;
  std::string error;  // why loading failed, when it did
};

const Codecs& Load() {
  static Codecs codecs;
  static std::once_flag once;
  std::call_once(once, [] {
    void* lib = dlopen(NEARDUP_IMGCODECS_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (lib == nullptr) {
      codecs.error = std::string("cannot load ") + NEARDUP_IMGCODECS_SONAME + ": " + dlerror();
      return;
    }
    codecs.imdecode = reinterpret_cast<ImdecodeFn>(dlsym(lib, kImdecodeSymbol));
    codecs.imencode = reinterpret_cast<ImencodeFn>(dlsym(lib, kImencodeSymbol));
    if (codecs.imdecode == nullptr || codecs.imencode == nullptr) {
      codecs.error = std::string(NEARDUP_IMGCODECS_SONAME) + " lacks cv::imdecode/cv::imencode";
    }
    // The library stays loaded for the life of the process.
    SilenceOpenCv();
  });
  return codecs;
}

}  // namespace

StatusOr<cv::Mat> LazyImdecode(const cv::Mat& buffer, int flags) {
  const Codecs& c = Load();
  if (c.imdecode == nullptr) return UnimplementedError(c.error);
  return c.imdecode(buffer, flags);
}

StatusOr<bool> LazyImencode(const std::string& ext, const cv::Mat& image, std::vector<uchar>* out,
                            const std::vector<int>& params) {
  const Codecs& c = Load();
  if (c.imencode == nullptr) return UnimplementedError(c.error);
  return c.imencode(ext, image, *out, params);
}

}  // namespace neardup::image_internal
