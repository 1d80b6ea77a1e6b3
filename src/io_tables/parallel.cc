// Team runner of parallel.h: a lazily started pool of helper threads (never
// destroyed, so nothing runs at exit), one job at a time. A job is published
// under a mutex with a number of free helper slots; a helper takes a slot,
// counts itself active, and runs the body only if the job is still open. The
// caller runs the body, closes the job, withdraws the free slots and waits
// until no helper is active. A second caller while a job runs (another
// application thread, or a nested call) runs its body alone.
#include "parallel.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include <omp.h>

namespace rebalance::io_tables::internal {
namespace {

thread_local bool in_team = false;

// Keeps Eigen's OpenMP products on the calling thread while it works in a
// team (nthreads-var is per thread, so other threads are unaffected).
class TeamScope {
 public:
  TeamScope() : saved_threads_(omp_get_max_threads()), saved_in_team_(in_team) {
    omp_set_num_threads(1);
    in_team = true;
  }
  ~TeamScope() {
    in_team = saved_in_team_;
    omp_set_num_threads(saved_threads_);
  }
  TeamScope(const TeamScope&) = delete;
  TeamScope& operator=(const TeamScope&) = delete;

 private:
  int saved_threads_;
  bool saved_in_team_;
};

class Pool {
 public:
  static Pool& Get() {
    static Pool* pool = new Pool();  // never destroyed: helpers may still wait at exit
    return *pool;
  }

  void Run(int max_participants, const std::function<void(int)>& body) {
    std::unique_lock<std::mutex> job(job_mu_, std::try_to_lock);
    if (max_participants <= 1 || !job.owns_lock()) {
      TeamScope scope;
      body(0);
      return;
    }
    const int helpers = std::min(max_participants - 1, kMaxHelpers);
    {
      std::lock_guard<std::mutex> lock(mu_);
      while (static_cast<int>(workers_.size()) < helpers) {
        workers_.emplace_back([this] { HelperLoop(); });
        workers_.back().detach();
      }
      body_ = &body;
      free_slots_ = helpers;
      next_participant_ = 1;
      open_.store(true);
      ++generation_;
    }
    cv_.notify_all();
    {
      TeamScope scope;
      body(0);
    }
    open_.store(false);
    {
      std::lock_guard<std::mutex> lock(mu_);
      free_slots_ = 0;
      body_ = nullptr;
    }
    while (active_.load() > 0) std::this_thread::yield();
  }

 private:
  static constexpr int kMaxHelpers = 63;

  void HelperLoop() {
    TeamScope scope;
    uint64_t seen = 0;
    std::unique_lock<std::mutex> lock(mu_);
    while (true) {
      cv_.wait(lock, [&] { return generation_ != seen; });
      seen = generation_;
      if (free_slots_ == 0) continue;
      --free_slots_;
      const std::function<void(int)>* body = body_;
      const int participant = next_participant_++;
      active_.fetch_add(1);
      lock.unlock();
      if (open_.load()) (*body)(participant);
      active_.fetch_sub(1);
      lock.lock();
    }
  }

  std::mutex job_mu_;  // one job at a time
  std::mutex mu_;      // guards the fields below up to generation_
  std::condition_variable cv_;
  std::vector<std::thread> workers_;
  const std::function<void(int)>* body_ = nullptr;
  int free_slots_ = 0;
  int next_participant_ = 1;
  uint64_t generation_ = 0;
  std::atomic<bool> open_{false};
  std::atomic<int> active_{0};
};

}  // namespace

int TeamSize() {
  if (in_team || omp_in_parallel()) return 1;
  return std::max(1, omp_get_max_threads());
}

void RunTeam(int max_participants, const std::function<void(int)>& body) {
  Pool::Get().Run(max_participants, body);
}

void ParallelFor(int64_t num_tasks, int max_participants,
                 const std::function<void(int64_t)>& task) {
  if (num_tasks <= 0) return;
  std::atomic<int64_t> next{0};
  RunTeam(static_cast<int>(std::min<int64_t>(max_participants, num_tasks)), [&](int) {
    for (int64_t i = next.fetch_add(1); i < num_tasks; i = next.fetch_add(1)) task(i);
  });
}

}  // namespace rebalance::io_tables::internal
