// Variance-covariance matrices of the PPML / OLS coefficients.
#ifndef REBALANCE_SRC_ECON_VCOV_H_
#define REBALANCE_SRC_ECON_VCOV_H_

#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/Dense>

#include "rebalance/core/status.h"
#include "rebalance/econ/fixed_effects.h"
#include "rebalance/econ/ppml.h"
#include "rebalance/econ/reducer.h"

namespace rebalance::econ {

struct VcovSpec {
  VcovType type = VcovType::kIid;
  std::vector<std::string> cluster_columns;
  std::string text;  // canonical: "iid", "hetero", "cluster:a+b"
};

// Parses "iid", "hetero" (also "robust", "hc1"), "cluster:a" or
// "cluster:a+b".
Result<VcovSpec> ParseVcov(const std::string& text);

struct VcovInput {
  Family family = Family::kPoisson;
  SmallSample ssc = SmallSample::kStata;
  int64_t n = 0;
  int k = 0;
  const double* x = nullptr;      // demeaned regressors, n x k
  const double* w = nullptr;      // working weights of the final step
  const double* score = nullptr;  // r_i: x~_i * r_i is observation i's score
  double rss = 0;                 // Gaussian: sum of w e^2
  Eigen::MatrixXd xtwx;           // X~' W X~
  int64_t fe_rank = 0;            // identified fixed-effect parameters
  const FixedEffects* fe = nullptr;
  const FixedEffects* clusters = nullptr;  // for kCluster
  int threads = 0;
  // Observations split over processes: x, score, fe and clusters hold this
  // process's observations (global group codes), n_global the total count,
  // and reducer sums across processes. Multiway clustering is refused.
  Reducer* reducer = nullptr;
  int64_t n_global = 0;  // 0 = n
};

struct VcovOutput {
  Eigen::MatrixXd vcov;
  int64_t min_clusters = 0;
  bool eigen_fixed = false;  // multiway estimate was not PSD and was fixed
};

Result<VcovOutput> ComputeVcov(const VcovSpec& spec, const VcovInput& in);

}  // namespace rebalance::econ

#endif  // REBALANCE_SRC_ECON_VCOV_H_
