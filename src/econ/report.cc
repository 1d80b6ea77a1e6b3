// Enum names and the human-readable and JSON reports of
// an estimation. The JSON schema is the stable one of `rebalance estimate
// --json` (issue 2): coefficients[{name, estimate, std_error, z, p_value,
// ci_low, ci_high}], nobs, dropped{missing, singleton, separated, filtered,
// zero_weight}, loglik, deviance, iterations, converged, vcov_type, plus
// formula, family, termination, message, collinear, pseudo_r2 and
// vcov{names, matrix (row-major)} for drawing from N(beta, V). Non-finite
// numbers are written as null.
#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "rebalance/econ/ppml.h"

namespace rebalance::econ {

const char* ToString(Family f) {
  switch (f) {
    case Family::kPoisson:
      return "poisson";
    case Family::kGaussian:
      return "gaussian";
  }
  return "unknown";
}

Result<Family> FamilyFromString(const std::string& s) {
  if (s == "poisson" || s == "ppml") return Family::kPoisson;
  if (s == "gaussian" || s == "ols") return Family::kGaussian;
  return Status::InvalidArgument(
      fmt::format("unknown family '{}' (expected poisson or gaussian)", s));
}

const char* ToString(VcovType v) {
  switch (v) {
    case VcovType::kIid:
      return "iid";
    case VcovType::kHetero:
      return "hetero";
    case VcovType::kCluster:
      return "cluster";
  }
  return "unknown";
}

const char* ToString(SmallSample s) {
  switch (s) {
    case SmallSample::kStata:
      return "stata";
    case SmallSample::kFixest:
      return "fixest";
  }
  return "unknown";
}

Result<SmallSample> SmallSampleFromString(const std::string& s) {
  if (s == "stata") return SmallSample::kStata;
  if (s == "fixest") return SmallSample::kFixest;
  return Status::InvalidArgument(
      fmt::format("unknown small-sample convention '{}' (expected stata or fixest)", s));
}

const char* ToString(Termination t) {
  switch (t) {
    case Termination::kConverged:
      return "converged";
    case Termination::kMaxIterations:
      return "max_iterations";
    case Termination::kDiverged:
      return "diverged";
  }
  return "unknown";
}

std::string EstimateResult::BriefReport() const {
  return fmt::format(
      "{}: {} ({} iterations, deviance {:.10g}, N = {}, dropped {} missing / "
      "{} singleton / {} separated){}",
      ToString(family), ToString(termination), iterations, deviance, nobs, dropped.missing,
      dropped.singleton, dropped.separated, message.empty() ? "" : "; " + message);
}

std::string EstimateResult::FullReport() const {
  std::string out;
  // The variance type leads the table: a reader comparing with ppmlhdfe or
  // fixest output must see at once which standard errors these are.
  std::string se_kind = "standard errors " + vcov_type;
  if (vcov_type == "hetero") {
    se_kind += " (heteroskedasticity-robust)";
  } else if (vcov_type == "iid") {
    se_kind += " (not robust to heteroskedasticity)";
  } else if (vcov_type.rfind("cluster:", 0) == 0) {
    se_kind += " (clustered)";
  }
  out += fmt::format("{} estimation, {}: {}\n",
                     family == Family::kPoisson ? "PPML (Poisson)" : "OLS (Gaussian)", se_kind,
                     formula);
  size_t width = 12;
  for (const auto& c : coefficients) width = std::max(width, c.name.size());
  out += fmt::format("{:<{}} {:>12} {:>12} {:>9} {:>9} {:>12} {:>12}\n", "", width, "Estimate",
                     "Std. Error", "z", "P>|z|", "95% CI low", "95% CI high");
  for (const auto& c : coefficients) {
    out += fmt::format("{:<{}} {:>12.6f} {:>12.6f} {:>9.3f} {:>9.4f} {:>12.6f} {:>12.6f}\n", c.name,
                       width, c.estimate, c.std_error, c.z, c.p_value, c.ci_low, c.ci_high);
  }
  if (!collinear.empty()) {
    out += "Dropped as collinear with the fixed effects or other regressors:";
    for (const auto& c : collinear) out += " " + c;
    out += "\n";
  }
  out += fmt::format("Observations: {}\n", nobs);
  out += fmt::format(
      "Dropped: {} filtered, {} missing, {} singleton, {} separated, {} zero "
      "weight\n",
      dropped.filtered, dropped.missing, dropped.singleton, dropped.separated, dropped.zero_weight);
  if (family == Family::kPoisson) {
    out += fmt::format("Pseudo R2 (McFadden, vs intercept-only): {:.6f}\n", pseudo_r2);
  } else {
    out += fmt::format("R2: {:.6f}\n", r2);
  }
  out += fmt::format("Log-likelihood: {:.6f}\n", loglik);
  out += fmt::format("Deviance: {:.6f}\n", deviance);
  out += fmt::format("Iterations: {} (demeaning sweeps: {})\n", iterations, demean_iterations);
  out += fmt::format("Convergence: {}{}\n", ToString(termination),
                     message.empty() ? "" : " (" + message + ")");
  return out;
}

namespace {
nlohmann::json Num(double v) {
  return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
}
}  // namespace

std::string EstimateResult::ToJson() const {
  nlohmann::json j;
  j["formula"] = formula;
  j["family"] = ToString(family);
  auto& coefs = j["coefficients"] = nlohmann::json::array();
  std::vector<std::string> names;
  for (const auto& c : coefficients) {
    names.push_back(c.name);
    coefs.push_back({{"name", c.name},
                     {"estimate", Num(c.estimate)},
                     {"std_error", Num(c.std_error)},
                     {"z", Num(c.z)},
                     {"p_value", Num(c.p_value)},
                     {"ci_low", Num(c.ci_low)},
                     {"ci_high", Num(c.ci_high)}});
  }
  j["nobs"] = nobs;
  j["dropped"] = {{"missing", dropped.missing},
                  {"singleton", dropped.singleton},
                  {"separated", dropped.separated},
                  {"filtered", dropped.filtered},
                  {"zero_weight", dropped.zero_weight}};
  j["loglik"] = Num(loglik);
  j["deviance"] = Num(deviance);
  j["pseudo_r2"] = Num(pseudo_r2);
  j["iterations"] = iterations;
  j["converged"] = converged();
  j["termination"] = ToString(termination);
  j["message"] = message;
  j["vcov_type"] = vcov_type;
  j["collinear"] = collinear;
  auto matrix = nlohmann::json::array();
  for (Eigen::Index r = 0; r < vcov.rows(); ++r) {
    auto row = nlohmann::json::array();
    for (Eigen::Index c = 0; c < vcov.cols(); ++c) row.push_back(Num(vcov(r, c)));
    matrix.push_back(row);
  }
  j["vcov"] = {{"names", names}, {"matrix", matrix}};
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace rebalance::econ
