// `--set` covariate changes; see covariate_change.h.
#include "rebalance/scenario/covariate_change.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace rebalance::scenario {
namespace {

std::string Trim(std::string s) {
  const auto b = s.find_first_not_of(" \t");
  const auto e = s.find_last_not_of(" \t");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

}  // namespace

Result<ge::CovariateChange> ParseCovariateChange(const std::string& text) {
  ge::CovariateChange change;
  const auto eq = text.find('=');
  if (eq == std::string::npos) {
    return Status::InvalidArgument(
        fmt::format("covariate change '{}' must look like NAME=VALUE or "
                    "NAME=VALUE:A-B,C>D",
                    text));
  }
  change.covariate = Trim(text.substr(0, eq));
  if (change.covariate.empty()) {
    return Status::InvalidArgument(
        fmt::format("covariate change '{}' has no covariate name", text));
  }
  std::string rest = text.substr(eq + 1);
  std::string pairs;
  const auto colon = rest.find(':');
  if (colon != std::string::npos) {
    pairs = rest.substr(colon + 1);
    rest = rest.substr(0, colon);
  }
  rest = Trim(rest);
  char* end = nullptr;
  change.value = std::strtod(rest.c_str(), &end);
  if (rest.empty() || end == nullptr || *end != '\0' || !std::isfinite(change.value)) {
    return Status::InvalidArgument(
        fmt::format("covariate change '{}': value '{}' is not a number", text, rest));
  }
  if (colon != std::string::npos) {
    size_t pos = 0;
    while (pos <= pairs.size()) {
      const size_t comma = std::min(pairs.find(',', pos), pairs.size());
      const std::string item = Trim(pairs.substr(pos, comma - pos));
      pos = comma + 1;
      if (item.empty()) {
        return Status::InvalidArgument(
            fmt::format("covariate change '{}': empty pair in the pair list", text));
      }
      const auto gt = item.find('>');
      const auto dash = item.find('-');
      if (gt != std::string::npos) {
        change.pairs.emplace_back(Trim(item.substr(0, gt)), Trim(item.substr(gt + 1)));
      } else if (dash != std::string::npos) {
        const std::string a = Trim(item.substr(0, dash));
        const std::string b = Trim(item.substr(dash + 1));
        change.pairs.emplace_back(a, b);
        if (a != b) change.pairs.emplace_back(b, a);
      } else {
        return Status::InvalidArgument(
            fmt::format("covariate change '{}': pair '{}' must be A-B (both directions) "
                        "or A>B (exporter A, importer B)",
                        text, item));
      }
      if (change.pairs.back().first.empty() || change.pairs.back().second.empty()) {
        return Status::InvalidArgument(
            fmt::format("covariate change '{}': pair '{}' lacks a country", text, item));
      }
      if (comma == pairs.size()) break;
    }
  }
  return change;
}

}  // namespace rebalance::scenario
