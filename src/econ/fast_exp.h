// exp(x) in a form the compiler vectorises (no call, no table, no branch),
// for the IRLS passes that take exp of every linear predictor.
//
// Range reduction of Cody & Waite (1980, "Software Manual for the Elementary
// Functions", ch. 6): x = k ln 2 + r with k = nearest integer to x / ln 2 and
// |r| <= ln(2) / 2, ln 2 split in a high part with trailing zero bits and a
// low part so that k ln2_hi is exact; exp(r) by its Taylor series to degree
// 13 in Horner form (truncation below r^14 / 14! < 5e-18 for |r| <= 0.347,
// under a quarter of an ulp of exp(r) >= 0.7); then the result scaled by
// 2^k, as two factors 2^(k/2) and 2^(k - k/2), each a normal number, so that
// results in the subnormal range and overflow to infinity come out of the
// multiplications themselves. Arguments are clamped to [-746, 710] first
// (exp(-746) rounds to 0, exp(710) overflows); NaN passes through.
// Accuracy: within 2 ulp of the correctly rounded value over the whole range
// (checked against std::exp in fast_exp_test.cc). Every element gets the
// same operations whether it falls in a vector or in a scalar iteration, so
// the result of an element never depends on how a loop was split.
#ifndef REBALANCE_SRC_ECON_FAST_EXP_H_
#define REBALANCE_SRC_ECON_FAST_EXP_H_

#include <bit>
#include <cmath>
#include <cstdint>

namespace rebalance::econ {

// a * b + c, fused where the hardware has it (the same in scalar and vector
// code of one build).
[[gnu::always_inline]] inline double MulAdd(double a, double b, double c) {
#ifdef __FMA__
  return std::fma(a, b, c);
#else
  return a * b + c;
#endif
}

// Always inlined: a call would keep the loops around it from being vectorised.
[[gnu::always_inline]] inline double FastExp(double x) {
  constexpr double kLog2e = 1.4426950408889634074;
  // ln 2 = kLn2Hi + kLn2Lo; kLn2Hi has 32 significant bits, so k * kLn2Hi is
  // exact for |k| < 2^21.
  constexpr double kLn2Hi = 0x1.62e42fefap-1;
  constexpr double kLn2Lo = 0x1.cf79abc9e3b3ap-40;
  // Adding 1.5 * 2^52 rounds a double of magnitude below 2^51 to an integer
  // held in the low bits of the sum's significand.
  constexpr double kShift = 0x1.8p52;
  x = x < -746.0 ? -746.0 : x;
  x = x > 710.0 ? 710.0 : x;
  const double kd = MulAdd(x, kLog2e, kShift);
  const double kf = kd - kShift;  // nearest integer to x / ln 2
  const double r = MulAdd(-kf, kLn2Lo, MulAdd(-kf, kLn2Hi, x));
  double p = 1.0 / 6227020800.0;  // 1/13!
  p = MulAdd(p, r, 1.0 / 479001600.0);
  p = MulAdd(p, r, 1.0 / 39916800.0);
  p = MulAdd(p, r, 1.0 / 3628800.0);
  p = MulAdd(p, r, 1.0 / 362880.0);
  p = MulAdd(p, r, 1.0 / 40320.0);
  p = MulAdd(p, r, 1.0 / 5040.0);
  p = MulAdd(p, r, 1.0 / 720.0);
  p = MulAdd(p, r, 1.0 / 120.0);
  p = MulAdd(p, r, 1.0 / 24.0);
  p = MulAdd(p, r, 1.0 / 6.0);
  p = MulAdd(p, r, 0.5);
  p = MulAdd(p, r, 1.0);
  p = MulAdd(p, r, 1.0);
  // k: kd and kShift share their exponent, so their bit patterns differ by k
  // (|k| <= 1077 after the clamp).
  const auto k =
      static_cast<int64_t>(std::bit_cast<uint64_t>(kd) - std::bit_cast<uint64_t>(kShift));
  const int64_t k1 = k >> 1, k2 = k - k1;
  const double s1 = std::bit_cast<double>(static_cast<uint64_t>(k1 + 1023) << 52);
  const double s2 = std::bit_cast<double>(static_cast<uint64_t>(k2 + 1023) << 52);
  return p * s1 * s2;
}

}  // namespace rebalance::econ

#endif  // REBALANCE_SRC_ECON_FAST_EXP_H_
