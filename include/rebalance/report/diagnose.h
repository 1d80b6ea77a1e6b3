// Diagnosis of one or more years of a multi-region input-output table, as the
// files `rebalance diagnose` writes and the Python module's rb.write_diagnose:
//   balances.csv            gross and value-added bilateral balances (Johnson &
//                           Noguera 2012 value added in final demand), every year
//   kww.csv                 Koopman, Wang & Wei (2014) nine terms of each
//                           country's gross exports, with DVA, FVA and double counting
//   tiva.csv                value added of each origin country x sector in each
//                           destination's final demand
//   overcapacity.csv, overcapacity_panel.csv   io_tables::OvercapacityCsv
//   validation.csv          the readers' checks and dropped zero-output inputs
//   wwz.csv                 (with `wwz`) Wang, Wei & Zhu (2013) 16 terms by
//                           exporter x importer x sector
//   diagnose.json           per year: sizes, world totals, validation, largest
//                           gross surpluses; overcapacity thresholds and top rows
// plus the terminal summary. Numbers are in the source table's unit (WIOD:
// millions of current USD); shares are fractions. The model is
// io_tables/accounting.h and overcapacity.h; this file only lays the numbers out.
#ifndef REBALANCE_REPORT_DIAGNOSE_H_
#define REBALANCE_REPORT_DIAGNOSE_H_

#include <functional>
#include <string>
#include <vector>

#include "rebalance/core/status.h"
#include "rebalance/io_tables/accounting.h"
#include "rebalance/io_tables/io_table.h"
#include "rebalance/io_tables/overcapacity.h"

namespace rebalance::report {

struct DiagnoseOptions {
  // Gross output basis and zero-output policy of the Leontief systems. The
  // default drops (and reports) the inputs of zero-output sectors, as WIOD
  // has some; io_tables' own default is to refuse them.
  io_tables::AccountingOptions accounting = [] {
    io_tables::AccountingOptions a;
    a.zero_output_policy = io_tables::ZeroOutputPolicy::kDropInputs;
    return a;
  }();
  // Ranking, grouping and flag thresholds of the overcapacity indicators.
  io_tables::OvercapacityOptions overcapacity;
  // Also compute the WWZ decomposition (wwz.csv; GN x GN inverse, large).
  bool wwz = false;
  // Rows of each list in the summary and in diagnose.json's largest surpluses;
  // diagnose.json keeps the overcapacity rows ranked up to max(top, 50).
  int top = 10;
  // Called with "YEAR: message" for each warning (zero-output inputs
  // dropped) as it is found; may be empty.
  std::function<void(const std::string&)> warning;
  // Polled before each year; when it returns true the call stops with a
  // kCancelled Status. May be empty.
  std::function<bool()> cancelled;
  Status Validate() const;
};

struct DiagnoseFile {
  std::string name;     // file name in the output folder, e.g. "balances.csv"
  std::string content;  // its bytes
};

struct DiagnoseOutputs {
  std::vector<DiagnoseFile> files;  // in DiagnoseFileNames' order
  std::string summary;              // the terminal summary, one line per item
};

// The files Diagnose returns, in order: balances.csv, kww.csv, tiva.csv,
// overcapacity.csv, overcapacity_panel.csv, validation.csv, diagnose.json and,
// with wwz, wwz.csv.
std::vector<std::string> DiagnoseFileNames(bool wwz);

// Diagnoses the tables (years of one table, oldest first; the overcapacity
// changes span the first to the last). Fails on invalid options, a singular
// Leontief system, or a cancellation.
Result<DiagnoseOutputs> Diagnose(const std::vector<io_tables::IoTable>& tables,
                                 const DiagnoseOptions& options);

// Writes the files into `dir` (created if missing), each atomically; fails
// before writing anything when one exists and `force` is false.
Status WriteDiagnoseFiles(const DiagnoseOutputs& outputs, const std::string& dir, bool force);

}  // namespace rebalance::report

#endif  // REBALANCE_REPORT_DIAGNOSE_H_
