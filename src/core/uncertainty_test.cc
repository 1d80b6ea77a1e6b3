#include "rebalance/core/uncertainty.h"

#include <cmath>
#include <limits>
#include <vector>

#include <gtest/gtest.h>

namespace rebalance::core {
namespace {

// First three outputs of Vigna's reference splitmix64.c from state 0.
TEST(Uncertainty, SplitMix64MatchesTheReferenceImplementation) {
  const uint64_t golden = 0x9e3779b97f4a7c15ULL;
  EXPECT_EQ(SplitMix64(0), 0xe220a8397b1dcdafULL);
  EXPECT_EQ(SplitMix64(golden), 0x6e789e6aa1b965f4ULL);
  EXPECT_EQ(SplitMix64(2 * golden), 0x06c45d188009454fULL);
}

TEST(Uncertainty, SeedDerivationsAreTheDocumentedFormulas) {
  EXPECT_EQ(GravityDrawSeed(20160101, 17), SplitMix64(20160101ULL ^ SplitMix64(17)));
  EXPECT_EQ(SweepDrawSeed(20261129, 17), SplitMix64(20261129ULL ^ (0xD1B54A32D192ED03ULL * 18ULL)));
  EXPECT_NE(SweepDrawSeed(1, 0), SweepDrawSeed(1, 1));
  EXPECT_NE(GravityDrawSeed(1, 0), GravityDrawSeed(1, 1));
}

// The first pair of a stream is Box-Muller on the first two words, computed
// here from the formula.
TEST(Uncertainty, NormalStreamIsBoxMullerOnTheStream) {
  const uint64_t seed = 12345;
  const double w1 = static_cast<double>(SplitMix64(seed) >> 11);
  const double w2 = static_cast<double>(SplitMix64(seed + 0x9e3779b97f4a7c15ULL) >> 11);
  for (UnitInterval unit : {UnitInterval::kRejectZero, UnitInterval::kMidpoint}) {
    const double off = unit == UnitInterval::kMidpoint ? 0.5 : 0.0;
    const double u1 = (w1 + off) / 9007199254740992.0, u2 = (w2 + off) / 9007199254740992.0;
    const double r = std::sqrt(-2.0 * std::log(u1));
    NormalStream s(seed, unit);
    EXPECT_NEAR(s.Next(), r * std::cos(2.0 * M_PI * u2), 1e-15);
    EXPECT_NEAR(s.Next(), r * std::sin(2.0 * M_PI * u2), 1e-15);
  }
}

// 200,000 draws: mean 0 and variance 1 within 5 standard errors
// (se of the mean 1/sqrt(n) = 0.0022; of the variance sqrt(2/n) = 0.0032).
TEST(Uncertainty, NormalStreamHasUnitMoments) {
  for (UnitInterval unit : {UnitInterval::kRejectZero, UnitInterval::kMidpoint}) {
    NormalStream s(7, unit);
    const int n = 200000;
    double sum = 0, ss = 0;
    for (int k = 0; k < n; ++k) {
      const double z = s.Next();
      sum += z;
      ss += z * z;
    }
    EXPECT_NEAR(sum / n, 0.0, 5 * 0.0023);
    EXPECT_NEAR(ss / n, 1.0, 5 * 0.0032);
  }
}

// numpy.percentile([1, 2, 3, 4], [5, 50, 95]) = 1.15, 2.5, 3.85 (type 7).
TEST(Uncertainty, BandMatchesAHandComputationInBothSummationOrders) {
  for (Moments m : {Moments::kTwoPass, Moments::kWelford}) {
    std::vector<double> v = {4, 1, 3, 2};
    const Band b = Summarize(&v, m);
    EXPECT_EQ(b.draws, 4);
    EXPECT_DOUBLE_EQ(b.mean, 2.5);
    EXPECT_NEAR(b.sd, std::sqrt(5.0 / 3.0), 1e-15);
    EXPECT_DOUBLE_EQ(b.p05, 1.15);
    EXPECT_DOUBLE_EQ(b.p50, 2.5);
    EXPECT_DOUBLE_EQ(b.p95, 3.85);
  }
}

TEST(Uncertainty, NonFiniteValuesAreLeftOutAndCounted) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> v = {4, nan, 1, inf, 3, -inf, 2};
  const Band b = Summarize(&v, Moments::kWelford);
  EXPECT_EQ(b.draws, 4);
  EXPECT_DOUBLE_EQ(b.mean, 2.5);
  EXPECT_DOUBLE_EQ(b.p95, 3.85);
  std::vector<double> none = {nan, inf};
  const Band e = Summarize(&none, Moments::kTwoPass);
  EXPECT_EQ(e.draws, 0);
  EXPECT_EQ(e.mean, 0.0);
  EXPECT_EQ(e.p95, 0.0);
  std::vector<double> one = {-0.0};
  const Band o = Summarize(&one, Moments::kTwoPass);
  EXPECT_TRUE(std::signbit(o.p50));
  EXPECT_EQ(o.sd, 0.0);
}

}  // namespace
}  // namespace rebalance::core
