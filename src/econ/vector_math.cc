// Element-wise exp through glibc's libmvec (see vector_math.h for the ABI,
// the accuracy and the variant chosen).
#include "vector_math.h"

#include <cmath>
#include <cstring>

#if defined(REBALANCE_HAVE_LIBMVEC) && defined(__x86_64__) && \
    (defined(__AVX512F__) || defined(__AVX2__))
#include <immintrin.h>
#define REBALANCE_EXP_LIBMVEC 1
// libmvec's exports (x86-64 vector function ABI names: 'e' AVX-512 / 'd'
// AVX2 ISA, 'N' unmasked, lane count, 'v' one vector argument).
extern "C" {
__m512d _ZGVeN8v_exp(__m512d x);  // NOLINT(bugprone-reserved-identifier)
__m256d _ZGVdN4v_exp(__m256d x);  // NOLINT(bugprone-reserved-identifier)
}
#endif

namespace rebalance::econ {

#ifdef REBALANCE_EXP_LIBMVEC
namespace {

#ifdef __AVX512F__
constexpr int kExpLanes = 8;
inline void ExpLanes(const double* x, double* out) {
  _mm512_storeu_pd(out, _ZGVeN8v_exp(_mm512_loadu_pd(x)));
}
#else
constexpr int kExpLanes = 4;
inline void ExpLanes(const double* x, double* out) {
  _mm256_storeu_pd(out, _ZGVdN4v_exp(_mm256_loadu_pd(x)));
}
#endif

}  // namespace

void ExpArray(const double* x, double* out, int64_t n) {
  int64_t i = 0;
  for (; i + kExpLanes <= n; i += kExpLanes) ExpLanes(x + i, out + i);
  if (i < n) {
    // The last partial group through the same function (zeros in the unused
    // lanes: exp(0) takes no special path).
    double buf[kExpLanes] = {};
    const size_t bytes = static_cast<size_t>(n - i) * sizeof(double);
    std::memcpy(buf, x + i, bytes);
    ExpLanes(buf, buf);
    std::memcpy(out + i, buf, bytes);
  }
}

const char* ExpArrayVariant() {
  return kExpLanes == 8 ? "AVX-512 (_ZGVeN8v_exp)" : "AVX2 (_ZGVdN4v_exp)";
}

#else

void ExpArray(const double* x, double* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = std::exp(x[i]);
}

const char* ExpArrayVariant() { return "std::exp"; }

#endif

}  // namespace rebalance::econ
