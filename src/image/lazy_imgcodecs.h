// cv::imdecode and cv::imencode, loaded on first use (private to src/image/).
//
// Why: libopencv_imgcodecs links GDAL, GDCM, HDF5 and about 120 other libraries whose loading and
// static constructors cost ~55 ms at every process start (measured: an empty program linked with
// it starts in 57 ms, without it in 1 ms). Most runs never need it: JPEG, PNG and GIF have their
// own decoders and a warm `neardup find` reads only the cache. So the library is opened with dlopen
// the first time a WebP/TIFF/BMP/... is decoded or an image is encoded.
#ifndef NEARDUP_SRC_IMAGE_LAZY_IMGCODECS_H_
#define NEARDUP_SRC_IMAGE_LAZY_IMGCODECS_H_

#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "neardup/status.h"

namespace neardup::image_internal {

// cv::imdecode(buffer, flags). Unimplemented when the library cannot be loaded; cv::Exception
// propagates as from OpenCV itself.
StatusOr<cv::Mat> LazyImdecode(const cv::Mat& buffer, int flags);

// cv::imencode(ext, image, *out, params); false when OpenCV cannot encode it.
StatusOr<bool> LazyImencode(const std::string& ext, const cv::Mat& image, std::vector<uchar>* out,
                            const std::vector<int>& params);

}  // namespace neardup::image_internal

#endif  // NEARDUP_SRC_IMAGE_LAZY_IMGCODECS_H_
