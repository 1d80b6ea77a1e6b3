// Uncertainty: the one place for random draws and their summary bands.
//
// Generator. splitmix64 (Steele, Lea & Flood 2014, "Fast splittable
// pseudorandom number generators", OOPSLA): a Weyl sequence state += phi*2^64
// passed through a 64-bit finaliser. It is tiny, passes BigCrush, and gives
// the same stream on every platform and standard library (std::normal_
// distribution does not), so a seed reproduces a draw everywhere.
//
// Normal draws. Box-Muller (Box & Muller 1958): u1, u2 uniform on (0, 1),
// z1 = sqrt(-2 log u1) cos(2 pi u2), z2 = sqrt(-2 log u1) sin(2 pi u2); the
// second value is kept for the next call.
//
// Two derivations, kept because the commands' written draws depend on them
// bit for bit (each is the one used by its command since it was released):
//   - `rebalance gravity --draws` (ge::DrawGravity): draw d's stream is seeded
//     with GravityDrawSeed(seed, d) and turns a 64-bit word w into a uniform
//     as (w >> 11) 2^-53, on [0, 1), redrawing u1 == 0
//     (UnitInterval::kRejectZero).
//   - `rebalance sweep` and the bands of `rebalance run`
//     (scenario::RunDraws): seeded with SweepDrawSeed(seed, d) and uniform
//     ((w >> 11) + 0.5) 2^-53, on (0, 1) without rejection
//     (UnitInterval::kMidpoint).
// Both make draw d depend only on (seed, d), never on the thread or rank that
// computes it.
//
// Bands. Summarize() gives the mean, the sample standard deviation (n - 1)
// and the 5/50/95 percentiles by linear interpolation between order
// statistics (Hyndman & Fan 1996 type 7, R's and numpy's default).
// NaN rule (the one rule for every command): a value that is not finite (NaN
// or +-Inf) is left out of that row's band, and Band::draws counts the values
// that entered. A band of no values is all zeros with draws = 0; callers
// decide whether that is an error. (gravity --draws already counts a draw with
// any non-finite change as failed, so its bands never meet one.)
// Moments come in two summation orders with different rounding, again for
// bit-identical outputs: Moments::kTwoPass (sum / n, then the sum of squared
// deviations; gravity --draws) and Moments::kWelford (Welford 1962, one pass;
// exact when every value is equal; sweep and run bands).
#ifndef REBALANCE_CORE_UNCERTAINTY_H_
#define REBALANCE_CORE_UNCERTAINTY_H_

#include <cstdint>
#include <vector>

namespace rebalance::core {

// The splitmix64 finaliser of x + 0x9e3779b97f4a7c15: one step of the
// generator from state x, as a pure function (also a seed mixer).
uint64_t SplitMix64(uint64_t x);

// Seed of draw `draw` of `rebalance gravity --draws`:
// SplitMix64(seed ^ SplitMix64(draw)).
uint64_t GravityDrawSeed(uint64_t seed, uint64_t draw);
// Seed of draw `draw` of `rebalance sweep` and the run bands:
// SplitMix64(seed ^ 0xD1B54A32D192ED03 * (draw + 1)) (an odd Weyl constant,
// so neighbouring draws start far apart).
uint64_t SweepDrawSeed(uint64_t seed, int64_t draw);

// How a 64-bit word becomes the uniform of a Box-Muller pair (see the banner).
enum class UnitInterval {
  kRejectZero,  // (w >> 11) 2^-53 on [0, 1); u1 == 0 is redrawn
  kMidpoint,    // ((w >> 11) + 0.5) 2^-53 on (0, 1)
};

// Standard normal draws from one splitmix64 stream.
class NormalStream {
 public:
  NormalStream(uint64_t seed, UnitInterval unit) : state_(seed), unit_(unit) {}
  double Next();

 private:
  double Uniform();
  uint64_t state_;
  UnitInterval unit_;
  bool has_spare_ = false;
  double spare_ = 0.0;
};

// Summary of one quantity across draws (one row of a tidy table).
struct Band {
  double mean = 0.0;
  double sd = 0.0;
  double p05 = 0.0;
  double p50 = 0.0;
  double p95 = 0.0;
  // Finite values that entered the band.
  int draws = 0;
};

// Summation order of the mean and sd (see the banner).
enum class Moments { kTwoPass, kWelford };

// Type-7 quantile (0 <= p <= 1) of sorted, finite, non-empty values.
double Quantile(const std::vector<double>& sorted, double p);

// The band of `values` (in draw order) under the NaN rule of the banner.
// `values` is reordered (sorted).
Band Summarize(std::vector<double>* values, Moments moments);

}  // namespace rebalance::core

#endif  // REBALANCE_CORE_UNCERTAINTY_H_
