// The fused score's coefficients, fitted by
//   build/bench/fuse_fit_bench data-cache/bench-o150-s1
// (bench/fuse_fit_bench.cc) on the development benchmark's training set (4,050 images, 42,779
// labelled candidate pairs); README.md ("Fused scoring") has the figures. Evaluated on the
// held-out benchmark, never fitted on it.
#include "neardup/fuse.h"

namespace neardup {

const FuseModel& DefaultFuseModel() {
  static const FuseModel kModel{
      /*v=*/{-3.0326, -19.1136, 1.8198, 0.4567, 7.7906, 1.3096},
      /*g=*/{14.4910, -62.5970, -0.4340, 0.0},
  };
  return kModel;
}

}  // namespace neardup
