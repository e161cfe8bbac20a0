// The model's input convention, in one place so that training views (train_data.cc) and
// inference tensors (model.h's ImageToTensor) hold exactly the same numbers. Private to the nn
// plugin; torch-free, so the augmentation side compiles without LibTorch.
#ifndef NEARDUP_SRC_NN_INPUT_H_
#define NEARDUP_SRC_NN_INPUT_H_

#include "neardup/image.h"

namespace neardup::nn {

// Writes an RGB (or grey, replicated) image as 3 x size x size planar floats at `out`:
// letterboxed to size x size when it is not already that shape (aspect kept, black bars, so
// nothing near a border is cropped away), then per channel c: (v / 255 - mean[c]) / stddev[c].
// `out` must hold 3 * size * size floats.
void WriteModelInput(const Image& image, int size, const float (&mean)[3], const float (&stddev)[3],
                     float* out);

}  // namespace neardup::nn

#endif  // NEARDUP_SRC_NN_INPUT_H_
