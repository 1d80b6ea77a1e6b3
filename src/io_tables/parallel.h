// Internal (not a public header): a small team runner for the io_tables
// kernels, built for cores shared with other jobs.
//
// An OpenMP parallel region ends with a barrier that waits for every thread
// of the team, including one the OS has not scheduled yet; on a loaded
// machine each region then costs a scheduler time slice (milliseconds) even
// when the calling thread did all the work. Here the calling thread always
// works, helper threads join only if they start while there is work left, and
// the caller waits only for helpers that actually joined. With no helper
// (busy machine, forked child, nested call) everything runs on the caller.
#ifndef REBALANCE_IO_TABLES_PARALLEL_H_
#define REBALANCE_IO_TABLES_PARALLEL_H_

#include <cstdint>
#include <functional>

namespace rebalance::io_tables::internal {

// Threads the kernels may use: omp_get_max_threads() (so OMP_NUM_THREADS
// applies), 1 inside an OpenMP parallel region or a team of RunTeam.
int TeamSize();

// Runs body(participant) on the calling thread (participant 0) and on helper
// threads (1, 2, ...; at most max_participants - 1) that start in time. The
// body must complete the work whatever the number of participants (e.g. by
// taking tasks from a shared counter). Returns when the caller's body has
// returned and every helper that joined has returned. Eigen's own OpenMP
// products run single-threaded inside the body.
void RunTeam(int max_participants, const std::function<void(int participant)>& body);

// Tasks 0..num_tasks-1, taken one at a time by the participants of RunTeam
// (dynamic schedule; give the costliest tasks the lowest numbers).
void ParallelFor(int64_t num_tasks, int max_participants,
                 const std::function<void(int64_t task)>& task);

}  // namespace rebalance::io_tables::internal

#endif  // REBALANCE_IO_TABLES_PARALLEL_H_
