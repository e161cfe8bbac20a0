#include "image/lazy_imgcodecs.h"

#include <dlfcn.h>

#include <mutex>

namespace neardup::image_internal {
namespace {

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
