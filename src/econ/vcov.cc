// Variance of PPML / OLS-HDFE coefficients: iid, heteroskedasticity-robust
// (sandwich) and multiway clustered (Cameron, Gelbach & Miller 2011, JBES
// 29(2), "Robust inference with multiway clustering").
//
// With X~ the demeaned regressors, W the final working weights (Poisson: mu
// times prior weights; Gaussian: prior weights) and the bread
// B = (X~' W X~)^-1, observation i's score is s_i = x~_i r_i with
// r_i = prior_w_i (y_i - mu_i) (Poisson) or prior_w_i e_i (Gaussian):
//   iid:     V = B (Poisson), V = sigma^2 B with sigma^2 = RSS / (N - K)
//            (Gaussian);
//   hetero:  V = B (sum_i s_i s_i') B;
//   cluster: V = sum over non-empty subsets S of the cluster variables of
//            (-1)^(|S|+1) B M_S B, where M_S = sum_g S_g S_g' over the groups
//            of the intersection of the variables in S (CGM, eq. 2.13).
//            A multiway estimate that is not positive semi-definite has its
//            negative eigenvalues set to 0 (CGM section 2.3), and says so.
// Small-sample factors (K = regressors + identified fixed-effect
// parameters; K_nn excludes fixed effects nested in a cluster variable,
// keeping one level for the constant, as reghdfe does; G = smallest number of
// clusters over the cluster variables, applied to every CGM term):
//   SmallSample::kStata reproduces ppmlhdfe, which follows Stata's ML
//   estimators (its help file matches `poisson, vce(robust)` and
//   `poisson ... i.id, vce(cluster id)`): Poisson iid 1, hetero N/(N-1),
//   cluster G/(G-1). Gaussian follows reghdfe: hetero N/(N-K), cluster
//   G/(G-1) (N-1)/(N-K_nn).
//   SmallSample::kFixest reproduces fixest 0.12's default ssc(adj = TRUE,
//   fixef.K = "nested", cluster.adj = TRUE, cluster.df = "min"): iid
//   (N-1)/(N-K) for Poisson, hetero N/(N-K) (= (N-1)/(N-K) * N/(N-1)),
//   cluster G/(G-1) (N-1)/(N-K_nn).
#include "vcov.h"

#include "parallel_sum.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <omp.h>

namespace rebalance::econ {
namespace {

// sum_g S_g S_g' for the groups `codes` (0..g-1).
Eigen::MatrixXd ClusterMeat(const VcovInput& in, const std::vector<int32_t>& codes, int32_t g) {
  const int k = in.k;
  const int64_t n = in.n;
  Eigen::MatrixXd sums = Eigen::MatrixXd::Zero(g, k);  // column-major: g x k
  for (int c = 0; c < k; ++c) {
    const double* xc = in.x + c * n;
    double* dst = sums.data() + static_cast<int64_t>(c) * g;
    for (int64_t i = 0; i < n; ++i) dst[codes[static_cast<size_t>(i)]] += xc[i] * in.score[i];
  }
  if (in.reducer) in.reducer->SumDoubles(sums.data(), sums.size());
  return sums.transpose() * sums;
}

}  // namespace

Result<VcovSpec> ParseVcov(const std::string& text) {
  VcovSpec spec;
  if (text == "iid" || text == "standard") {
    spec.type = VcovType::kIid;
    spec.text = "iid";
    return spec;
  }
  if (text == "hetero" || text == "robust" || text == "hc1") {
    spec.type = VcovType::kHetero;
    spec.text = "hetero";
    return spec;
  }
  const std::string prefix = "cluster:";
  if (text.rfind(prefix, 0) == 0) {
    spec.type = VcovType::kCluster;
    std::string rest = text.substr(prefix.size());
    size_t start = 0;
    while (start <= rest.size()) {
      size_t end = rest.find('+', start);
      if (end == std::string::npos) end = rest.size();
      std::string name = rest.substr(start, end - start);
      name.erase(0, name.find_first_not_of(" \t"));
      name.erase(name.find_last_not_of(" \t") + 1);
      if (name.empty()) {
        return Status::InvalidArgument(
                   fmt::format("vcov '{}': empty cluster column name (expected cluster:a or "
                               "cluster:a+b)",
                               text))
            .WithOptions({"vcov"});
      }
      if (std::find(spec.cluster_columns.begin(), spec.cluster_columns.end(), name) !=
          spec.cluster_columns.end()) {
        return Status::InvalidArgument(
                   fmt::format("vcov '{}': cluster column '{}' repeated", text, name))
            .WithOptions({"vcov"});
      }
      spec.cluster_columns.push_back(name);
      start = end + 1;
    }
    if (spec.cluster_columns.size() > 10) {
      return Status::InvalidArgument(
                 fmt::format("vcov '{}': at most 10 cluster variables are supported", text))
          .WithOptions({"vcov"});
    }
    spec.text = prefix;
    for (size_t i = 0; i < spec.cluster_columns.size(); ++i) {
      spec.text += (i ? "+" : "") + spec.cluster_columns[i];
    }
    return spec;
  }
  return Status::InvalidArgument(
             fmt::format("vcov '{}': expected hetero (or robust), iid, cluster:COL or "
                         "cluster:COL1+COL2",
                         text))
      .WithOptions({"vcov"});
}

Result<VcovOutput> ComputeVcov(const VcovSpec& spec, const VcovInput& in) {
  VcovOutput out;
  const int k = in.k;
  const int64_t n_all = in.n_global > 0 ? in.n_global : in.n;
  const double n = static_cast<double>(n_all);
  Reducer* reducer = in.reducer ? in.reducer : &LocalReducer();
  if (k == 0) {
    out.vcov = Eigen::MatrixXd(0, 0);
    return out;
  }
  const Eigen::MatrixXd bread = in.xtwx.ldlt().solve(Eigen::MatrixXd::Identity(k, k));
  const double k_all = static_cast<double>(k + in.fe_rank);
  const bool poisson = in.family == Family::kPoisson;
  const bool stata = in.ssc == SmallSample::kStata;
  if (n_all <= k + in.fe_rank) {
    return Status::FailedPrecondition(
        fmt::format("{} observations cannot identify {} parameters ({} regressors and {} "
                    "fixed-effect levels)",
                    n_all, k + in.fe_rank, k, in.fe_rank));
  }

  switch (spec.type) {
    case VcovType::kIid: {
      if (poisson) {
        out.vcov = bread * (stata ? 1.0 : (n - 1) / (n - k_all));
      } else {
        out.vcov = bread * (in.rss / (n - k_all));
      }
      return out;
    }
    case VcovType::kHetero: {
      Eigen::MatrixXd meat = Eigen::MatrixXd::Zero(k, k);
      for (int a = 0; a < k; ++a) {
        for (int c = 0; c <= a; ++c) {
          const double* xa = in.x + a * in.n;
          const double* xc = in.x + c * in.n;
          // Fixed blocks (parallel_sum.h): the same bits for any thread count.
          const double s = BlockSums<1>(in.n, in.threads, [&](int64_t i, double* acc) {
            acc[0] += xa[i] * xc[i] * in.score[i] * in.score[i];
          })[0];
          meat(a, c) = meat(c, a) = s;
        }
      }
      reducer->SumDoubles(meat.data(), meat.size());
      const double adj = (stata && poisson) ? n / (n - 1) : n / (n - k_all);
      out.vcov = bread * meat * bread * adj;
      return out;
    }
    case VcovType::kCluster: {
      const FixedEffects& cl = *in.clusters;
      const int m = cl.num_dims();
      int64_t g_min = -1;
      for (int c = 0; c < m; ++c) {
        g_min = g_min < 0 ? cl.num_groups[c] : std::min<int64_t>(g_min, cl.num_groups[c]);
      }
      out.min_clusters = g_min;
      if (g_min < 2) {
        return Status::FailedPrecondition(
                   fmt::format("vcov {}: clustered variance needs at least 2 clusters, found {}",
                               spec.text, g_min))
            .WithOptions({"vcov"});
      }
      if (m > 1 && reducer->distributed()) {
        // The intersection groups are numbered per process (DenseCodes), so
        // their score sums cannot be added across processes.
        return Status::InvalidArgument(
                   fmt::format("vcov {}: multiway clustering is not available with distributed "
                               "estimation; use one cluster variable",
                               spec.text))
            .WithOptions({"vcov"});
      }
      Eigen::MatrixXd meat = Eigen::MatrixXd::Zero(k, k);
      std::vector<int64_t> keys(static_cast<size_t>(in.n));
      std::vector<int32_t> codes;
      std::vector<int64_t> first;
      for (int mask = 1; mask < (1 << m); ++mask) {
        int bits = 0;
        int32_t groups = 0;
        std::fill(keys.begin(), keys.end(), 0);
        for (int c = 0; c < m; ++c) {
          if (!(mask & (1 << c))) continue;
          ++bits;
          for (int64_t i = 0; i < in.n; ++i) {
            keys[static_cast<size_t>(i)] = keys[static_cast<size_t>(i)] * cl.num_groups[c] +
                                           cl.codes[c][static_cast<size_t>(i)];
          }
          if (reducer->distributed()) {
            // One variable (m == 1): keep its global codes.
            codes = cl.codes[c];
            groups = cl.num_groups[c];
            continue;
          }
          // Densify after every variable so keys stay below 2^62.
          groups = DenseCodes(keys, codes, first);
          for (int64_t i = 0; i < in.n; ++i)
            keys[static_cast<size_t>(i)] = codes[static_cast<size_t>(i)];
        }
        const Eigen::MatrixXd ms = ClusterMeat(in, codes, groups);
        meat += (bits % 2 == 1 ? 1.0 : -1.0) * ms;
      }
      // Fixed effects nested in a cluster variable do not count in K.
      double k_nn = k_all;
      if (in.fe != nullptr && reducer->distributed()) {
        // Nested when every group's smallest and largest cluster code agree
        // across all processes.
        for (int q = 0; q < in.fe->num_dims(); ++q) {
          bool nested_any = false;
          const size_t ng = static_cast<size_t>(in.fe->num_groups[q]);
          for (int c = 0; c < m && !nested_any; ++c) {
            std::vector<int64_t> lo(ng, INT64_MAX), neg_hi(ng, INT64_MAX);
            for (int64_t i = 0; i < in.n; ++i) {
              const size_t g = static_cast<size_t>(in.fe->codes[q][static_cast<size_t>(i)]);
              const int64_t cc = cl.codes[c][static_cast<size_t>(i)];
              lo[g] = std::min(lo[g], cc);
              neg_hi[g] = std::min(neg_hi[g], -cc);
            }
            reducer->MinInt64s(lo.data(), static_cast<int64_t>(ng));
            reducer->MinInt64s(neg_hi.data(), static_cast<int64_t>(ng));
            bool nested = true;
            for (size_t g = 0; g < ng && nested; ++g) {
              nested = lo[g] == INT64_MAX || lo[g] == -neg_hi[g];
            }
            nested_any = nested;
          }
          if (nested_any) k_nn -= in.fe->num_groups[q] - 1;
        }
      } else if (in.fe != nullptr) {
        for (int q = 0; q < in.fe->num_dims(); ++q) {
          bool nested_any = false;
          for (int c = 0; c < m && !nested_any; ++c) {
            std::vector<int32_t> owner(static_cast<size_t>(in.fe->num_groups[q]), -1);
            bool nested = true;
            for (int64_t i = 0; i < in.n && nested; ++i) {
              int32_t& o = owner[static_cast<size_t>(in.fe->codes[q][static_cast<size_t>(i)])];
              const int32_t cc = cl.codes[c][static_cast<size_t>(i)];
              if (o < 0)
                o = cc;
              else if (o != cc)
                nested = false;
            }
            nested_any = nested;
          }
          if (nested_any) k_nn -= in.fe->num_groups[q] - 1;
        }
      }
      const double g = static_cast<double>(g_min);
      double adj = g / (g - 1);
      if (!(stata && poisson)) adj *= (n - 1) / (n - k_nn);
      out.vcov = bread * meat * bread * adj;
      if (m > 1) {
        Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(out.vcov);
        if (es.eigenvalues().minCoeff() < 0) {
          Eigen::VectorXd ev = es.eigenvalues().cwiseMax(0.0);
          out.vcov = es.eigenvectors() * ev.asDiagonal() * es.eigenvectors().transpose();
          out.eigen_fixed = true;
        }
      }
      return out;
    }
  }
  return Status::Internal("unknown vcov type");
}

}  // namespace rebalance::econ
