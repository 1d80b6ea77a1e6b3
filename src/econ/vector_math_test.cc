// ExpArray (glibc's libmvec exp, vector_math.h) against the exact value and
// against std::exp.
// Tolerances: within 4 ulp of the exact value (expl, 64-bit significand, whose
// own error is about 2^-11 of a double's ulp), the bound glibc documents for
// its vector functions (sourceware.org/glibc/wiki/libmvec: "4-ulp maximum
// relative error"); within 5 ulp of std::exp (4, plus the 1 ulp glibc's
// libm-test-ulps gives its scalar exp). Results that round to inf or 0 in
// double must be exactly that; special values (0, +-inf, NaN) exactly as
// std::exp gives them. Where the build has no libmvec variant, ExpArray is
// std::exp and the same checks hold trivially.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <initializer_list>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "vector_math.h"

namespace rebalance::econ {
namespace {

constexpr double kExactUlps = 4.0;
constexpr double kScalarUlps = 5.0;

// |got - ref| in units of the last place of ref rounded to double (2^-1074
// for results in the subnormal range).
double UlpError(double got, long double ref) {
  const double r = static_cast<double>(ref);
  const double ulp = (r == 0 || std::fabs(r) < std::numeric_limits<double>::min())
                         ? std::numeric_limits<double>::denorm_min()
                         : std::ldexp(1.0, std::ilogb(r) - 52);
  return static_cast<double>(std::fabs(static_cast<long double>(got) - ref) / ulp);
}

bool SameBits(double a, double b) { return std::memcmp(&a, &b, sizeof(double)) == 0; }

// The arguments: a uniform grid over [-746, 710] (results from 0 through the
// subnormals to inf), the boundaries of overflow and underflow and the
// subnormal range densely, and random arguments of the size IRLS meets.
std::vector<double> Arguments() {
  std::vector<double> x;
  const int grid = 1'000'003;
  for (int i = 0; i <= grid; ++i) x.push_back(-746.0 + 1456.0 * i / grid);
  for (const double edge : {709.782712893384, -708.3964185322641, -744.4400719213812}) {
    double a = edge, b = edge;
    for (int i = 0; i < 2000; ++i) {
      x.push_back(a);
      x.push_back(b);
      a = std::nextafter(a, 1e9);
      b = std::nextafter(b, -1e9);
    }
  }
  for (int i = 0; i <= 100'000; ++i) x.push_back(-745.2 + 37.0 * i / 100'000);  // subnormals
  std::mt19937_64 rng(20);
  std::uniform_real_distribution<double> typical(-40.0, 40.0);
  for (int i = 0; i < 1'000'000; ++i) x.push_back(typical(rng));
  return x;
}

TEST(ExpArray, WithinGlibcsDocumentedBoundOfTheExactValue) {
  if (std::numeric_limits<long double>::digits < 64) {
    GTEST_SKIP() << "no extended long double for the exact reference";
  }
  const std::vector<double> x = Arguments();
  std::vector<double> out(x.size());
  ExpArray(x.data(), out.data(), static_cast<int64_t>(x.size()));
  double worst = 0, worst_scalar = 0;
  size_t fails = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const long double ref = std::exp(static_cast<long double>(x[i]));
    const double r = static_cast<double>(ref);
    if (std::isinf(r) || r == 0) {
      // Overflow and total underflow: exactly inf or +0.
      if (!SameBits(out[i], r) && fails++ < 10) {
        ADD_FAILURE() << "exp(" << x[i] << ") = " << out[i] << ", expected " << r;
      }
      continue;
    }
    const double e = UlpError(out[i], ref);
    worst = std::max(worst, e);
    worst_scalar = std::max(worst_scalar, UlpError(std::exp(x[i]), ref));
    if (!(e <= kExactUlps) && fails++ < 10) {
      ADD_FAILURE() << "exp(" << x[i] << "): " << out[i] << " is " << e << " ulp from exact";
    }
  }
  EXPECT_EQ(fails, 0u);
  RecordProperty("variant", ExpArrayVariant());
  RecordProperty("max_ulp_exact", std::to_string(worst));
  std::printf("ExpArray (%s): max %.3f ulp from exact over %zu arguments (std::exp %.3f)\n",
              ExpArrayVariant(), worst, x.size(), worst_scalar);
}

TEST(ExpArray, WithinBoundOfStdExp) {
  const std::vector<double> x = Arguments();
  std::vector<double> out(x.size());
  ExpArray(x.data(), out.data(), static_cast<int64_t>(x.size()));
  size_t fails = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const double s = std::exp(x[i]);
    const bool ok =
        (std::isinf(s) || s == 0) ? SameBits(out[i], s) : UlpError(out[i], s) <= kScalarUlps;
    if (!ok && fails++ < 10) {
      ADD_FAILURE() << "exp(" << x[i] << "): " << out[i] << ", std::exp " << s;
    }
  }
  EXPECT_EQ(fails, 0u);
}

TEST(ExpArray, SpecialValuesAsStdExp) {
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::vector<double> x = {0.0,
                                 -0.0,
                                 inf,
                                 -inf,
                                 nan,
                                 1000.0,
                                 -1e4,
                                 710.0,
                                 -746.0,
                                 1.0,
                                 -1.0,
                                 std::numeric_limits<double>::max(),
                                 -std::numeric_limits<double>::max(),
                                 std::numeric_limits<double>::denorm_min(),
                                 -std::numeric_limits<double>::denorm_min()};
  std::vector<double> out(x.size());
  ExpArray(x.data(), out.data(), static_cast<int64_t>(x.size()));
  for (size_t i = 0; i < x.size(); ++i) {
    const double s = std::exp(x[i]);
    if (std::isnan(s)) {
      EXPECT_TRUE(std::isnan(out[i])) << "exp(" << x[i] << ")";
    } else if (x[i] == 1.0 || x[i] == -1.0) {
      EXPECT_LE(UlpError(out[i], s), kScalarUlps) << "exp(" << x[i] << ")";
    } else {
      EXPECT_TRUE(SameBits(out[i], s)) << "exp(" << x[i] << ") = " << out[i] << ", std::exp " << s;
    }
  }
  EXPECT_EQ(out[0], 1.0);
  EXPECT_EQ(out[1], 1.0);
}

// out[i] depends on x[i] only: any length (the partial last group of lanes),
// any start, and in place, give the bits of one call on the whole array.
TEST(ExpArray, SameBitsWhateverTheLengthStartOrAliasing) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(-30.0, 30.0);
  std::vector<double> x(64);
  for (double& v : x) v = u(rng);
  x[5] = -745.0;  // a subnormal result in some partial groups
  x[13] = 709.9;  // an overflow
  std::vector<double> whole(x.size());
  ExpArray(x.data(), whole.data(), static_cast<int64_t>(x.size()));
  for (int64_t start = 0; start < 9; ++start) {
    for (int64_t n = 0; n + start <= 40; ++n) {
      std::vector<double> out(static_cast<size_t>(n) + 1, -1.0);
      ExpArray(x.data() + start, out.data(), n);
      std::vector<double> in_place(x.begin() + start, x.begin() + start + n);
      ExpArray(in_place.data(), in_place.data(), n);
      for (int64_t i = 0; i < n; ++i) {
        ASSERT_TRUE(SameBits(out[static_cast<size_t>(i)], whole[static_cast<size_t>(start + i)]))
            << "start " << start << " n " << n << " i " << i;
        ASSERT_TRUE(
            SameBits(in_place[static_cast<size_t>(i)], whole[static_cast<size_t>(start + i)]))
            << "in place, start " << start << " n " << n << " i " << i;
      }
      EXPECT_EQ(out[static_cast<size_t>(n)], -1.0) << "wrote past n = " << n;
    }
  }
}

}  // namespace
}  // namespace rebalance::econ
