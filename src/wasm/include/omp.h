// OpenMP stand-in for the WebAssembly build (scripts/build_wasm.sh): the
// browser module runs single-threaded, as the multi-sector solver does for
// models under its threading threshold; `#pragma omp` lines are ignored.
#ifndef REBALANCE_WASM_OMP_H_
#define REBALANCE_WASM_OMP_H_
inline int omp_get_max_threads() { return 1; }
inline int omp_get_thread_num() { return 0; }
inline int omp_get_num_threads() { return 1; }
#endif  // REBALANCE_WASM_OMP_H_
