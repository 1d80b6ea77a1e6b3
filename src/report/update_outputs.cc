// Update report (JSON) and back-cast report (Markdown); see update_outputs.h.
#include "rebalance/report/update_outputs.h"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

namespace rebalance::report {

namespace io = rebalance::io_tables;

std::string UpdateReportJson(const io::UpdateResult& r, const std::string& input,
                             const UpdateReportInfo& info) {
  const auto& g = r.gras;
  nlohmann::json js;
  js["input"] = input;
  js["targets"] = info.targets_file;
  js["unit"] = info.unit;
  js["termination"] = io::ToString(g.termination);
  js["message"] = g.message;
  js["iterations"] = g.iterations;
  js["seconds"] = g.seconds;
  js["max_relative_error_exact"] = g.max_relative_error;
  js["tolerance"] = info.tolerance;
  nlohmann::json cs = nlohmann::json::array();
  for (const auto& c : g.constraints) {
    cs.push_back({{"name", c.name},
                  {"group", c.group},
                  {"target", c.target},
                  {"achieved", c.achieved},
                  {"prior", c.prior},
                  {"relative_error", c.relative_error},
                  {"relative_se", c.relative_se},
                  {"multiplier", c.multiplier}});
  }
  js["constraints"] = cs;
  nlohmann::json conf = nlohmann::json::array();
  for (const auto& c : g.conflicts) {
    conf.push_back({{"kind", c.kind},
                    {"constraints", c.constraints},
                    {"lhs", c.lhs},
                    {"rhs", c.rhs},
                    {"message", c.message}});
  }
  js["conflicts"] = conf;
  nlohmann::json moved = nlohmann::json::array();
  for (const auto& m : g.moved) {
    moved.push_back({{"row", r.row_labels[m.row]},
                     {"column", r.col_labels[m.col]},
                     {"prior", m.prior},
                     {"updated", m.updated},
                     {"change", m.updated - m.prior}});
  }
  js["moved_most"] = moved;
  nlohmann::json hist = nlohmann::json::array();
  // At most about 200 entries: evenly spaced sweeps and the last one.
  const size_t every = std::max<size_t>(1, g.history.size() / 200);
  for (size_t i = 0; i < g.history.size(); ++i) {
    if (i % every != 0 && i + 1 != g.history.size()) continue;
    const auto& h = g.history[i];
    hist.push_back({{"iteration", h.iteration},
                    {"max_relative_residual", h.max_relative_residual},
                    {"worst", h.worst_constraint}});
  }
  js["history"] = hist;
  js["negative_output_rows"] = r.negative_output_rows;
  js["zero_output_rows"] = r.zero_output_rows;
  nlohmann::json zeroed = nlohmann::json::array();
  for (const auto& z : g.zeroed)
    zeroed.push_back({{"constraint", z.constraint}, {"cells", z.cells}, {"prior", z.prior}});
  js["zero_targets_cells_set_to_zero"] = zeroed;
  return js.dump(1) + "\n";
}

std::string BackcastMarkdown(const std::string& recipe, const std::vector<BackcastYear>& years,
                             int to, const io::IoTable& truth, const std::string& aggregation) {
  std::vector<int> from;
  for (const auto& y : years) from.push_back(y.from);
  std::string md = fmt::format(
      "Back-casting ({} targets): WIOD {} updated to {} totals ({}; {} countries x {} sectors), "
      "compared with the true {} table.\n"
      "Errors are weighted absolute percentage errors (sum |estimate - truth| / sum |truth|) "
      "unless stated; indicators over the {} country-sectors with >= 0.5 % of their sector's "
      "world output.\n\n",
      recipe, fmt::join(from, ", "), to,
      aggregation.empty() ? "no aggregation" : "aggregated by " + aggregation,
      truth.num_countries(), truth.num_sectors(), to, "material");
  md +=
      "| from | method | cells [Z F] | Z | F | bilateral VA balances | bilateral gross balances | "
      "self-sufficiency MAE | export share MAE | flags equal |\n";
  md += "|---|---|---|---|---|---|---|---|---|---|\n";
  std::string notes;
  for (const auto& [year, r] : years) {
    for (const auto& e : r.methods) {
      md += fmt::format(
          "| {} | {} | {:.1f} % | {:.1f} % | {:.1f} % | {:.1f} % | {:.1f} % | {:.3f} | {:.3f} | "
          "{:.0f} % of {} |\n",
          year, e.method, 100 * e.cell_wape, 100 * e.z_wape, 100 * e.f_wape,
          100 * e.va_balance_wape, 100 * e.gross_balance_wape, e.self_sufficiency_mae,
          e.export_share_mae, 100 * e.flag_agreement, e.material_rows);
    }
    notes += fmt::format(
        "- {} -> {}: {} targets (skipped {} whose cells are all zero in {}, total {:.0f} million "
        "USD); GRAS {} in {} sweeps, {:.2f} s; scaled = {} table x {:.4f} (world output ratio).\n",
        year, to, r.targets.targets.size(), r.targets.skipped_empty, year, r.targets.skipped_value,
        io::ToString(r.termination), r.iterations, r.gras_seconds, year, r.scale);
    if (!r.zeroed.empty()) {
      int64_t cells = 0;
      std::vector<std::string> names;
      for (const auto& z : r.zeroed) {
        cells += z.cells;
        names.push_back(z.constraint);
      }
      notes += fmt::format("  {} zero targets over cells of one sign: {} cells set to 0 ({}).\n",
                           r.zeroed.size(), cells, fmt::join(names, ", "));
    }
    if (!r.zero_output_rows.empty()) {
      notes += fmt::format(
          "  {} rows of the update sum to 0 within GRAS's tolerance, output taken as 0: {}.\n",
          r.zero_output_rows.size(), fmt::join(r.zero_output_rows, ", "));
    }
    if (!r.negative_output_rows.empty()) {
      notes += fmt::format("  {} rows of the update sum to a negative number: {}.\n",
                           r.negative_output_rows.size(), fmt::join(r.negative_output_rows, ", "));
    }
    for (const auto& c : r.conflicts)
      notes += fmt::format("  conflict ({}): {}\n", c.kind, c.message);
    for (const auto& e : r.methods) {
      if (e.zeroed_output_sectors || e.dropped_input_sectors) {
        notes += fmt::format(
            "  accounting of the {} table: {} outputs within 1e-9 of 0 taken as 0, inputs of {} "
            "zero-output sectors dropped.\n",
            e.method, e.zeroed_output_sectors, e.dropped_input_sectors);
      }
    }
    if (r.termination != io::GrasTermination::kConverged) {
      notes += fmt::format("  NOT CONVERGED: {}. Largest errors:", r.gras_message);
      for (const auto& w : r.worst)
        notes += fmt::format(" {} {:+.3g} %;", w.name, 100 * w.relative_error);
      notes += "\n";
    }
  }
  return md + "\n" + notes;
}

std::string BackcastCsv(const std::string& recipe, const std::vector<BackcastYear>& years, int to,
                        const io::IoTable& truth) {
  std::string csv =
      "recipe,countries,sectors,from_year,to_year,method,cell_wape,z_wape,f_wape,va_balance_wape,"
      "gross_balance_wape,self_sufficiency_mae,export_share_mae,flag_agreement,material_rows,"
      "gras_termination,gras_sweeps\n";
  for (const auto& [year, r] : years) {
    for (const auto& e : r.methods) {
      csv += fmt::format(
          "{},{},{},{},{},{},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g},"
          "{},{},{}\n",
          recipe, truth.num_countries(), truth.num_sectors(), year, to, e.method, e.cell_wape,
          e.z_wape, e.f_wape, e.va_balance_wape, e.gross_balance_wape, e.self_sufficiency_mae,
          e.export_share_mae, e.flag_agreement, e.material_rows, io::ToString(r.termination),
          r.iterations);
    }
  }
  return csv;
}

}  // namespace rebalance::report
