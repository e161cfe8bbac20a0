#include "progress.h"

#include <cstdio>
#include <string>

namespace neardup::cli {

void ProgressBar::Update(int64_t done, int64_t total) {
  double t = clock_.Seconds();
  if (done < total && t - last_ < 0.1) return;
  last_ = t;
  const int width = 30;
  int fill = total > 0 ? int(width * done / total) : width;
  std::string bar(fill, '=');
  if (fill < width) bar += '>' + std::string(width - fill - 1, ' ');
  std::fprintf(stderr, "\r[%s] %lld/%lld images  %.1f/s ", bar.c_str(),
               static_cast<long long>(done), static_cast<long long>(total), t > 0 ? done / t : 0.0);
  if (done == total) std::fprintf(stderr, "\r%*s\r", width + 40, "");
  std::fflush(stderr);
}

}  // namespace neardup::cli
