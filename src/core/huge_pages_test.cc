#include "rebalance/core/huge_pages.h"

#include <cstdint>
#include <vector>

#include <gtest/gtest.h>

namespace rebalance::core {
namespace {

TEST(AppendGenerated, AppendsEveryValueInOrderAfterTheOldOnes) {
  std::vector<double> v{7.0, 8.0};
  // Large enough to be advised for huge pages (3M doubles = 24 MB).
  const size_t n = 3'000'000;
  AppendGenerated(v, n, [](size_t i) { return 0.5 * static_cast<double>(i); });
  ASSERT_EQ(v.size(), n + 2);
  EXPECT_EQ(v[0], 7.0);
  EXPECT_EQ(v[1], 8.0);
  for (size_t i = 0; i < n; ++i) ASSERT_EQ(v[i + 2], 0.5 * static_cast<double>(i)) << i;
  AppendGenerated(v, 0, [](size_t) { return -1.0; });
  EXPECT_EQ(v.size(), n + 2);
}

TEST(AppendGenerated, FillsReservedRoomWithoutMovingIt) {
  std::vector<int64_t> v;
  ReserveHuge(v, 10);
  const int64_t* p = v.data();
  AppendGenerated(v, 4, [](size_t i) { return static_cast<int64_t>(i * i); });
  AppendGenerated(v, 6, [](size_t i) { return -static_cast<int64_t>(i); });
  EXPECT_EQ(v.data(), p);
  EXPECT_EQ(v, (std::vector<int64_t>{0, 1, 4, 9, 0, -1, -2, -3, -4, -5}));
}

}  // namespace
}  // namespace rebalance::core
