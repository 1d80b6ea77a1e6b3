// Element-wise exp of an array through glibc's vector math library (libmvec).
//
// libmvec (glibc >= 2.22; Debian's libc6, linked with -lmvec) holds the vector
// variants of libm's functions under the names of the x86-64 vector function
// ABI ("Vector Function Application Binary Interface Specification for
// OpenMP SIMD", Intel; glibc's sysdeps/x86/fpu/bits/math-vector.h):
// _ZGVeN8v_exp takes and returns 8 doubles in a zmm register (AVX-512),
// _ZGVdN4v_exp 4 in a ymm register (AVX2). ExpArray calls the widest variant
// the build targets (__AVX512F__, else __AVX2__), and std::exp in any other
// build or when CMake did not find libmvec (REBALANCE_HAVE_LIBMVEC).
//
// Accuracy: glibc documents its vector functions as tested to a maximum
// relative error of 4 ulp in round-to-nearest (sourceware.org/glibc/wiki/
// libmvec; libm-test-ulps records 1 ulp for exp_vlen2/4/8 on glibc's own test
// points); glibc's scalar exp is within 1 ulp (in practice 0.51). On this
// host's glibc 2.36 the vector exp was measured within 3 ulp of the exact
// value (vector_math_test.cc checks 4), and the AVX-512 and AVX2 variants
// gave the same bits on 2 million arguments. Special values (results that
// overflow, underflow or are subnormal, inf, NaN) are passed by libmvec to
// the scalar routine, lane by lane.
//
// Every element, including a last partial group of lanes (padded with zeros),
// goes through the same vector function, so out[i] depends on x[i] only:
// never on n, on the element's position, or on how a caller cuts an array
// into pieces (the thread count).
#ifndef REBALANCE_SRC_ECON_VECTOR_MATH_H_
#define REBALANCE_SRC_ECON_VECTOR_MATH_H_

#include <cstdint>

namespace rebalance::econ {

// out[i] = exp(x[i]) for i in [0, n); out may be x (in place), but the
// arrays must not otherwise overlap.
void ExpArray(const double* x, double* out, int64_t n);

// The libmvec variant ExpArray calls: "AVX-512 (_ZGVeN8v_exp)",
// "AVX2 (_ZGVdN4v_exp)" or "std::exp" (for logs and tests).
const char* ExpArrayVariant();

}  // namespace rebalance::econ

#endif  // REBALANCE_SRC_ECON_VECTOR_MATH_H_
