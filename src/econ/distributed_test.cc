// Estimate() split over several "processes" (econ::Distribution) equals the
// single-process estimate within 1e-10. The processes are threads here and
// the Reducer combines their arrays through shared memory with a barrier, so
// the test exercises every reduction of the estimator without MPI (the MPI
// reducer is tested end to end by tests/cli/mpi_estimate.sh).
#include <barrier>
#include <cmath>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "rebalance/data/table.h"
#include "rebalance/econ/ppml.h"
#include "rebalance/econ/reducer.h"

namespace rebalance::econ {
namespace {

// Arrays of all ranks meet in `slots`; every rank combines them in rank
// order, so all ranks get bit-identical results.
struct Shared {
  explicit Shared(int k) : size(k), bar(k), d(static_cast<size_t>(k)), i(static_cast<size_t>(k)) {}
  int size;
  std::barrier<> bar;
  std::vector<std::vector<double>> d;
  std::vector<std::vector<int64_t>> i;
};

class ThreadReducer : public Reducer {
 public:
  ThreadReducer(Shared* s, int rank) : s_(s), rank_(rank) {}
  void SumDoubles(double* v, int64_t n) override {
    Combine(v, n, s_->d, [](double a, double b) { return a + b; });
  }
  void SumInt64s(int64_t* v, int64_t n) override {
    Combine(v, n, s_->i, [](int64_t a, int64_t b) { return a + b; });
  }
  void MaxDoubles(double* v, int64_t n) override {
    Combine(v, n, s_->d, [](double a, double b) { return std::max(a, b); });
  }
  void MinInt64s(int64_t* v, int64_t n) override {
    Combine(v, n, s_->i, [](int64_t a, int64_t b) { return std::min(a, b); });
  }
  bool distributed() const override { return s_->size > 1; }
  int64_t calls = 0;

 private:
  template <typename T, typename Op>
  void Combine(T* v, int64_t n, std::vector<std::vector<T>>& slots, Op op) {
    ++calls;
    slots[static_cast<size_t>(rank_)].assign(v, v + n);
    s_->bar.arrive_and_wait();
    for (int64_t j = 0; j < n; ++j) {
      T acc = slots[0][static_cast<size_t>(j)];
      for (int r = 1; r < s_->size; ++r) acc = op(acc, slots[static_cast<size_t>(r)][static_cast<size_t>(j)]);
      v[j] = acc;
    }
    s_->bar.arrive_and_wait();  // nobody overwrites a slot still being read
  }
  Shared* s_;
  int rank_;
};

// 12 exporters x 12 importers x 4 years; exporter 0 ships nothing in the
// first year (a zero-outcome group: separated), weights and an offset.
data::Table MakeTable() {
  std::mt19937 rng(3);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::vector<double> y, dist, rta, w, off;
  std::vector<int64_t> exp, imp, year;
  std::vector<double> a(12), b(12);
  for (auto& v : a) v = normal(rng);
  for (auto& v : b) v = normal(rng);
  for (int t = 0; t < 4; ++t)
    for (int i = 0; i < 12; ++i)
      for (int j = 0; j < 12; ++j) {
        if (i == j) continue;
        const double d = 1 + std::abs(i - j) + 0.37 * ((i * 7 + j * 3) % 5);
        const double r = (rng() % 3 == 0) ? 1.0 : 0.0;
        const double eta = 1.5 + a[static_cast<size_t>(i)] + b[static_cast<size_t>(j)] - 0.7 * std::log(d) + 0.3 * r;
        std::poisson_distribution<int> pois(std::exp(eta));
        y.push_back(i == 0 && t == 0 ? 0.0 : pois(rng));
        dist.push_back(d);
        rta.push_back(r);
        w.push_back(0.5 + (rng() % 4) * 0.25);
        off.push_back(0.1 * normal(rng));
        exp.push_back(i);
        imp.push_back(j);
        year.push_back(2000 + t);
      }
  data::Table tab;
  EXPECT_TRUE(tab.AddColumn(data::Table::F64Column("y", y)).ok());
  EXPECT_TRUE(tab.AddColumn(data::Table::F64Column("dist", dist)).ok());
  EXPECT_TRUE(tab.AddColumn(data::Table::F64Column("rta", rta)).ok());
  EXPECT_TRUE(tab.AddColumn(data::Table::F64Column("w", w)).ok());
  EXPECT_TRUE(tab.AddColumn(data::Table::F64Column("off", off)).ok());
  EXPECT_TRUE(tab.AddColumn(data::Table::I64Column("exporter", exp)).ok());
  EXPECT_TRUE(tab.AddColumn(data::Table::I64Column("importer", imp)).ok());
  EXPECT_TRUE(tab.AddColumn(data::Table::I64Column("year", year)).ok());
  return tab;
}

std::vector<Result<EstimateResult>> RunSplit(const data::Table& t, const EstimateOptions& opt,
                                             int k, int64_t* calls) {
  Shared shared(k);
  std::vector<ThreadReducer> reducers;
  for (int r = 0; r < k; ++r) reducers.emplace_back(&shared, r);
  std::vector<Result<EstimateResult>> out(static_cast<size_t>(k), Status::Internal("not run"));
  std::vector<std::thread> threads;
  for (int r = 0; r < k; ++r) {
    threads.emplace_back([&, r] {
      Distribution d;
      d.rank = r;
      d.size = k;
      d.reducer = &reducers[static_cast<size_t>(r)];
      out[static_cast<size_t>(r)] = Estimate(t, opt, d);
    });
  }
  for (auto& th : threads) th.join();
  *calls = reducers[0].calls;
  return out;
}

void ExpectClose(double a, double b, const std::string& what) {
  EXPECT_LE(std::fabs(a - b), 1e-10 * std::max(1e-300, std::fabs(a))) << what << ": " << a << " vs " << b;
}

void CheckSplitEqualsSingle(const EstimateOptions& opt) {
  const data::Table t = MakeTable();
  auto one = Estimate(t, opt);
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  ASSERT_TRUE(one->converged());
  for (int k : {2, 3}) {
    int64_t calls = 0;
    auto split = RunSplit(t, opt, k, &calls);
    EXPECT_GT(calls, 10);  // the reducer really carried the sums
    for (int r = 0; r < k; ++r) {
      auto& res = split[static_cast<size_t>(r)];
      ASSERT_TRUE(res.ok()) << res.status().ToString();
      ASSERT_TRUE(res->converged());
      EXPECT_EQ(res->nobs, one->nobs);
      EXPECT_EQ(res->dropped.separated, one->dropped.separated);
      EXPECT_EQ(res->dropped.singleton, one->dropped.singleton);
      ASSERT_EQ(res->coefficients.size(), one->coefficients.size());
      for (size_t j = 0; j < one->coefficients.size(); ++j) {
        ExpectClose(one->coefficients[j].estimate, res->coefficients[j].estimate, "estimate");
        ExpectClose(one->coefficients[j].std_error, res->coefficients[j].std_error, "SE");
      }
      ExpectClose(one->loglik, res->loglik, "loglik");
      ExpectClose(one->deviance, res->deviance, "deviance");
      ExpectClose(one->null_deviance, res->null_deviance, "null deviance");
      ASSERT_EQ(res->fixed_effects.size(), one->fixed_effects.size());
      for (size_t q = 0; q < one->fixed_effects.size(); ++q) {
        const auto& fa = one->fixed_effects[q].values;
        const auto& fb = res->fixed_effects[q].values;
        ASSERT_EQ(fa.size(), fb.size());
        for (size_t g = 0; g < fa.size(); ++g) {
          EXPECT_NEAR(fa[g], fb[g], 1e-8 * (1 + std::fabs(fa[g]))) << "fixed effect " << q << "/" << g;
        }
      }
    }
  }
}

TEST(Distributed, PoissonClusteredWithSeparationWeightsOffset) {
  EstimateOptions opt;
  opt.formula = "y ~ log(dist) + rta | exporter^year + importer^year";
  opt.vcov = "cluster:exporter";
  opt.weights = "w";
  opt.offset = "off";
  opt.tolerance = 1e-12;
  opt.threads = 1;
  const data::Table t = MakeTable();
  auto one = Estimate(t, opt);
  ASSERT_TRUE(one.ok());
  EXPECT_GE(one->dropped.separated, 11);  // at least the zero-outcome group
  CheckSplitEqualsSingle(opt);
}

TEST(Distributed, PoissonHetero) {
  EstimateOptions opt;
  opt.formula = "y ~ log(dist) + rta | exporter + importer + year";
  opt.vcov = "hetero";
  opt.tolerance = 1e-12;
  opt.threads = 2;
  CheckSplitEqualsSingle(opt);
}

TEST(Distributed, GaussianIidAndFixestSsc) {
  EstimateOptions opt;
  opt.formula = "rta ~ log(dist) + w | exporter + importer";
  opt.family = Family::kGaussian;
  opt.ssc = SmallSample::kFixest;
  opt.vcov = "cluster:importer";
  opt.threads = 1;
  CheckSplitEqualsSingle(opt);
}

TEST(Distributed, MultiwayClusteringIsRefused) {
  EstimateOptions opt;
  opt.formula = "y ~ log(dist) + rta | exporter^year + importer^year";
  opt.vcov = "cluster:exporter+importer";
  opt.threads = 1;
  int64_t calls = 0;
  auto split = RunSplit(MakeTable(), opt, 2, &calls);
  for (auto& r : split) {
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("multiway clustering is not available"), std::string::npos);
  }
}

}  // namespace
}  // namespace rebalance::econ
