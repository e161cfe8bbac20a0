// A fixed train / held-out split of image files, shared by `neardup train` and `neardup bench
// make`, so a model is never scored on pictures it was trained on.
//
// Files are split by family, not one by one: animation frames, sizes and variants of one picture
// are named alike in one folder ("zombie-die-3.png", "portrait_0028.jpg"), and a model trained on
// one frame has in effect seen the others. A family is the innermost folder's name plus the
// leading letters of the file name (FamilyKey), independent of where the data root lies; a fixed
// hash of the key (FNV-1a, stable across builds and platforms) puts 1 family in kHoldoutModulus in
// the held-out set.
#ifndef NEARDUP_SPLIT_H_
#define NEARDUP_SPLIT_H_

#include <string>
#include <string_view>

namespace neardup {

inline constexpr int kHoldoutModulus = 5;  // 20% of the families are held out

// "data/units/undead/zombie-die-3.png" -> "undead/zombie".
std::string FamilyKey(std::string_view path);

// True when the family of `path` is held out from training (used by benchmarks).
bool IsHeldOut(std::string_view path);

}  // namespace neardup

#endif  // NEARDUP_SPLIT_H_
