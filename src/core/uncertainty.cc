// Random draws and bands; see include/rebalance/core/uncertainty.h.
#include "rebalance/core/uncertainty.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace rebalance::core {

uint64_t SplitMix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

uint64_t GravityDrawSeed(uint64_t seed, uint64_t draw) {
  return SplitMix64(seed ^ SplitMix64(draw));
}

uint64_t SweepDrawSeed(uint64_t seed, int64_t draw) {
  return SplitMix64(seed ^ (0xD1B54A32D192ED03ULL * static_cast<uint64_t>(draw + 1)));
}

double NormalStream::Uniform() {
  const uint64_t w = SplitMix64(state_);
  state_ += 0x9e3779b97f4a7c15ULL;
  switch (unit_) {
    case UnitInterval::kRejectZero:
      return static_cast<double>(w >> 11) * 0x1.0p-53;
    case UnitInterval::kMidpoint:
      return (static_cast<double>(w >> 11) + 0.5) * 0x1.0p-53;
  }
  return 0.5;
}

double NormalStream::Next() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  double u1 = Uniform();
  while (unit_ == UnitInterval::kRejectZero && u1 <= 0.0) u1 = Uniform();
  const double u2 = Uniform();
  const double r = std::sqrt(-2.0 * std::log(u1));
  const double th = 2.0 * std::numbers::pi * u2;
  spare_ = r * std::sin(th);
  has_spare_ = true;
  return r * std::cos(th);
}

double Quantile(const std::vector<double>& sorted, double p) {
  if (sorted.size() == 1) return sorted[0];  // keeps the sign of a lone -0.0
  const double h = (static_cast<double>(sorted.size()) - 1.0) * p;
  const size_t lo = static_cast<size_t>(std::floor(h));
  const size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

Band Summarize(std::vector<double>* values, Moments moments) {
  std::vector<double>& v = *values;
  v.erase(std::remove_if(v.begin(), v.end(), [](double x) { return !std::isfinite(x); }), v.end());
  Band band;
  band.draws = static_cast<int>(v.size());
  if (v.empty()) return band;
  const double n = static_cast<double>(v.size());
  if (moments == Moments::kTwoPass) {
    double sum = 0.0;
    for (double x : v) sum += x;
    band.mean = sum / n;
    double ss = 0.0;
    for (double x : v) ss += (x - band.mean) * (x - band.mean);
    band.sd = v.size() > 1 ? std::sqrt(ss / (n - 1.0)) : 0.0;
  } else {
    double mean = 0.0, m2 = 0.0;
    for (size_t k = 0; k < v.size(); ++k) {
      const double delta = v[k] - mean;
      mean += delta / static_cast<double>(k + 1);
      m2 += delta * (v[k] - mean);
    }
    band.mean = mean;
    band.sd = v.size() > 1 ? std::sqrt(std::max(0.0, m2) / (n - 1.0)) : 0.0;
  }
  std::sort(v.begin(), v.end());
  band.p05 = Quantile(v, 0.05);
  band.p50 = Quantile(v, 0.50);
  band.p95 = Quantile(v, 0.95);
  return band;
}

}  // namespace rebalance::core
