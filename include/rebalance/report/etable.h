// Several estimates side by side in one table, as fixest's etable() and
// Stata's esttab lay them out (one column per model): coefficients with
// significance stars and their standard errors in parentheses below,
// then the fixed effects of each model (Yes / No), the standard-error type,
// observations and fit statistics. One implementation for the CLI
// (`rebalance estimate -f ... -f ... [--etable FILE]`) and Python
// (`rb.etable([fit1, fit2], type=...)`).
//
// Stars: *** p < 0.01, ** p < 0.05, * p < 0.10 (etable's defaults), from
// the two-sided normal p-values of the estimates (z statistics).
#ifndef REBALANCE_REPORT_ETABLE_H_
#define REBALANCE_REPORT_ETABLE_H_

#include <string>
#include <vector>

#include "rebalance/core/status.h"
#include "rebalance/econ/ppml.h"

namespace rebalance::report {

enum class EtableFormat { kText, kCsv, kLatex, kMarkdown };
const char* ToString(EtableFormat f);
// "text" (or "txt"), "csv", "latex" (or "tex"), "markdown" (or "md").
Result<EtableFormat> EtableFormatFromString(const std::string& s);
// From a file name's extension: .txt, .csv, .tex, .md; anything else is
// kInvalidArgument naming the extensions.
Result<EtableFormat> EtableFormatFromPath(const std::string& path);

struct EtableOptions {
  EtableFormat format = EtableFormat::kText;
  // Column headers; empty: "(1)", "(2)", ...
  std::vector<std::string> model_names;
  // Decimal places of estimates and standard errors.
  int digits = 4;
};

// The table of `fits` (at least one; every fit converged). Errors: no fits,
// a fit that did not converge, model_names of the wrong length, digits
// outside [0, 12].
Result<std::string> Etable(const std::vector<const econ::EstimateResult*>& fits,
                           const EtableOptions& options = {});

}  // namespace rebalance::report

#endif  // REBALANCE_REPORT_ETABLE_H_
