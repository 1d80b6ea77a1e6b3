// Estimate() split over several "processes" (econ::Distribution) equals the
// single-process estimate within 1e-10. The processes are threads here and
// the Reducer combines their arrays through shared memory with a barrier, so
// the test exercises every reduction of the estimator without MPI (the MPI
// reducer is tested end to end by tests/cli/mpi_estimate.sh). Each process
// gets a row range of the raw table (as `--distributed` reads a part of the
// file), before the filter, missing values, singletons and separation, with
// its own string dictionaries.
#include <algorithm>
#include <barrier>
#include <cmath>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "rebalance/data/table.h"
#include "rebalance/econ/ppml.h"
#include "rebalance/econ/reducer.h"

namespace rebalance::econ {
namespace {

// Arrays of all ranks meet in `slots`; every rank combines them in rank
// order, so all ranks get bit-identical results.
struct Shared {
  explicit Shared(int k)
      : size(k),
        bar(k),
        d(static_cast<size_t>(k)),
        i(static_cast<size_t>(k)),
        b(static_cast<size_t>(k)) {}
  int size;
  std::barrier<> bar;
  std::vector<std::vector<double>> d;
  std::vector<std::vector<int64_t>> i;
  std::vector<std::string> b;
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
  void AllGatherBytes(std::string_view mine, std::vector<std::string>& all) override {
    ++calls;
    ++gathers;
    s_->b[static_cast<size_t>(rank_)] = std::string(mine);
    s_->bar.arrive_and_wait();
    all = s_->b;
    s_->bar.arrive_and_wait();
  }
  bool distributed() const override { return s_->size > 1; }
  int64_t calls = 0;
  int64_t gathers = 0;

 private:
  template <typename T, typename Op>
  void Combine(T* v, int64_t n, std::vector<std::vector<T>>& slots, Op op) {
    ++calls;
    slots[static_cast<size_t>(rank_)].assign(v, v + n);
    s_->bar.arrive_and_wait();
    for (int64_t j = 0; j < n; ++j) {
      T acc = slots[0][static_cast<size_t>(j)];
      for (int r = 1; r < s_->size; ++r)
        acc = op(acc, slots[static_cast<size_t>(r)][static_cast<size_t>(j)]);
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
        const double eta = 1.5 + a[static_cast<size_t>(i)] + b[static_cast<size_t>(j)] -
                           0.7 * std::log(d) + 0.3 * r;
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

// Rows [begin, end) of t as a table of their own: string columns get the
// dictionary of their own rows (first appearance), as a part of a file does.
data::Table Slice(const data::Table& t, int64_t begin, int64_t end) {
  data::Table out;
  out.source = t.source;
  for (const auto& col : t.columns()) {
    data::Column c;
    switch (col.type) {
      case data::ColumnType::kF64:
        c = data::Table::F64Column(
            col.name, std::vector<double>(col.f64.begin() + begin, col.f64.begin() + end));
        break;
      case data::ColumnType::kI64:
        c = data::Table::I64Column(
            col.name, std::vector<int64_t>(col.i64.begin() + begin, col.i64.begin() + end));
        break;
      case data::ColumnType::kString: {
        std::vector<std::string> v;
        for (int64_t r = begin; r < end; ++r) v.push_back(col.CellText(r));
        c = data::Table::StringColumn(col.name, v);
        break;
      }
    }
    if (!col.missing.empty())
      c.missing.assign(col.missing.begin() + begin, col.missing.begin() + end);
    EXPECT_TRUE(out.AddColumn(std::move(c)).ok());
  }
  return out;
}

// Runs Estimate on k threads, thread r holding rows [bounds[r], bounds[r+1])
// (default: equal ranges).
std::vector<Result<EstimateResult>> RunSplit(const data::Table& t, const EstimateOptions& opt,
                                             int k, int64_t* calls,
                                             std::vector<int64_t> bounds = {},
                                             int64_t* gathers = nullptr) {
  if (bounds.empty()) {
    for (int r = 0; r <= k; ++r) bounds.push_back(t.num_rows() * r / k);
  }
  Shared shared(k);
  std::vector<ThreadReducer> reducers;
  for (int r = 0; r < k; ++r) reducers.emplace_back(&shared, r);
  std::vector<data::Table> parts;
  for (int r = 0; r < k; ++r)
    parts.push_back(Slice(t, bounds[static_cast<size_t>(r)], bounds[static_cast<size_t>(r) + 1]));
  std::vector<Result<EstimateResult>> out(static_cast<size_t>(k), Status::Internal("not run"));
  std::vector<std::thread> threads;
  for (int r = 0; r < k; ++r) {
    threads.emplace_back([&, r] {
      Distribution d;
      d.rank = r;
      d.size = k;
      d.reducer = &reducers[static_cast<size_t>(r)];
      d.first_row = bounds[static_cast<size_t>(r)];
      out[static_cast<size_t>(r)] = Estimate(parts[static_cast<size_t>(r)], opt, d);
    });
  }
  for (auto& th : threads) th.join();
  *calls = reducers[0].calls;
  if (gathers) *gathers = reducers[0].gathers;
  return out;
}

void ExpectClose(double a, double b, const std::string& what) {
  EXPECT_LE(std::fabs(a - b), 1e-10 * std::max(1e-300, std::fabs(a)))
      << what << ": " << a << " vs " << b;
}

// The single-process estimate with the demeaning that processes use: across
// processes the conjugate gradients run on every dimension (a run of a sorted
// dimension may be split between processes), so the single-process reference
// does the same and the two agree to rounding.
Result<EstimateResult> EstimateLikeProcesses(const data::Table& t, const EstimateOptions& opt) {
  EstimateOptions plain = opt;
  plain.eliminate_runs = false;
  return Estimate(t, plain);
}

void CheckSplitEqualsSingle(const EstimateOptions& opt, const data::Table& t = MakeTable(),
                            const std::vector<int>& ks = {2, 3}) {
  auto one = EstimateLikeProcesses(t, opt);
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  ASSERT_TRUE(one->converged());
  // The default single-process path (a sorted dimension eliminated exactly
  // when there is one) agrees to the demeaning tolerance: coefficients 1e-8,
  // standard errors 1e-6 relative (issue 20's bounds).
  auto fast = Estimate(t, opt);
  ASSERT_TRUE(fast.ok()) << fast.status().ToString();
  EXPECT_EQ(fast->nobs, one->nobs);
  ASSERT_EQ(fast->coefficients.size(), one->coefficients.size());
  for (size_t j = 0; j < one->coefficients.size(); ++j) {
    const double b = one->coefficients[j].estimate, se = one->coefficients[j].std_error;
    EXPECT_NEAR(fast->coefficients[j].estimate, b, 1e-8 * std::fabs(b));
    EXPECT_NEAR(fast->coefficients[j].std_error, se, 1e-6 * se);
  }
  for (int k : ks) {
    int64_t calls = 0, gathers = 0;
    auto split = RunSplit(t, opt, k, &calls, {}, &gathers);
    EXPECT_GT(calls, 10);   // the reducer really carried the sums
    EXPECT_GT(gathers, 0);  // and made the group codes global
    std::vector<int64_t> sample_rows, separated_rows;
    std::vector<double> fitted;
    for (int r = 0; r < k; ++r) {
      auto& res = split[static_cast<size_t>(r)];
      ASSERT_TRUE(res.ok()) << res.status().ToString();
      ASSERT_TRUE(res->converged());
      sample_rows.insert(sample_rows.end(), res->sample_rows.begin(), res->sample_rows.end());
      separated_rows.insert(separated_rows.end(), res->separated_rows.begin(),
                            res->separated_rows.end());
      fitted.insert(fitted.end(), res->fitted.begin(), res->fitted.end());
      EXPECT_EQ(res->nobs, one->nobs);
      EXPECT_EQ(res->dropped.separated, one->dropped.separated);
      EXPECT_EQ(res->dropped.singleton, one->dropped.singleton);
      EXPECT_EQ(res->dropped.missing, one->dropped.missing);
      EXPECT_EQ(res->dropped.filtered, one->dropped.filtered);
      EXPECT_EQ(res->dropped.zero_weight, one->dropped.zero_weight);
      EXPECT_EQ(res->num_fe_params, one->num_fe_params);
      EXPECT_EQ(res->collinear, one->collinear);
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
        EXPECT_EQ(one->fixed_effects[q].labels, res->fixed_effects[q].labels);
        for (size_t g = 0; g < fa.size(); ++g) {
          EXPECT_NEAR(fa[g], fb[g], 1e-8 * (1 + std::fabs(fa[g])))
              << "fixed effect " << q << "/" << g;
        }
      }
    }
    // The processes' shares make up the single-process sample, in row order.
    EXPECT_EQ(sample_rows, one->sample_rows);
    std::sort(separated_rows.begin(), separated_rows.end());
    EXPECT_EQ(separated_rows, one->separated_rows);
    ASSERT_EQ(fitted.size(), one->fitted.size());
    for (size_t i = 0; i < fitted.size(); ++i) ExpectClose(one->fitted[i], fitted[i], "fitted");
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

// String identifiers whose first appearance is not their sorted order, rows
// ordered by year (so the processes hold different years), and every kind of
// drop: a zero-outcome exporter-year (separated), three zeros separated by
// the regressor `sep` alone (ReLU; `sep` then is collinear), an importer seen
// once (singleton), missing values and a filter.
data::Table MakeStringTable() {
  std::mt19937 rng(11);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::vector<std::string> names = {"USA", "CHN", "DEU", "JPN", "FRA", "GBR", "ITA",
                                    "BRA", "CAN", "KOR", "IND", "ESP", "MEX", "AUS"};
  std::shuffle(names.begin(), names.end(), rng);
  const int c = static_cast<int>(names.size());
  std::vector<double> a(static_cast<size_t>(c)), b(static_cast<size_t>(c));
  for (auto& v : a) v = normal(rng);
  for (auto& v : b) v = normal(rng);
  std::vector<double> y, dist, rta, sep;
  std::vector<std::string> exp, imp;
  std::vector<int64_t> year;
  int zeros_marked = 0;
  for (int t = 0; t < 4; ++t) {
    for (int i = 0; i < c; ++i) {
      for (int j = 0; j < c; ++j) {
        if (i == j) continue;
        const double d = 1 + std::abs(i - j) + 0.37 * ((i * 7 + j * 3) % 5);
        const double r = (rng() % 3 == 0) ? 1.0 : 0.0;
        const double eta = 1.0 + a[static_cast<size_t>(i)] + b[static_cast<size_t>(j)] -
                           0.7 * std::log(d) + 0.3 * r;
        std::poisson_distribution<int> pois(std::exp(eta));
        double yv = (i == 2 && t == 1) ? 0.0 : pois(rng);
        double s = 0;
        if (yv == 0 && zeros_marked < 3 && t >= 2 && i != 2) {
          s = 1;
          ++zeros_marked;
        }
        y.push_back(yv);
        dist.push_back((t * c + i + j) % 97 == 5 ? std::nan("") : d);
        rta.push_back(r);
        sep.push_back(s);
        exp.push_back(names[static_cast<size_t>(i)]);
        imp.push_back(names[static_cast<size_t>(j)]);
        year.push_back(2000 + t);
      }
    }
    // An importer seen once: a singleton of importer^year.
    if (t == 1) {
      y.push_back(3);
      dist.push_back(2.5);
      rta.push_back(0);
      sep.push_back(0);
      exp.push_back(names[0]);
      imp.push_back("SGL");
      year.push_back(2000 + t);
    }
  }
  EXPECT_EQ(zeros_marked, 3);
  data::Table tab;
  EXPECT_TRUE(tab.AddColumn(data::Table::F64Column("y", y)).ok());
  EXPECT_TRUE(tab.AddColumn(data::Table::F64Column("dist", dist)).ok());
  EXPECT_TRUE(tab.AddColumn(data::Table::F64Column("rta", rta)).ok());
  EXPECT_TRUE(tab.AddColumn(data::Table::F64Column("sep", sep)).ok());
  EXPECT_TRUE(tab.AddColumn(data::Table::StringColumn("exporter", exp)).ok());
  EXPECT_TRUE(tab.AddColumn(data::Table::StringColumn("importer", imp)).ok());
  EXPECT_TRUE(tab.AddColumn(data::Table::I64Column("year", year)).ok());
  return tab;
}

TEST(Distributed, StringIdentifiersSingletonsAndBothSeparations) {
  EstimateOptions opt;
  opt.formula = "y ~ log(dist) + rta + sep | exporter^year + importer^year";
  opt.vcov = "cluster:exporter";
  opt.tolerance = 1e-12;
  opt.threads = 1;
  const data::Table t = MakeStringTable();
  auto one = Estimate(t, opt);
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  // The test proves what it says only if every kind of drop happens.
  EXPECT_GE(one->dropped.separated, 13 + 3);  // zero-outcome group + ReLU
  EXPECT_GE(one->dropped.singleton, 1);
  EXPECT_GE(one->dropped.missing, 1);
  EXPECT_EQ(one->collinear, std::vector<std::string>{"sep"});
  CheckSplitEqualsSingle(opt, t, {2, 3, 5});
  opt.vcov = "hetero";
  opt.formula = "y ~ log(dist) + rta + sep | exporter + importer + year";
  CheckSplitEqualsSingle(opt, t, {2, 4});
}

TEST(Distributed, ProcessesWithoutRows) {
  const data::Table t = MakeStringTable();
  EstimateOptions opt;
  opt.formula = "y ~ log(dist) + rta | exporter^year + importer^year";
  opt.where = "year != 2003";
  opt.vcov = "cluster:importer";
  opt.tolerance = 1e-12;
  opt.threads = 1;
  auto one = EstimateLikeProcesses(t, opt);
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  // Rank 1 reads nothing; rank 3 reads only year 2003, which the filter drops.
  int64_t first_2003 = 0;
  while (t.columns()[6].i64[static_cast<size_t>(first_2003)] != 2003) ++first_2003;
  const std::vector<int64_t> bounds = {0, 100, 100, first_2003, t.num_rows()};
  int64_t calls = 0;
  auto split = RunSplit(t, opt, 4, &calls, bounds);
  for (int r = 0; r < 4; ++r) {
    auto& res = split[static_cast<size_t>(r)];
    ASSERT_TRUE(res.ok()) << res.status().ToString();
    EXPECT_EQ(res->nobs, one->nobs);
    EXPECT_EQ(res->dropped.filtered, one->dropped.filtered);
    EXPECT_EQ(res->dropped.separated, one->dropped.separated);
    EXPECT_EQ(res->dropped.singleton, one->dropped.singleton);
    ASSERT_EQ(res->coefficients.size(), one->coefficients.size());
    for (size_t j = 0; j < one->coefficients.size(); ++j) {
      ExpectClose(one->coefficients[j].estimate, res->coefficients[j].estimate, "estimate");
      ExpectClose(one->coefficients[j].std_error, res->coefficients[j].std_error, "SE");
    }
  }
  EXPECT_TRUE(split[1]->sample_rows.empty());
  EXPECT_TRUE(split[3]->sample_rows.empty());
  // No fixed effects: the intercept is one global group.
  opt.formula = "y ~ log(dist) + rta";
  opt.vcov = "hetero";
  one = EstimateLikeProcesses(t, opt);
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  split = RunSplit(t, opt, 4, &calls, bounds);
  for (auto& res : split) {
    ASSERT_TRUE(res.ok()) << res.status().ToString();
    for (size_t j = 0; j < one->coefficients.size(); ++j) {
      ExpectClose(one->coefficients[j].estimate, res->coefficients[j].estimate, "estimate");
      ExpectClose(one->coefficients[j].std_error, res->coefficients[j].std_error, "SE");
    }
    ExpectClose(one->fixed_effects[0].values[0], res->fixed_effects[0].values[0], "intercept");
  }
}

TEST(Distributed, AnErrorOnOneProcessIsReturnedByAll) {
  data::Table t = MakeStringTable();
  const int64_t bad = t.num_rows() - 7;  // in the last process's part
  t.mutable_columns()[0].f64[static_cast<size_t>(bad)] = -1;
  EstimateOptions opt;
  opt.formula = "y ~ log(dist) | exporter + importer";
  opt.threads = 1;
  auto one = Estimate(t, opt);
  ASSERT_FALSE(one.ok());
  EXPECT_NE(one.status().message().find(fmt::format("row {}:", bad + 1)), std::string::npos)
      << one.status().message();
  int64_t calls = 0;
  for (auto& res : RunSplit(t, opt, 3, &calls)) {
    ASSERT_FALSE(res.ok());
    EXPECT_EQ(res.status().message(), one.status().message());
  }
  // A non-integer identifier, found while the codes are made global.
  t = MakeStringTable();
  data::Column yr =
      data::Table::F64Column("yr", std::vector<double>(static_cast<size_t>(t.num_rows()), 2000.0));
  yr.f64[static_cast<size_t>(bad)] = 2000.5;
  ASSERT_TRUE(t.AddColumn(std::move(yr)).ok());
  opt.formula = "y ~ log(dist) | exporter + yr";
  one = Estimate(t, opt);
  ASSERT_FALSE(one.ok());
  for (auto& res : RunSplit(t, opt, 3, &calls)) {
    ASSERT_FALSE(res.ok());
    EXPECT_EQ(res.status().message(), one.status().message());
  }
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
