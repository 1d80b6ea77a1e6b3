// The registries of the GE models' options: defaults are the structs', the
// Validate functions speak through them, and both models share the solver's
// records (one options shape).
#include <gtest/gtest.h>

#include <string>

#include "rebalance/ge/gravity.h"
#include "rebalance/ge/multisector.h"
#include "rebalance/ge/solver.h"

namespace rebalance::ge {
namespace {

template <class T>
void ExpectDefaults(const core::OptionTable<T>& table) {
  const T fresh;
  for (const auto& r : table.records()) {
    EXPECT_EQ(*table.Get(fresh, r.name), r.default_value) << table.group() << "." << r.name;
  }
}

TEST(GeOptionsTest, RecordsMatchTheStructs) {
  ExpectDefaults(SolverOptionTable());
  ExpectDefaults(GravityOptionTable());
  ExpectDefaults(MultisectorOptionTable());
  // The models' solver options are the solver's records, bound to `solver`.
  for (const char* name : {"tolerance", "max_iterations"}) {
    EXPECT_EQ(GravityOptionTable().Find(name)->doc, SolverOptionTable().Find(name)->doc);
    EXPECT_EQ(MultisectorOptionTable().Find(name)->doc, SolverOptionTable().Find(name)->doc);
  }
  EXPECT_EQ(GravityOptionTable().Find("full_method")->CliFlag(), "--method");
}

TEST(GeOptionsTest, ValidateNamesTheOption) {
  MultisectorOptions m;
  EXPECT_TRUE(m.Validate().ok());
  ASSERT_TRUE(MultisectorOptionTable().Set(&m, "tolerance", 1e-9).ok());
  EXPECT_EQ(m.solver.tolerance, 1e-9);
  m.solver.tolerance = -1;
  EXPECT_EQ(m.Validate().message(), "tolerance: must be > 0, got -1");
  m.solver.tolerance = 1e-9;
  m.threads = -1;
  EXPECT_EQ(m.Validate().message(), "threads: must be >= 0 (0 = all cores), got -1");

  GravityOptions g;
  g.reference = "DEU";
  EXPECT_TRUE(g.Validate().ok());
  g.sigma = 0.5;
  EXPECT_EQ(g.Validate().message(), "sigma: must be > 1, got 0.5");
  g.sigma = 5;
  g.solver.max_iterations = 0;
  EXPECT_EQ(g.Validate().message(), "max_iterations: must be >= 1, got 0");

  SolverOptions s;
  s.damping = 1.5;
  EXPECT_EQ(s.Validate().message(), "damping: must be in (0, 1], got 1.5");
}

}  // namespace
}  // namespace rebalance::ge
