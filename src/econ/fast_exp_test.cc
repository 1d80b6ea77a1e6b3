// FastExp against std::exp (glibc's, correctly rounded in nearly all cases):
// at most 2 ulp apart over the whole range, exact at the special values, the
// same in a vectorised loop as one value at a time.
#include "fast_exp.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#ifdef __clang__
// Builds without vectorisation (the sanitizer build, clang -O1) leave the
// `omp simd` loops scalar, which is correct; clang's notice is not wanted.
#pragma clang diagnostic ignored "-Wpass-failed"
#endif

namespace rebalance::econ {
namespace {

// Distance in units in the last place between two finite doubles of the same
// sign (subnormals included).
int64_t UlpDistance(double a, double b) {
  const auto ia = static_cast<int64_t>(std::bit_cast<uint64_t>(std::fabs(a)));
  const auto ib = static_cast<int64_t>(std::bit_cast<uint64_t>(std::fabs(b)));
  return ia > ib ? ia - ib : ib - ia;
}

TEST(FastExp, WithinTwoUlpOfStdExp) {
  std::mt19937_64 rng(3);
  std::vector<double> xs;
  std::uniform_real_distribution<double> wide(-745.5, 709.9), narrow(-30, 30), tiny(-1e-6, 1e-6);
  for (int i = 0; i < 400000; ++i) xs.push_back(wide(rng));
  for (int i = 0; i < 400000; ++i) xs.push_back(narrow(rng));
  for (int i = 0; i < 10000; ++i) xs.push_back(tiny(rng));
  // Around the points where the reduction changes k, and near the ends.
  for (int k = -1070; k <= 1023; ++k) {
    const double c = k * 0.6931471805599453;
    for (double d : {-1e-9, 0.0, 1e-9, 0.3465, -0.3465}) xs.push_back(c + d);
  }
  int64_t worst = 0;
  double worst_x = 0;
  for (const double x : xs) {
    const double want = std::exp(x), got = FastExp(x);
    if (want == 0 || std::isinf(want)) {
      EXPECT_EQ(got, want) << x;
      continue;
    }
    // In the subnormal range a few ulp of a subnormal are a large relative
    // error, but the same absolute error as at the smallest normal number.
    const int64_t d = UlpDistance(got, want);
    if (d > worst) worst = d, worst_x = x;
  }
  EXPECT_LE(worst, 2) << "at x = " << worst_x;
}

TEST(FastExp, SpecialValues) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(FastExp(0.0), 1.0);
  EXPECT_EQ(FastExp(-0.0), 1.0);
  EXPECT_LE(UlpDistance(FastExp(1.0), std::exp(1.0)), 1);  // not a special value
  EXPECT_EQ(FastExp(kInf), kInf);
  EXPECT_EQ(FastExp(-kInf), 0.0);
  EXPECT_EQ(FastExp(709.79), kInf);
  EXPECT_EQ(FastExp(1e300), kInf);
  EXPECT_EQ(FastExp(-746.0), 0.0);
  EXPECT_EQ(FastExp(-1e300), 0.0);
  EXPECT_TRUE(std::isfinite(FastExp(709.78)));
  EXPECT_GT(FastExp(-745.0), 0.0);  // the smallest subnormal
  EXPECT_TRUE(std::isnan(FastExp(std::numeric_limits<double>::quiet_NaN())));
  EXPECT_TRUE(std::isnan(FastExp(-std::numeric_limits<double>::quiet_NaN())));
}

// A loop the compiler vectorises gives every element the value of a call on
// it alone (the IRLS passes rely on it: an element's value must not depend on
// where a thread's block starts).
TEST(FastExp, VectorLoopEqualsOneAtATime) {
  std::mt19937_64 rng(9);
  std::uniform_real_distribution<double> u(-50, 50);
  std::vector<double> x(100003), y(x.size());
  for (auto& v : x) v = u(rng);
#pragma omp simd
  for (size_t i = 0; i < x.size(); ++i) y[i] = FastExp(x[i]);
  for (size_t i = 0; i < x.size(); i += 7) {
    volatile double xi = x[i];
    EXPECT_EQ(y[i], FastExp(xi)) << i;
  }
}

}  // namespace
}  // namespace rebalance::econ
