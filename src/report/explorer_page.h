// The what-if explorer's part of report.html (internal to the report module):
// its CSS, the panel placed in each scenario section, and the scripts (the
// explorer's data, the WebAssembly module, the controls). html.cc calls these.
#ifndef REBALANCE_REPORT_EXPLORER_PAGE_H_
#define REBALANCE_REPORT_EXPLORER_PAGE_H_

#include <nlohmann/json.hpp>
#include <string>

namespace rebalance::report::internal {

const char* ExplorerCss();

// The panel of explorer scenario `index`. With `missing` non-empty the panel
// says the explorer is missing and why, and nothing else.
// `model` "tariff_war": a panel of explorer["tariff_war"]["scenarios"][index]
// (the one-sector model of the 2023 part).
void RenderExplorerPanel(int index, const std::string& missing, std::string* out,
                         const std::string& model = "multisector");

// The data block, the module (when `module_code` is non-empty) and the
// controls' script, to place at the end of <body>.
void RenderExplorerScripts(const nlohmann::json& data, const std::string& module_code,
                           std::string* out);

}  // namespace rebalance::report::internal

#endif  // REBALANCE_REPORT_EXPLORER_PAGE_H_
