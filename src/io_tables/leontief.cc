// The Leontief system of a multi-region table: A = Z diag(x)^-1, V = v / x,
// and the LU factorisation of I - A (blocked, partial pivoting, a task graph
// over column blocks that keeps two shared cores busy: dense_lu.cc), stored
// as an Eigen PartialPivLU. A, I - A and its 1-norm come from one pass over
// Z, and I - A is factorised in place (two n x n matrices are held: A and the
// factors).
//
// Why LU and not the inverse: every quantity of trade in value added is a
// solve with a handful of right-hand sides (B Y has G columns, V B is a
// transposed solve with G columns), i.e. 2/3 n^3 + O(n^2 G) flops instead of
// the 2 n^3 of the inverse. The dense inverse is formed only when every block
// B^rt is needed (the WWZ decomposition); it is computed from the same LU.
//
// Columns without intermediate inputs: A column 0 and V_j = v_j / x_j = 1.
// With x_j = 0 (WIOD: c35 in many countries; LUX_c5 with +1 sales and -1
// inventories) V_j is 0/0 and is set to 1, the limit, so that V B = u (the
// value-added content of every unit of output is 1) still holds and the
// sector's recorded sales that net to zero keep a consistent value-added
// content; its GDP contribution v_j = V_j x_j = 0. With the row-sum basis,
// a negative x_j arises from negative inventories; it is accepted only for
// columns without inputs (counted), otherwise it is an error. x_j = 0 with
// positive use has no coefficients and is an error naming the sectors.
#include <algorithm>
#include <cmath>
#include <functional>

#include <fmt/format.h>

#include "dense_lu.h"
#include "parallel.h"
#include "rebalance/io_tables/accounting.h"

namespace rebalance::io_tables {

const char* ToString(OutputBasis b) { return b == OutputBasis::kRowSums ? "row_sums" : "reported"; }

const char* ToString(ZeroOutputPolicy p) {
  return p == ZeroOutputPolicy::kError ? "error" : "drop_inputs";
}

Result<ZeroOutputPolicy> ZeroOutputPolicyFromString(const std::string& s) {
  if (s == "error") return ZeroOutputPolicy::kError;
  if (s == "drop_inputs") return ZeroOutputPolicy::kDropInputs;
  return Status::InvalidArgument(
      fmt::format("unknown zero-output policy '{}' (error or drop_inputs)", s));
}

Result<OutputBasis> OutputBasisFromString(const std::string& s) {
  if (s == "row_sums") return OutputBasis::kRowSums;
  if (s == "reported") return OutputBasis::kReported;
  return Status::InvalidArgument(
      fmt::format("unknown output basis '{}' (row_sums or reported)", s));
}

Status AccountingOptions::Validate() const {
  if (!(min_rcond >= 0 && min_rcond < 1)) {
    return Status::InvalidArgument(fmt::format("min_rcond must be in [0, 1), got {}", min_rcond));
  }
  if (!(zero_output_tolerance >= 0 && zero_output_tolerance < 1)) {
    return Status::InvalidArgument(
        fmt::format("zero_output_tolerance must be in [0, 1), got {}", zero_output_tolerance));
  }
  return Status::Ok();
}

namespace {

// body(j) for every column j, in chunks of 64 columns over the team (the
// passes over n x n matrices are memory-bound; two cores still help).
void ForColumnChunks(int n, const std::function<void(int)>& body) {
  constexpr int kChunk = 64;
  const int64_t num_chunks = (n + kChunk - 1) / kChunk;
  internal::ParallelFor(num_chunks, n >= 512 ? internal::TeamSize() : 1, [&](int64_t c) {
    const int j1 = std::min<int>(n, static_cast<int>(c + 1) * kChunk);
    for (int j = static_cast<int>(c) * kChunk; j < j1; ++j) body(j);
  });
}

}  // namespace

Result<LeontiefSystem> BuildLeontief(const IoTable& table, const AccountingOptions& options) {
  RB_RETURN_IF_ERROR(options.Validate());
  const ValidationReport rep = table.Validate();
  if (rep.HasErrors()) {
    return Status::InvalidArgument(
        fmt::format("{}: invalid table:\n{}", table.source, rep.ToString()));
  }
  LeontiefSystem sys;
  sys.num_countries = table.num_countries();
  sys.num_sectors = table.num_sectors();
  sys.countries = table.countries;
  sys.sectors = table.sectors;
  const int n = table.size();
  // Zero output with positive intermediate use: error, or (kDropInputs) drop those input
  // cells and recompute row sums, repeated in case a supplier's row sum falls to zero too.
  const Eigen::MatrixXd* z = &table.z;
  Eigen::MatrixXd z_dropped;
  Eigen::VectorXd row_mass;  // sum of |Z| and |F| by row, for zero_output_tolerance
  if (options.zero_output_tolerance > 0) {
    row_mass = table.z.cwiseAbs().rowwise().sum() + table.f.cwiseAbs().rowwise().sum();
  }
  auto output_of = [&](const Eigen::MatrixXd& zz) -> Eigen::VectorXd {
    Eigen::VectorXd x = options.output_basis == OutputBasis::kReported
                            ? table.x
                            : Eigen::VectorXd(zz.rowwise().sum() + table.f.rowwise().sum());
    for (int i = 0; i < row_mass.size(); ++i) {
      if (x[i] != 0 && std::abs(x[i]) <= options.zero_output_tolerance * row_mass[i]) {
        const std::string label =
            fmt::format("{} ({:.3g} of {:.6g})", table.Label(i), x[i], row_mass[i]);
        if (std::find(sys.zeroed_output_sectors.begin(), sys.zeroed_output_sectors.end(), label) ==
            sys.zeroed_output_sectors.end()) {
          sys.zeroed_output_sectors.push_back(label);
        }
        x[i] = 0;
      }
    }
    return x;
  };
  sys.x = output_of(table.z);
  if (options.zero_output_policy == ZeroOutputPolicy::kDropInputs) {
    for (int pass = 0; pass < n; ++pass) {
      std::vector<int> cols;
      for (int j = 0; j < n; ++j) {
        if (sys.x[j] == 0 && z->col(j).cwiseAbs().sum() > 0) cols.push_back(j);
      }
      if (cols.empty()) break;
      if (z != &z_dropped) {
        z_dropped = table.z;
        z = &z_dropped;
      }
      for (int j : cols) {
        sys.dropped_input_cells += (z_dropped.col(j).array() != 0).count();
        sys.dropped_input_total += z_dropped.col(j).sum();
        z_dropped.col(j).setZero();
        sys.dropped_input_sectors.push_back(table.Label(j));
      }
      sys.x = output_of(z_dropped);
    }
  }
  // Column sums and whether a column has inputs, in one pass over Z.
  Eigen::VectorXd use(n);
  std::vector<uint8_t> with_inputs(n);
  ForColumnChunks(n, [&](int j) {
    use[j] = z->col(j).sum();
    with_inputs[j] = z->col(j).cwiseAbs().sum() > 0;
  });
  sys.v = sys.x - use;
  std::vector<std::string> bad_zero, bad_negative;
  Eigen::VectorXd inv_x(n);
  std::vector<int> no_input_zero_output;
  for (int j = 0; j < n; ++j) {
    const bool has_inputs = with_inputs[j];
    if (sys.x[j] < 0) {
      if (has_inputs) {
        bad_negative.push_back(fmt::format("{} ({:g})", table.Label(j), sys.x[j]));
      } else {
        ++sys.negative_output_sectors;
      }
      inv_x[j] = 1.0 / sys.x[j];
    } else if (sys.x[j] == 0) {
      if (has_inputs) {
        bad_zero.push_back(table.Label(j));
      } else {
        ++sys.zero_output_sectors;
        no_input_zero_output.push_back(j);
      }
      inv_x[j] = 0;
    } else {
      inv_x[j] = 1.0 / sys.x[j];
    }
  }
  auto list = [](const std::vector<std::string>& v) {
    std::string s;
    for (size_t i = 0; i < v.size() && i < 5; ++i) s += (i ? ", " : "") + v[i];
    return s;
  };
  if (!bad_negative.empty()) {
    return Status::FailedPrecondition(
        fmt::format("{}: {} sectors with intermediate inputs have negative output ({}): {}",
                    table.source, bad_negative.size(),
                    options.output_basis == OutputBasis::kRowSums ? "row sums" : "reported",
                    list(bad_negative)));
  }
  if (!bad_zero.empty()) {
    return Status::FailedPrecondition(fmt::format(
        "{}: {} sectors have zero output but positive intermediate use, so technical "
        "coefficients are undefined: {} (zero_output_policy drop_inputs would drop those "
        "input cells)",
        table.source, bad_zero.size(), list(bad_zero)));
  }
  // A = Z diag(x)^-1 and I - A (factorised in place) in one pass, with the 1-norm of I - A
  // for the condition estimate.
  sys.a.resize(n, n);
  Eigen::MatrixXd i_minus_a(n, n);
  Eigen::VectorXd col_norm(n);
  ForColumnChunks(n, [&](int j) {
    sys.a.col(j) = z->col(j) * inv_x[j];
    i_minus_a.col(j) = -sys.a.col(j);
    i_minus_a(j, j) += 1.0;
    col_norm[j] = i_minus_a.col(j).cwiseAbs().sum();
  });
  sys.va_coef = sys.v.cwiseProduct(inv_x);
  for (int j : no_input_zero_output) sys.va_coef[j] = 1.0;
  sys.y = table.FinalDemandByCountry();
  const double l1_norm = col_norm.maxCoeff();
  sys.lu = internal::FactorLu(std::move(i_minus_a), 0, l1_norm);
  sys.rcond = internal::RcondLu(sys.lu, l1_norm);
  if (!std::isfinite(sys.rcond) || sys.rcond < options.min_rcond) {
    return Status::NumericalError(fmt::format(
        "{}: I - A is numerically singular (reciprocal condition {:.3g} < {:.3g}); check for "
        "sectors whose intermediate use exceeds their output",
        table.source, sys.rcond, options.min_rcond));
  }
  return sys;
}

Eigen::MatrixXd LeontiefSystem::Solve(const Eigen::MatrixXd& rhs) const {
  return internal::SolveLu(lu, rhs, false);
}

Eigen::MatrixXd LeontiefSystem::SolveTransposed(const Eigen::MatrixXd& rhs) const {
  return internal::SolveLu(lu, rhs, true);
}

Eigen::MatrixXd LeontiefSystem::Inverse() const { return internal::InverseLu(lu); }

Eigen::MatrixXd LeontiefSystem::BilateralExports() const {
  const int g = num_countries, ns = num_sectors, n = size();
  // Intermediate sales of row i to country r: sum over r's columns of A x.
  Eigen::MatrixXd e = Eigen::MatrixXd::Zero(n, g);
  for (int r = 0; r < g; ++r) {
    e.col(r) = a.middleCols(r * ns, ns) * x.segment(r * ns, ns) + y.col(r);
  }
  for (int s = 0; s < g; ++s) e.block(s * ns, s, ns, 1).setZero();
  return e;
}

Eigen::VectorXd LeontiefSystem::GrossExports() const { return BilateralExports().rowwise().sum(); }

}  // namespace rebalance::io_tables
