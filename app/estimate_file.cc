// Reader of the estimate JSON (see estimate_file.h).
#include "estimate_file.h"

#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "rebalance/data/csv.h"

namespace rebalance::app {

Result<EstimateFile> ParseEstimate(std::string_view text, const std::string& path) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    return Status::ParseError(fmt::format("{}: not valid JSON: {}", path, e.what()));
  }
  if (!j.is_object()) {
    return Status::ParseError(fmt::format("{}: expected a JSON object at the top level", path));
  }
  if (j.contains("converged") && j["converged"].is_boolean() && !j["converged"].get<bool>()) {
    return Status::FailedPrecondition(
        fmt::format("{}: the estimate did not converge; refusing to use it", path));
  }
  if (!j.contains("coefficients") || !j["coefficients"].is_array()) {
    return Status::ParseError(fmt::format("{}: missing array \"coefficients\"", path));
  }
  EstimateFile est;
  std::vector<double> b;
  size_t index = 0;
  for (const auto& c : j["coefficients"]) {
    ++index;
    if (!c.is_object() || !c.contains("name") || !c["name"].is_string() ||
        !c.contains("estimate") || !c["estimate"].is_number()) {
      return Status::ParseError(
          fmt::format("{}: coefficients[{}]: every coefficient needs a string "
                      "\"name\" and a numeric \"estimate\"",
                      path, index));
    }
    const double value = c["estimate"].get<double>();
    // JSON has no NaN, but 1e999 parses to infinity.
    if (!std::isfinite(value)) {
      return Status::ParseError(
          fmt::format("{}: coefficients[{}].estimate is not finite", path, index));
    }
    est.names.push_back(c["name"].get<std::string>());
    b.push_back(value);
  }
  est.beta = Eigen::Map<Eigen::VectorXd>(b.data(), static_cast<Eigen::Index>(b.size()));
  const size_t k = b.size();
  if (j.contains("vcov") && j["vcov"].is_object() && j["vcov"].contains("matrix")) {
    const auto& m = j["vcov"]["matrix"];
    if (!m.is_array() || m.size() != k) {
      return Status::ParseError(fmt::format("{}: vcov.matrix must be {}x{}", path, k, k));
    }
    est.vcov.resize(static_cast<Eigen::Index>(k), static_cast<Eigen::Index>(k));
    for (size_t r = 0; r < k; ++r) {
      if (!m[r].is_array() || m[r].size() != k) {
        return Status::ParseError(
            fmt::format("{}: vcov.matrix row {} must have {} numbers", path, r + 1, k));
      }
      for (size_t c = 0; c < k; ++c) {
        if (!m[r][c].is_number() || !std::isfinite(m[r][c].get<double>())) {
          return Status::ParseError(
              fmt::format("{}: vcov.matrix[{}][{}] is not a finite number", path, r, c));
        }
        est.vcov(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c)) =
            m[r][c].get<double>();
      }
    }
  }
  const nlohmann::json* type = nullptr;
  if (j.contains("vcov_type")) {
    type = &j["vcov_type"];
  } else if (j.contains("vcov") && j["vcov"].is_object() && j["vcov"].contains("type")) {
    type = &j["vcov"]["type"];
  }
  if (type != nullptr) {
    if (!type->is_string()) {
      return Status::ParseError(fmt::format("{}: vcov_type must be a string", path));
    }
    est.vcov_type = type->get<std::string>();
    if (est.vcov_type == "robust" || est.vcov_type == "hc1") {
      est.vcov_type = "hetero";
    }
  }
  return est;
}

Result<EstimateFile> ReadEstimate(const std::string& path) {
  RB_ASSIGN_OR_RETURN(std::string text, data::ReadFileToString(path));
  return ParseEstimate(text, path);
}

}  // namespace rebalance::app
