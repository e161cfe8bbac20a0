#include <opencv2/imgproc.hpp>

#include "image/cv_image.h"
#include "testutil/testutil.h"

namespace neardup::testing {

Image MakeBusyPhoto(int w, int h, uint32_t seed) {
  Image img = MakeTestPhoto(w, h, seed);
  cv::Mat m = image_internal::AsMat(img);
  cv::RNG rng(seed);
  auto colour = [&] {
    return cv::Scalar(rng.uniform(0, 256), rng.uniform(0, 256), rng.uniform(0, 256));
  };
  for (int i = 0; i < 150; ++i) {
    cv::Point p(rng.uniform(0, w), rng.uniform(0, h));
    int s = rng.uniform(4, std::max(5, w / 12));
    switch (i % 3) {
      case 0:
        cv::rectangle(m, p, p + cv::Point(s, rng.uniform(4, s + 5)), colour(), cv::FILLED);
        break;
      case 1:
        cv::ellipse(m, p, cv::Size(s, s / 2 + 2), rng.uniform(0, 180), 0, 360, colour(),
                    cv::FILLED);
        break;
      default:
        cv::line(m, p, cv::Point(rng.uniform(0, w), rng.uniform(0, h)), colour(), 2);
    }
  }
  for (int i = 0; i < 6; ++i) {
    cv::putText(m, "neardup " + std::to_string(seed * 7 + i),
                cv::Point(rng.uniform(0, w / 2), rng.uniform(20, h)), cv::FONT_HERSHEY_SIMPLEX,
                0.5 + rng.uniform(0.0, 1.0), colour(), 2);
  }
  return img;
}

}  // namespace neardup::testing
