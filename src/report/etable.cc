// Side-by-side estimation tables (etable.h): the cells are built once as a
// grid of text, then rendered as aligned text, CSV, a LaTeX tabular or a
// Markdown pipe table, so the four formats always hold the same numbers.
#include "rebalance/report/etable.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "rebalance/data/formula.h"

namespace rebalance::report {
namespace {

// One row of the grid. kRule rows are section breaks (a line in text and
// LaTeX, nothing in CSV and Markdown).
struct Row {
  enum class Kind { kHeader, kBody, kRule };
  Kind kind = Kind::kBody;
  std::string label;
  std::vector<std::string> cells;
};

std::string Number(double v, int digits) {
  if (!std::isfinite(v)) return "NA";
  // A value that would print as 0.0000 is shown in scientific notation.
  if (v != 0 && std::fabs(v) < 0.5 * std::pow(10.0, -digits)) return fmt::format("{:.2e}", v);
  return fmt::format("{:.{}f}", v, digits);
}

std::string Stars(double p) { return p < 0.01 ? "***" : p < 0.05 ? "**" : p < 0.10 ? "*" : ""; }

std::string Thousands(int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

std::string SeType(const std::string& vcov) {
  if (vcov == "hetero") return "Robust";
  if (vcov == "iid") return "IID";
  if (vcov.rfind("cluster:", 0) == 0) return "Clustered (" + vcov.substr(8) + ")";
  return vcov;
}

constexpr const char* kFootnote =
    "Standard errors in parentheses. Signif. codes: *** p < 0.01, ** p < 0.05, * p < 0.1";

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string LatexEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '_':
      case '&':
      case '%':
      case '#':
      case '$':
      case '{':
      case '}':
        out += '\\';
        out += c;
        break;
      case '^':
        out += "\\^{}";
        break;
      case '~':
        out += "\\textasciitilde{}";
        break;
      case '\\':
        out += "\\textbackslash{}";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// Stars as a superscript in LaTeX: "-0.8322***" -> "-0.8322$^{***}$".
std::string LatexCell(const std::string& cell) {
  const size_t star = cell.find('*');
  if (star == std::string::npos) return LatexEscape(cell);
  return LatexEscape(cell.substr(0, star)) + "$^{" + cell.substr(star) + "}$";
}

std::string Markdown(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|' || c == '*' || c == '_') out += '\\';
    out += c;
  }
  return out;
}

std::string RenderText(const std::vector<Row>& rows, size_t k) {
  size_t label_w = 0;
  std::vector<size_t> w(k, 0);
  for (const auto& r : rows) {
    label_w = std::max(label_w, r.label.size());
    for (size_t j = 0; j < r.cells.size(); ++j) w[j] = std::max(w[j], r.cells[j].size());
  }
  size_t total = label_w;
  for (size_t j = 0; j < k; ++j) total += 2 + w[j];
  std::string out;
  for (const auto& r : rows) {
    if (r.kind == Row::Kind::kRule) {
      out += std::string(total, '-') + "\n";
      if (r.label.empty()) continue;
    }
    std::string line = fmt::format("{:<{}}", r.label, label_w);
    for (size_t j = 0; j < k; ++j) {
      line += "  " + fmt::format("{:>{}}", j < r.cells.size() ? r.cells[j] : "", w[j]);
    }
    line.erase(line.find_last_not_of(' ') + 1);
    out += line + "\n";
  }
  out += std::string(total, '-') + "\n" + kFootnote + "\n";
  return out;
}

std::string RenderCsv(const std::vector<Row>& rows, size_t k) {
  std::string out;
  for (const auto& r : rows) {
    if (r.kind == Row::Kind::kRule && r.label.empty()) continue;
    out += CsvField(r.label);
    for (size_t j = 0; j < k; ++j) out += "," + CsvField(j < r.cells.size() ? r.cells[j] : "");
    out += "\n";
  }
  return out;
}

std::string RenderLatex(const std::vector<Row>& rows, size_t k) {
  std::string out = "\\begin{tabular}{l" + std::string(k, 'c') + "}\n\\hline\n";
  for (const auto& r : rows) {
    if (r.kind == Row::Kind::kRule) out += "\\hline\n";
    if (r.kind == Row::Kind::kRule && r.label.empty()) continue;
    out += LatexEscape(r.label);
    for (size_t j = 0; j < k; ++j) out += " & " + LatexCell(j < r.cells.size() ? r.cells[j] : "");
    out += " \\\\\n";
  }
  out += fmt::format("\\hline\n\\multicolumn{{{}}}{{l}}{{\\footnotesize {}}} \\\\\n", k + 1,
                     LatexEscape(kFootnote));
  out += "\\end{tabular}\n";
  return out;
}

std::string RenderMarkdown(const std::vector<Row>& rows, size_t k) {
  std::string out;
  bool header_done = false;
  for (const auto& r : rows) {
    if (r.kind == Row::Kind::kRule && r.label.empty()) continue;
    std::string line = "| " + Markdown(r.label) + " |";
    for (size_t j = 0; j < k; ++j)
      line += " " + Markdown(j < r.cells.size() ? r.cells[j] : "") + " |";
    out += line + "\n";
    if (!header_done) {
      out += "|---|" + [&] {
        std::string s;
        for (size_t j = 0; j < k; ++j) s += "---:|";
        return s;
      }() + "\n";
      header_done = true;
    }
  }
  out += "\n" + Markdown(kFootnote) + "\n";
  return out;
}

}  // namespace

const char* ToString(EtableFormat f) {
  switch (f) {
    case EtableFormat::kText:
      return "text";
    case EtableFormat::kCsv:
      return "csv";
    case EtableFormat::kLatex:
      return "latex";
    case EtableFormat::kMarkdown:
      return "markdown";
  }
  return "?";
}

Result<EtableFormat> EtableFormatFromString(const std::string& s) {
  if (s == "text" || s == "txt") return EtableFormat::kText;
  if (s == "csv") return EtableFormat::kCsv;
  if (s == "latex" || s == "tex") return EtableFormat::kLatex;
  if (s == "markdown" || s == "md") return EtableFormat::kMarkdown;
  return Status::InvalidArgument(
      fmt::format("table format '{}': expected text, csv, latex or markdown", s));
}

Result<EtableFormat> EtableFormatFromPath(const std::string& path) {
  const size_t dot = path.rfind('.');
  const size_t slash = path.find_last_of("/\\");
  const std::string ext = dot == std::string::npos || (slash != std::string::npos && dot < slash)
                              ? ""
                              : path.substr(dot + 1);
  if (ext == "txt") return EtableFormat::kText;
  if (ext == "csv") return EtableFormat::kCsv;
  if (ext == "tex") return EtableFormat::kLatex;
  if (ext == "md") return EtableFormat::kMarkdown;
  return Status::InvalidArgument(fmt::format(
      "'{}': the table format is taken from the extension: .txt, .csv, .tex or .md", path));
}

Result<std::string> Etable(const std::vector<const econ::EstimateResult*>& fits,
                           const EtableOptions& options) {
  if (fits.empty()) return Status::InvalidArgument("etable: no estimates given");
  if (options.digits < 0 || options.digits > 12) {
    return Status::InvalidArgument(
        fmt::format("etable: digits must be in [0, 12], got {}", options.digits));
  }
  const size_t k = fits.size();
  if (!options.model_names.empty() && options.model_names.size() != k) {
    return Status::InvalidArgument(
        fmt::format("etable: {} model names for {} estimates", options.model_names.size(), k));
  }
  std::vector<data::Formula> formulas;
  for (size_t m = 0; m < k; ++m) {
    if (fits[m] == nullptr || !fits[m]->converged()) {
      return Status::InvalidArgument(
          fmt::format("etable: estimate {} did not converge; it has no results to show", m + 1));
    }
    auto f = data::ParseFormula(fits[m]->formula);
    if (!f.ok()) return f.status().WithContext(fmt::format("etable: estimate {}", m + 1));
    formulas.push_back(std::move(*f));
  }
  std::vector<Row> rows;
  Row header{Row::Kind::kHeader, "", {}};
  for (size_t m = 0; m < k; ++m) {
    header.cells.push_back(options.model_names.empty() ? fmt::format("({})", m + 1)
                                                       : options.model_names[m]);
  }
  rows.push_back(header);
  Row dep{Row::Kind::kBody, "Dependent Var.:", {}}, est{Row::Kind::kBody, "Estimator", {}};
  for (size_t m = 0; m < k; ++m) {
    dep.cells.push_back(formulas[m].lhs);
    est.cells.push_back(fits[m]->family == econ::Family::kPoisson ? "PPML" : "OLS");
  }
  rows.push_back(dep);
  rows.push_back(est);
  rows.push_back({Row::Kind::kRule, "", {}});

  // Coefficients: the union of names, in order of first appearance.
  std::vector<std::string> names;
  for (const auto* f : fits) {
    for (const auto& c : f->coefficients) {
      if (std::find(names.begin(), names.end(), c.name) == names.end()) names.push_back(c.name);
    }
  }
  for (const auto& name : names) {
    Row coef{Row::Kind::kBody, name, {}}, se{Row::Kind::kBody, "", {}};
    for (const auto* f : fits) {
      auto it = std::find_if(f->coefficients.begin(), f->coefficients.end(),
                             [&](const econ::Coefficient& c) { return c.name == name; });
      if (it == f->coefficients.end()) {
        coef.cells.emplace_back();
        se.cells.emplace_back();
      } else {
        coef.cells.push_back(Number(it->estimate, options.digits) + Stars(it->p_value));
        se.cells.push_back("(" + Number(it->std_error, options.digits) + ")");
      }
    }
    rows.push_back(coef);
    rows.push_back(se);
  }

  // Fixed effects: the union of dimensions (a^b and b^a are one).
  std::vector<std::string> fe_names;
  std::vector<std::vector<std::string>> fe_keys;
  for (const auto& f : formulas) {
    for (const auto& fe : f.fixed_effects) {
      std::vector<std::string> key = fe.columns;
      std::sort(key.begin(), key.end());
      if (std::find(fe_keys.begin(), fe_keys.end(), key) == fe_keys.end()) {
        fe_keys.push_back(key);
        fe_names.push_back(fe.text);
      }
    }
  }
  if (!fe_names.empty()) {
    rows.push_back({Row::Kind::kRule, "Fixed effects:", std::vector<std::string>(k)});
    for (size_t q = 0; q < fe_names.size(); ++q) {
      Row r{Row::Kind::kBody, fe_names[q], {}};
      for (const auto& f : formulas) {
        bool has = false;
        for (const auto& fe : f.fixed_effects) {
          std::vector<std::string> key = fe.columns;
          std::sort(key.begin(), key.end());
          has = has || key == fe_keys[q];
        }
        r.cells.push_back(has ? "Yes" : "No");
      }
      rows.push_back(r);
    }
  }
  rows.push_back({Row::Kind::kRule, "", {}});
  Row se_type{Row::Kind::kBody, "S.E. type", {}}, nobs{Row::Kind::kBody, "Observations", {}};
  Row pr2{Row::Kind::kBody, "Pseudo R2", {}}, r2{Row::Kind::kBody, "R2", {}};
  Row ll{Row::Kind::kBody, "Log-likelihood", {}};
  bool any_poisson = false, any_gaussian = false;
  for (const auto* f : fits) {
    const bool poisson = f->family == econ::Family::kPoisson;
    any_poisson = any_poisson || poisson;
    any_gaussian = any_gaussian || !poisson;
    se_type.cells.push_back(SeType(f->vcov_type));
    nobs.cells.push_back(Thousands(f->nobs));
    pr2.cells.push_back(poisson ? Number(f->pseudo_r2, options.digits) : "");
    r2.cells.push_back(poisson ? "" : Number(f->r2, options.digits));
    ll.cells.push_back(fmt::format("{:.2f}", f->loglik));
  }
  rows.push_back(se_type);
  rows.push_back(nobs);
  if (any_poisson) rows.push_back(pr2);
  if (any_gaussian) rows.push_back(r2);
  rows.push_back(ll);

  switch (options.format) {
    case EtableFormat::kText:
      return RenderText(rows, k);
    case EtableFormat::kCsv:
      return RenderCsv(rows, k);
    case EtableFormat::kLatex:
      return RenderLatex(rows, k);
    case EtableFormat::kMarkdown:
      return RenderMarkdown(rows, k);
  }
  return Status::Internal("etable: unknown format");
}

}  // namespace rebalance::report
