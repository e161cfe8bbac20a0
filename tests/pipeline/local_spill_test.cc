// The spill file gives back exactly what was written, per item, from several threads.
#include "pipeline/local_spill.h"

#include <gtest/gtest.h>

#include <thread>

namespace neardup {
namespace {

TEST(LocalSpill, ReadsBackWhatEachItemWrote) {
  auto spill = LocalSpill::Create();
  ASSERT_TRUE(spill.ok()) << spill.status().message();
  std::vector<std::vector<uint8_t>> records(64);
  for (size_t i = 0; i < records.size(); ++i) records[i].assign(1000 + i * 37, uint8_t(i * 5));
  std::vector<LocalSpill::Ticket> tickets(records.size());
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&, t] {
      for (size_t i = t; i < records.size(); i += 4) {
        auto w = (*spill)->Write(records[i]);
        ASSERT_TRUE(w.ok());
        tickets[i] = *w;
      }
    });
  }
  for (auto& w : writers) w.join();
  // Items in another order than written.
  std::vector<LocalSpill::Ticket> items(tickets.rbegin(), tickets.rend());
  (*spill)->SetItems(items);
  for (size_t i = 0; i < records.size(); ++i) {
    auto r = (*spill)->Load(int64_t(i));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(*r, records[records.size() - 1 - i]) << i;
  }
  EXPECT_FALSE((*spill)->Load(64).ok());
}

TEST(LocalSpill, AFolderThatCannotHoldItIsNamed) {
  auto spill = LocalSpill::Create("/nonexistent-neardup-folder");
  ASSERT_FALSE(spill.ok());
  EXPECT_NE(spill.status().message().find("/nonexistent-neardup-folder"), std::string::npos);
}

}  // namespace
}  // namespace neardup
