// Caliendo & Parro (2015) tetrad regressions for sectoral trade elasticities;
// see elasticity.h for the specification and the file layout.
//
// Each sector is one call of econ::Estimate on the sector's rows with the
// formula "y ~ 0 + x [+ d1 + ...]" (no constant, as Stata's `nocons`),
// Gaussian family, heteroskedasticity-robust variance with Stata's small-
// sample factor N/(N-K) (HC1, what `regress ..., robust` reports). Dummies
// that are collinear in a sector (e.g. all zero) are dropped by the
// estimator and listed in the sector's notes, as Stata's "omitted".
#include "rebalance/scenario/elasticity.h"

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "rebalance/data/csv.h"
#include "rebalance/econ/ppml.h"

namespace rebalance::scenario {
namespace {

constexpr int kNumDummies = 16;

std::string DummyName(int d) { return fmt::format("d{}", d); }

}  // namespace

Status ElasticityOptions::Validate() const {
  if (threads < 0)
    return Status::InvalidArgument(fmt::format("threads must be >= 0, got {}", threads));
  return Status::Ok();
}

std::string ElasticityResult::BriefReport() const {
  std::string out =
      fmt::format("CP tetrad regressions ({}), {} sectors, {}:\n",
                  dummies ? "with country dummies" : "no dummies", sectors.size(), source);
  out += fmt::format("  {:>3}  {:<18} {:>10} {:>10} {:>6} {:>8}\n", "j", "sector", "theta", "se",
                     "N", "missing");
  for (const auto& s : sectors) {
    out += fmt::format("  {:>3}  {:<18} {:>10.4f} {:>10.4f} {:>6} {:>8}\n", s.sector, s.name,
                       s.theta, s.se, s.nobs, s.dropped_missing);
  }
  out += fmt::format("  {} rows dropped for missing values in total\n", total_dropped_missing);
  return out;
}

Result<data::Table> ReadCpElasticityData(const std::string& path) {
  RB_ASSIGN_OR_RETURN(std::string body, data::ReadFileToString(path));
  std::string header = "sector,y,x";
  for (int d = 1; d <= kNumDummies; ++d) header += "," + DummyName(d);
  header += "\n";
  data::CsvOptions opt;
  opt.types["sector"] = data::ColumnType::kI64;
  opt.types["y"] = data::ColumnType::kF64;
  opt.types["x"] = data::ColumnType::kF64;
  for (int d = 1; d <= kNumDummies; ++d) opt.types[DummyName(d)] = data::ColumnType::kF64;
  // The header occupies line 1 of the parsed text, so parser line numbers are
  // one more than the file's; the message says so.
  auto table = data::ParseCsv(header + body, path + " (header line prepended)", opt);
  if (!table.ok()) return table.status();
  RB_ASSIGN_OR_RETURN(const data::Column* sec, table->GetColumn("sector"));
  for (int64_t r = 0; r < table->num_rows(); ++r) {
    if (sec->IsMissing(r) || sec->AsDouble(r) < 1) {
      return Status::ParseError(fmt::format(
          "{}:{}:1: sector must be a positive integer, found '{}'", path, r + 1, sec->CellText(r)));
    }
  }
  table->source = path;
  return std::move(*table);
}

Result<std::string> CpElasticityFile(const std::string& dir, const std::string& sample) {
  std::string tag;
  if (sample == "100")
    tag = "100";
  else if (sample == "99")
    tag = "99";
  else if (sample == "97.5" || sample == "975")
    tag = "975";
  else
    return Status::InvalidArgument(fmt::format("sample must be 100, 99 or 97.5, got '{}'", sample))
        .WithOptions({"sample"});
  return dir + "/DATA_OUT_" + tag + ".csv.gz";
}

Result<ElasticityResult> EstimateCpElasticities(const data::Table& table,
                                                const ElasticityOptions& options) {
  RB_RETURN_IF_ERROR(options.Validate());
  const std::string source = table.source.empty() ? std::string("table") : table.source;
  RB_ASSIGN_OR_RETURN(const data::Column* sec, table.GetColumn("sector"));
  RB_RETURN_IF_ERROR(table.GetColumn("y").status());
  RB_RETURN_IF_ERROR(table.GetColumn("x").status());
  std::vector<const data::Column*> dummy_cols;
  if (options.dummies) {
    for (int d = 1; d <= kNumDummies; ++d) {
      RB_ASSIGN_OR_RETURN(const data::Column* c, table.GetColumn(DummyName(d)));
      dummy_cols.push_back(c);
    }
  }
  std::map<int64_t, std::vector<uint8_t>> masks;
  for (int64_t r = 0; r < table.num_rows(); ++r) {
    if (sec->IsMissing(r)) {
      return Status::InvalidArgument(fmt::format("{}: row {}: missing sector", source, r + 1));
    }
    auto& m = masks[static_cast<int64_t>(sec->AsDouble(r))];
    if (m.empty()) m.assign(static_cast<size_t>(table.num_rows()), 0);
    m[static_cast<size_t>(r)] = 1;
  }
  if (masks.empty()) return Status::InvalidArgument(fmt::format("{}: no rows", source));

  ElasticityResult out;
  out.dummies = options.dummies;
  out.source = source;
  for (const auto& [sector, mask] : masks) {
    const data::Table sub = table.Filter(mask);
    SectorElasticity se;
    se.sector = static_cast<int>(sector);
    se.name = sector >= 1 && static_cast<size_t>(sector) <= options.sector_names.size()
                  ? options.sector_names[static_cast<size_t>(sector - 1)]
                  : fmt::format("sector {}", sector);
    se.rows = sub.num_rows();
    std::string formula = "y ~ 0 + x";
    if (options.dummies) {
      for (int d = 1; d <= kNumDummies; ++d) {
        RB_ASSIGN_OR_RETURN(const data::Column* c, sub.GetColumn(DummyName(d)));
        if (c->CountMissing() == sub.num_rows()) {
          se.notes.push_back(
              fmt::format("{} absent in this sector (NaN in every row)", DummyName(d)));
          continue;
        }
        formula += " + " + DummyName(d);
      }
    }
    econ::EstimateOptions eo;
    eo.formula = formula;
    eo.family = econ::Family::kGaussian;
    eo.vcov = "hetero";
    eo.ssc = econ::SmallSample::kStata;
    eo.threads = options.threads;
    eo.keep_fitted = false;
    eo.keep_fixed_effects = false;
    auto est = econ::Estimate(sub, eo);
    if (!est.ok()) {
      return Status(est.status().code(), fmt::format("{}: sector {} ({}): {}", source, sector,
                                                     se.name, est.status().message()));
    }
    if (!est->converged()) {
      return Status::NotConverged(fmt::format("{}: sector {}: the estimator did not converge: {}",
                                              source, sector, est->message));
    }
    se.dropped_missing = est->dropped.missing;
    se.nobs = est->nobs;
    se.num_regressors = static_cast<int>(est->coefficients.size());
    for (const auto& c : est->collinear)
      se.notes.push_back(fmt::format("{} omitted (collinear)", c));
    if (est->coefficients.empty() || est->coefficients[0].name != "x") {
      return Status::FailedPrecondition(fmt::format(
          "{}: sector {}: x is collinear (all zero after dropping missing rows?)", source, sector));
    }
    if (se.nobs <= se.num_regressors) {
      return Status::FailedPrecondition(fmt::format(
          "{}: sector {} ({}): {} observations for {} regressors; the robust variance needs N > K",
          source, sector, se.name, se.nobs, se.num_regressors));
    }
    se.theta = -est->coefficients[0].estimate;
    se.se = est->coefficients[0].std_error;
    if (!std::isfinite(se.theta) || !std::isfinite(se.se)) {
      return Status::FailedPrecondition(
          fmt::format("{}: sector {}: non-finite estimate", source, sector));
    }
    out.total_dropped_missing += se.dropped_missing;
    out.sectors.push_back(std::move(se));
  }
  return out;
}

}  // namespace rebalance::scenario
