// The fused score's coefficients, fitted by
//   build/bench/fuse_fit_bench data-cache/bench-hn-train
// (bench/fuse_fit_bench.cc) on the development benchmark's training set with hard negatives
// (`neardup bench make <the six training packages> data-cache/bench-hn-train --originals 100
// --seed 1`: 3,400 images, 500 hard negatives; 38,490 labelled candidate pairs, 32,547 of them
// verified); README.md ("Fused scoring") has the figures. Evaluated on the held-out benchmark
// (data-cache/bench-hn-heldout), never fitted on it.
#include "neardup/fuse.h"

namespace neardup {

const FuseModel& DefaultFuseModel() {
  static const FuseModel kModel{
      /*v=*/{-0.3245, -16.5933, 0.0000, 0.0000, 11.7475, 0.3538},
      /*g=*/{11.6991, -51.5928, 0.6732, -2.6910},
  };
  return kModel;
}

// Fitted by `NEARDUP_MODEL_DIR=models build/bench/fuse_fit_bench data-cache/bench-hn-train
// method=fused:cnn:mobilenet_v2` with the shipped models/cnn-mobilenet_v2.pt on the same
// training benchmark (45,437 labelled candidates, 36,176 verified; the match and inlier columns
// came out negative beside coverage and the cosine and were dropped, monotone=1); README.md,
// "The learned descriptor in fused", has the held-out figures.
const FuseModel& DefaultLearnedFuseModel() {
  static const FuseModel kModel{
      /*v=*/{-8.1955, -12.0446, 0.0000, 0.0000, 9.0978, 0.4862},
      /*g=*/{-3.9979, -32.6341, 1.2447, 1.5513},
      /*c=*/{10.8594, 18.3390},
  };
  return kModel;
}

}  // namespace neardup
