// Slow, obvious reference estimators for the oracle tests (test-only header).
//
// Poisson GLM and weighted OLS with explicit dummy variables for every fixed
// effect (the first dimension with all its levels, every further dimension
// without its first level; an intercept when there is none), solved with
// dense Newton-Raphson / a dense QR, and sandwich variances computed from the
// full design matrix with brute-force cluster sums (std::map). Nothing here
// shares code with the fast estimator.
#ifndef REBALANCE_SRC_ECON_DENSE_REFERENCE_H_
#define REBALANCE_SRC_ECON_DENSE_REFERENCE_H_

#include <cmath>
#include <map>
#include <set>
#include <vector>

#include <Eigen/Dense>

namespace rebalance::econ::testing {

struct DenseProblem {
  bool poisson = true;
  Eigen::VectorXd y;
  Eigen::MatrixXd x;                 // n x k regressors
  std::vector<std::vector<int>> fe;  // per dimension, group id per obs
  Eigen::VectorXd w;                 // prior weights (empty = 1)
  Eigen::VectorXd offset;            // (empty = 0)
};

struct DenseFit {
  Eigen::VectorXd beta;         // regressors only
  Eigen::MatrixXd z;            // full design
  Eigen::VectorXd theta;        // all coefficients
  Eigen::VectorXd mu;           // fitted mean (Poisson) or fitted value
  Eigen::VectorXd weights;      // final working weights
  Eigen::VectorXd resid_score;  // r_i with score_i = z_i r_i
  int rank = 0;                 // columns of z
  int iterations = 0;
};

inline DenseFit FitDense(const DenseProblem& p) {
  const int n = static_cast<int>(p.y.size());
  const int k = static_cast<int>(p.x.cols());
  std::vector<Eigen::VectorXd> cols;
  for (int c = 0; c < k; ++c) cols.push_back(p.x.col(c));
  if (p.fe.empty()) cols.push_back(Eigen::VectorXd::Ones(n));
  for (size_t q = 0; q < p.fe.size(); ++q) {
    std::set<int> levels(p.fe[q].begin(), p.fe[q].end());
    bool first = true;
    for (int level : levels) {
      if (q > 0 && first) {
        first = false;
        continue;
      }
      first = false;
      Eigen::VectorXd d = Eigen::VectorXd::Zero(n);
      for (int i = 0; i < n; ++i) d(i) = p.fe[q][static_cast<size_t>(i)] == level ? 1.0 : 0.0;
      cols.push_back(d);
    }
  }
  DenseFit f;
  f.z.resize(n, static_cast<Eigen::Index>(cols.size()));
  for (size_t c = 0; c < cols.size(); ++c) f.z.col(static_cast<Eigen::Index>(c)) = cols[c];
  f.rank = static_cast<int>(Eigen::ColPivHouseholderQR<Eigen::MatrixXd>(f.z).rank());
  const Eigen::VectorXd pw = p.w.size() ? p.w : Eigen::VectorXd::Ones(n);
  const Eigen::VectorXd off = p.offset.size() ? p.offset : Eigen::VectorXd::Zero(n);
  if (!p.poisson) {
    const Eigen::VectorXd sw = pw.array().sqrt();
    f.theta = (sw.asDiagonal() * f.z)
                  .colPivHouseholderQr()
                  .solve((sw.array() * (p.y - off).array()).matrix());
    f.mu = f.z * f.theta + off;
    f.weights = pw;
    f.resid_score = (pw.array() * (p.y - f.mu).array()).matrix();
  } else {
    // Newton-Raphson from the log of a smoothed outcome.
    Eigen::VectorXd eta = (0.5 * (p.y.array() + p.y.mean())).log().matrix();
    f.theta = (f.z).colPivHouseholderQr().solve(eta - off);
    for (int it = 0; it < 200; ++it) {
      const Eigen::VectorXd mu = (f.z * f.theta + off).array().exp().matrix();
      const Eigen::VectorXd wt = (pw.array() * mu.array()).matrix();
      const Eigen::VectorXd grad = f.z.transpose() * (pw.array() * (p.y - mu).array()).matrix();
      const Eigen::MatrixXd hess = f.z.transpose() * wt.asDiagonal() * f.z;
      const Eigen::VectorXd step = hess.ldlt().solve(grad);
      f.theta += step;
      f.iterations = it + 1;
      if (step.lpNorm<Eigen::Infinity>() < 1e-14 * (1 + f.theta.lpNorm<Eigen::Infinity>())) break;
    }
    f.mu = (f.z * f.theta + off).array().exp().matrix();
    f.weights = (pw.array() * f.mu.array()).matrix();
    f.resid_score = (pw.array() * (p.y - f.mu).array()).matrix();
  }
  f.beta = f.theta.head(k);
  return f;
}

// "Meat" sum_g S_g S_g' over groups given by `ids` (one id vector per
// cluster variable, intersected).
inline Eigen::MatrixXd DenseMeat(const DenseFit& f,
                                 const std::vector<const std::vector<int>*>& ids) {
  const int n = static_cast<int>(f.z.rows());
  std::map<std::vector<int>, Eigen::VectorXd> sums;
  for (int i = 0; i < n; ++i) {
    std::vector<int> key;
    for (const auto* v : ids) key.push_back((*v)[static_cast<size_t>(i)]);
    Eigen::VectorXd s = f.z.row(i).transpose() * f.resid_score(i);
    auto it = sums.find(key);
    if (it == sums.end())
      sums.emplace(key, s);
    else
      it->second += s;
  }
  Eigen::MatrixXd m = Eigen::MatrixXd::Zero(f.z.cols(), f.z.cols());
  for (const auto& [key, s] : sums) m += s * s.transpose();
  return m;
}

inline int CountGroups(const std::vector<int>& ids) {
  return static_cast<int>(std::set<int>(ids.begin(), ids.end()).size());
}

}  // namespace rebalance::econ::testing

#endif  // REBALANCE_SRC_ECON_DENSE_REFERENCE_H_
