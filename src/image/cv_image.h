// Private to the library (src/image/ and the OpenCV users beside it): moving pixels between
// neardup::Image and cv::Mat.
#ifndef NEARDUP_SRC_IMAGE_CV_IMAGE_H_
#define NEARDUP_SRC_IMAGE_CV_IMAGE_H_

#include <opencv2/core.hpp>

#include "neardup/image.h"
#include "neardup/status.h"

namespace neardup::image_internal {

// A cv::Mat header over `image`'s pixels (no copy; CV_8UC1 or CV_8UC3 in RGB order). The Mat
// must not outlive `image`; writing through the const overload's Mat is not allowed.
cv::Mat AsMat(Image& image);
cv::Mat AsMat(const Image& image);
cv::Mat AsMat(FloatImage& image);
cv::Mat AsMat(const FloatImage& image);

// Copies a CV_8UC1 or CV_8UC3 Mat (channels as the Mat holds them, no reordering) into an Image.
Image FromMat(const cv::Mat& mat);

// Brings a freshly decoded Mat of any depth and 1, 3 or 4 channels in OpenCV's BGR(A) order to
// the library's convention: 8 bits (16-bit samples / 257, float [0,1] * 255), alpha composited
// over AlphaBackground (decoders.h), RGB order, then grey (ITU-R BT.601 luma) or RGB as `grey` asks.
StatusOr<Image> NormaliseDecodedMat(const cv::Mat& mat, bool grey);

}  // namespace neardup::image_internal

#endif  // NEARDUP_SRC_IMAGE_CV_IMAGE_H_
