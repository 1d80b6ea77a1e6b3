// PPML and OLS with high-dimensional fixed effects: the public API of
// `rebalance estimate`. Implementation notes live in src/econ/*.cc banners
// (estimate.cc: pipeline and dropped-observation accounting; demean.cc:
// within-transformation; irls.cc: IRLS and convergence; separation.cc:
// separation checks; vcov.cc: variance and small-sample corrections).
#ifndef REBALANCE_ECON_PPML_H_
#define REBALANCE_ECON_PPML_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <Eigen/Dense>

#include "rebalance/core/options.h"
#include "rebalance/core/status.h"
#include "rebalance/data/table.h"
#include "rebalance/econ/reducer.h"

namespace rebalance::econ {

enum class Family { kPoisson, kGaussian };
const char* ToString(Family f);
Result<Family> FamilyFromString(const std::string& s);

enum class VcovType { kIid, kHetero, kCluster };
const char* ToString(VcovType v);

// Small-sample corrections (documented in detail in src/econ/vcov.cc):
//   kStata  (ppmlhdfe / Stata's poisson and reghdfe):
//     Poisson:  iid 1; hetero N/(N-1); cluster G/(G-1).
//     Gaussian: iid sigma^2 = RSS/(N-K); hetero N/(N-K);
//               cluster G/(G-1) * (N-1)/(N-K), K without FE nested in a
//               cluster variable.
//   kFixest (fixest 0.12 defaults: adj = TRUE, fixef.K = "nested",
//            cluster.adj = TRUE, cluster.df = "min"):
//     iid (N-1)/(N-K) (Gaussian: sigma^2 = RSS/(N-K)); hetero N/(N-K);
//     cluster G/(G-1) * (N-1)/(N-K), K without FE nested in a cluster.
//   G is the smallest number of clusters over the cluster variables (the
//   same factor multiplies every term of a multiway estimate).
enum class SmallSample { kStata, kFixest };
const char* ToString(SmallSample s);
Result<SmallSample> SmallSampleFromString(const std::string& s);

enum class Termination {
  kConverged,
  kMaxIterations,  // IRLS hit its iteration limit: not a result
  kDiverged,       // deviance or coefficients became non-finite
};
const char* ToString(Termination t);

// One step of an estimation (as Ceres keeps IterationSummary): kept in
// EstimateResult::iteration_log and passed, as it happens, to
// EstimateOptions::iteration_callback. The library never prints; a front door
// decides what to show (`rebalance estimate` prints `text` to stderr unless
// --quiet).
struct IterationRecord {
  enum class Kind {
    kPhase,                 // a stage finished ("sample selected", "IRLS done", ...)
    kSample,                // the estimation sample and what was dropped
    kSeparationRegressors,  // the rectifier's first solve with the regressors
    kSeparationRound,       // one round of the iterated rectifier (ReLU)
    kIrls,                  // one IRLS step
  };
  Kind kind = Kind::kPhase;
  double seconds = 0;  // since the start of the estimation
  int step = 0;        // IRLS step or rectifier round (1-based); 0 otherwise
  // kIrls: deviance, its relative change eps, the demeaning tolerance of the
  // step and the step-halvings taken.
  double deviance = 0, eps = 0, inner_tolerance = 0;
  int halvings = 0;
  // Conjugate-gradient iterations of the step's demeaning (kIrls,
  // kSeparationRegressors) or of the rectifier so far (kSeparationRound).
  int64_t inner_iterations = 0;
  // The line as `rebalance estimate` prints it (no trailing newline).
  std::string text;
};
using IterationCallback = std::function<void(const IterationRecord&)>;

struct EstimateOptions {
  // fixest-style formula: "y ~ x1 + log(x2) | fe1 + fe2^fe3". Required.
  std::string formula;
  // Optional sample filter, e.g. "exporter != importer && year in {1990,1994}".
  std::string where;
  // Distribution family: Poisson (PPML) or Gaussian (OLS).
  Family family = Family::kPoisson;
  // Optional observation-weight column (non-negative).
  std::string weights;
  // Optional offset column added to the linear predictor.
  std::string offset;
  // Variance: "hetero" (heteroskedasticity-robust, the default, as in
  // ppmlhdfe; "robust" and "hc1" are synonyms), "iid", "cluster:a" or
  // "cluster:a+b" (multiway CGM). iid errors understate the uncertainty of
  // gravity estimates badly (overdispersed flows): use them knowingly.
  std::string vcov = "hetero";
  // Small-sample correction convention: Stata (ppmlhdfe/ppml) or fixest.
  SmallSample ssc = SmallSample::kStata;
  // IRLS stops when |dev - dev_old| / max(min(dev, dev_old), 0.1) <
  // tolerance (ppmlhdfe's criterion), computed on a step whose
  // within-transformation used the final demean_tolerance.
  double tolerance = 1e-8;
  // Maximum IRLS iterations; reaching it is reported as kMaxIterations.
  int max_iterations = 1000;
  // Convergence tolerance of the within-transformation at the final step:
  // conjugate gradients stop when the weighted group means of a demeaned
  // column, sqrt(sum_g W_g mean_g^2), are below demean_tolerance times the
  // column's weighted norm (demean.cc). Early IRLS steps use a looser
  // tolerance (irls.cc).
  double demean_tolerance = 1e-10;
  // Maximum conjugate-gradient iterations per demeaning call; reaching it is
  // reported as kMaxIterations.
  int max_demean_iterations = 100000;
  // Solve a fixed-effect dimension whose groups each come as one run of
  // consecutive rows (a file sorted by pair) exactly, run by run, and only the
  // other dimensions by conjugate gradients (demean.cc): fewer passes, the
  // same solution to the demeaning tolerance. false = conjugate gradients on
  // every dimension, which is what a run split over MPI processes always uses.
  bool eliminate_runs = true;
  // Separation checks (fixed effects with all-zero outcome; ReLU method).
  bool check_separation = true;
  // Iteration limit of the iterated-rectifier (ReLU) separation check;
  // reaching it is an error (kNotConverged), never a silent pass.
  int max_separation_iterations = 1000;
  // Drop observations that are singletons in some fixed-effect dimension,
  // iteratively (Correia 2015); they do not affect the estimates.
  bool drop_singletons = true;
  // Threads; 0 = all cores, except that a problem of fewer than 50,000 rows
  // runs on one thread (src/econ/estimate.cc says why and what was measured).
  int threads = 0;
  // Keep fitted values and fixed-effect estimates in the result.
  bool keep_fitted = true;
  bool keep_fixed_effects = true;
  // Called with each IterationRecord as it happens (empty: none). Called on
  // the calling thread; with a distributed estimation, on every process.
  IterationCallback iteration_callback;

  // A formula is given and every registered option is within its record's
  // bounds (EstimateOptionTable); messages name the option.
  Status Validate() const;
};

// The registry of EstimateOptions (core/options.h): family, vcov, ssc and
// the numerical options, each declared once with its doc, default, bounds
// and CLI flag. `rebalance estimate` adds its flags from it, Python's
// rb.estimate / fepois / feols take its names as keywords, and
// docs/options.md lists it. formula, where, weights, offset, keep_* and the
// callback describe the model or the call, not tuning, and are not in it.
const core::OptionTable<EstimateOptions>& EstimateOptionTable();

struct Coefficient {
  std::string name;  // the formula's term as written, e.g. "log(dist)"
  double estimate = 0, std_error = 0, z = 0, p_value = 0, ci_low = 0, ci_high = 0;
};

struct DroppedCounts {
  int64_t missing = 0;      // missing value in any used column
  int64_t filtered = 0;     // excluded by --where (not an error, reported)
  int64_t singleton = 0;    // singleton fixed-effect groups, iteratively
  int64_t separated = 0;    // separated (FE all-zero + ReLU)
  int64_t zero_weight = 0;  // observation weight equal to zero
};

// One fixed-effect dimension's estimates: group labels and values.
struct FixedEffectEstimates {
  std::string name;                 // e.g. "exporter^year"
  std::vector<std::string> labels;  // e.g. "USA^1990"
  std::vector<double> values;
};

struct EstimateResult {
  Termination termination = Termination::kConverged;
  std::string message;
  std::string formula;  // canonical formula text
  Family family = Family::kPoisson;
  std::vector<Coefficient> coefficients;
  std::vector<std::string> collinear;  // regressors dropped as collinear
  Eigen::MatrixXd vcov;
  std::string vcov_type;  // "iid", "hetero", "cluster:pair_id", ...
  int64_t nobs = 0;
  DroppedCounts dropped;
  double loglik = 0, deviance = 0, null_deviance = 0, pseudo_r2 = 0;
  double r2 = 0;  // gaussian only
  int iterations = 0;
  int64_t demean_iterations = 0;
  // Every step of the estimation, in order (see IterationRecord).
  std::vector<IterationRecord> iteration_log;
  int64_t num_fe_params = 0;  // identified fixed-effect parameters (df_a)
  int64_t num_clusters = 0;   // smallest cluster count, clustered vcov only
  double seconds = 0;
  // Row index (into the input table) of each estimation-sample observation.
  std::vector<int64_t> sample_rows;
  std::vector<double> fitted;  // mu (Poisson) or xb (Gaussian) on the sample
  // Normalisation: the first group (in sorted identifier order) of every
  // dimension after the first is 0; the first dimension absorbs the level.
  // With no fixed effects in the formula an intercept is estimated and
  // reported here as the one-group dimension "(Intercept)".
  std::vector<FixedEffectEstimates> fixed_effects;
  // Which input rows were dropped as separated (for tests and reports).
  std::vector<int64_t> separated_rows;

  bool converged() const { return termination == Termination::kConverged; }
  std::string BriefReport() const;
  std::string FullReport() const;  // the coefficient table printed on stdout
  // The stable JSON schema of `rebalance estimate --json`.
  std::string ToJson() const;
};

// Estimates on an in-memory table.
Result<EstimateResult> Estimate(const data::Table& table, const EstimateOptions& options);

// The same estimate, consuming `table` to lower peak memory: the outcome
// column is taken over (not copied) and every column is freed as soon as the
// estimation has read it for the last time (the identifier columns once the
// fixed effects are coded, the regressors' columns after the separation
// check, unless keep_fixed_effects needs them at the end). On return the
// table's columns may be empty: use it no more. Same results as the const
// overload.
Result<EstimateResult> Estimate(data::Table&& table, const EstimateOptions& options);

// Estimation split over `size` processes, each holding its own rows of the
// input in `table` (`rebalance estimate --distributed`: rank r reads part r
// of the file). No process sees all rows: sample selection is row-local,
// fixed-effect and cluster codes are made global (BuildGlobalFixedEffects),
// singletons and separation are decided on group sums combined by `reducer`,
// and IRLS, the within-transformation, the variance and the fixed-effect
// recovery sum over observations through it. Every process must pass
// tables with the same columns and column types. The estimates equal the
// single-process ones on all rows together up to the rounding of the
// summation order; nobs and dropped counts are global totals; sample_rows,
// separated_rows and fitted hold this process's share (rows numbered in the
// whole input: first_row + table row). An error on one process's rows is
// returned on every process. Multiway clustering is refused.
struct Distribution {
  int rank = 0;
  int size = 1;
  Reducer* reducer = nullptr;  // required when size > 1
  // Index, in the whole input, of this process's first table row (the sum of
  // the row counts of the processes before it): row numbers in messages and
  // in sample_rows are first_row + table row.
  int64_t first_row = 0;
};
Result<EstimateResult> Estimate(const data::Table& table, const EstimateOptions& options,
                                const Distribution& distribution);

}  // namespace rebalance::econ

#endif  // REBALANCE_ECON_PPML_H_
