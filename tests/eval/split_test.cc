#include "neardup/split.h"

#include <gtest/gtest.h>

#include <string>

namespace neardup {
namespace {

TEST(Split, FamilyKeyIsTheInnermostFolderAndLeadingLetters) {
  EXPECT_EQ(FamilyKey("a/b/units/undead/zombie-die-3.png"), "undead/zombie");
  EXPECT_EQ(FamilyKey("/abs/other/root/undead/zombie-horse.png"), "undead/zombie");
  EXPECT_EQ(FamilyKey("rubber_duck/portrait_0028.jpg"), "rubber_duck/portrait");
  EXPECT_EQ(FamilyKey("x.png"), "/x");
}

TEST(Split, HeldOutIsAStableFifthOfFamiliesIndependentOfTheRoot) {
  int held = 0;
  for (int i = 0; i < 5000; ++i) {
    const std::string name = "dir" + std::to_string(i % 97) + "/" +
                             std::string(1, char('a' + i % 26)) +
                             std::string(1, char('a' + (i / 26) % 26)) + "-7.png";
    const bool h = IsHeldOut("root1/" + name);
    EXPECT_EQ(h, IsHeldOut("/other/root2/" + name)) << name;
    EXPECT_EQ(h, IsHeldOut("root1/" + name.substr(0, name.size() - 6) + "-8.png")) << "frames";
    held += h;
  }
  EXPECT_GT(held, 5000 / kHoldoutModulus - 250);
  EXPECT_LT(held, 5000 / kHoldoutModulus + 250);
}

}  // namespace
}  // namespace neardup
