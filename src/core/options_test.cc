// The options registry: messages generated from the records, text forms,
// binding to struct fields (nested ones too), and the rendering of option
// names by a front door.
#include "rebalance/core/options.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

// Records are written with designated initializers, naming only the fields
// they set; GCC's -Wextra would list every field left at its default.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace rebalance::core {
namespace {

struct Inner {
  double tolerance = 1e-8;
};
struct Demo {
  Inner inner;
  int threads = 0;
  bool flag = true;
  std::string mode = "fast";
  std::string label;
};

OptionTable<Demo> DemoTable() {
  OptionTable<Demo> t("demo", "A table for tests.");
  t.Double(OptionRecord{.name = "tolerance",
                        .doc = "d",
                        .default_value = 1e-8,
                        .lower = OptionBound{0, false},
                        .upper = OptionBound{1, false},
                        .flag = "--tol"},
           [](Demo& o) -> double& { return o.inner.tolerance; });
  t.Int(OptionRecord{.name = "threads",
                     .doc = "d",
                     .default_value = int64_t{0},
                     .lower = OptionBound{0, true},
                     .bound_note = "0 = all cores"},
        [](Demo& o) -> int& { return o.threads; });
  t.Bool(OptionRecord{.name = "flag", .doc = "d", .default_value = true},
         [](Demo& o) -> bool& { return o.flag; });
  t.Enum(
      OptionRecord{.name = "mode",
                   .doc = "d",
                   .default_value = std::string("fast"),
                   .allowed = {"fast", "slow"},
                   .synonyms = {{"quick", "fast"}}},
      [](const Demo& o) { return o.mode; }, [](Demo& o, const std::string& v) { o.mode = v; });
  t.String(OptionRecord{.name = "label", .doc = "d", .default_value = std::string()},
           [](Demo& o) -> std::string& { return o.label; });
  return t;
}

TEST(OptionsTest, MessagesComeFromTheRecord) {
  const auto t = DemoTable();
  Demo d;
  Status s = t.Set(&d, "tolerance", 2.0);
  EXPECT_EQ(s.message(), "tolerance: must be in (0, 1), got 2");
  // The same words under a front door's spelling.
  EXPECT_EQ(t.Find("tolerance")->Check(2.0, "--tol").message(), "--tol: must be in (0, 1), got 2");
  EXPECT_EQ(t.Set(&d, "tolerance", 0.0).message(), "tolerance: must be in (0, 1), got 0");
  EXPECT_EQ(t.Set(&d, "threads", int64_t{-1}).message(),
            "threads: must be >= 0 (0 = all cores), got -1");
  EXPECT_EQ(t.Set(&d, "threads", int64_t{1} << 40).message(),
            "threads: must be >= 0 (0 = all cores), got 1099511627776");
  EXPECT_EQ(t.Set(&d, "threads", 1.5).message(), "threads: expected a whole number, got '1.5'");
  EXPECT_EQ(t.Set(&d, "flag", int64_t{1}).message(), "flag: expected true or false, got '1'");
  EXPECT_EQ(t.Set(&d, "mode", std::string("medium")).message(),
            "mode: must be one of fast, slow, got 'medium'");
  EXPECT_EQ(t.Set(&d, "tolerance", std::nan("")).message(),
            "tolerance: expected a finite number, got nan");
  // Nothing was stored by the refused calls.
  EXPECT_EQ(d.inner.tolerance, 1e-8);
  EXPECT_EQ(d.threads, 0);
  EXPECT_EQ(d.mode, "fast");
}

TEST(OptionsTest, SetGetAndValidateBindFields) {
  const auto t = DemoTable();
  Demo d;
  ASSERT_TRUE(t.Set(&d, "tolerance", int64_t{0}).code() == StatusCode::kInvalidArgument);
  ASSERT_TRUE(t.Set(&d, "tolerance", 0.25).ok());
  EXPECT_EQ(d.inner.tolerance, 0.25);           // a nested field
  ASSERT_TRUE(t.Set(&d, "threads", 3.0).ok());  // a whole double is an int
  EXPECT_EQ(d.threads, 3);
  ASSERT_TRUE(t.Set(&d, "mode", std::string("quick")).ok());  // synonym
  EXPECT_EQ(d.mode, "fast");
  ASSERT_TRUE(t.SetText(&d, "flag", "false").ok());
  EXPECT_FALSE(d.flag);
  EXPECT_EQ(std::get<double>(*t.Get(d, "tolerance")), 0.25);
  EXPECT_TRUE(t.Validate(d).ok());
  d.threads = -2;
  EXPECT_EQ(t.Validate(d).message(), "threads: must be >= 0 (0 = all cores), got -2");
  // Defaults of the records equal the struct's.
  const Demo fresh;
  for (const auto& r : t.records()) EXPECT_EQ(*t.Get(fresh, r.name), r.default_value) << r.name;
}

TEST(OptionsTest, TextFormsAndUnknownNames) {
  const auto t = DemoTable();
  const OptionRecord& tol = *t.Find("tolerance");
  EXPECT_EQ(tol.CliFlag(), "--tol");
  EXPECT_EQ(t.Find("threads")->CliFlag(), "--threads");
  EXPECT_EQ(tol.RangeText(), "(0, 1)");
  EXPECT_EQ(t.Find("threads")->RangeText(), ">= 0 (0 = all cores)");
  EXPECT_EQ(t.Find("mode")->RangeText(), "fast, slow (quick = fast)");
  EXPECT_EQ(t.Find("label")->DefaultText(), "(none)");
  EXPECT_EQ(tol.Parse("abc", "--tol").status().message(),
            "--tol: expected a finite number, got 'abc'");
  EXPECT_EQ(tol.Parse("inf").status().message(), "tolerance: expected a finite number, got 'inf'");
  EXPECT_EQ(t.Find("threads")->Parse("2x").status().message(),
            "threads: expected a whole number, got '2x'");
  EXPECT_EQ(std::get<double>(*tol.Parse("1e-6")), 1e-6);
  auto unknown = t.Lookup("treads");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
  EXPECT_NE(unknown.status().message().find("did you mean 'threads'?"), std::string::npos);
  const std::string md = t.Markdown();
  EXPECT_NE(md.find("| `tolerance` | `--tol` | double | `1e-08` | (0, 1) | d |"), std::string::npos)
      << md;
}

TEST(OptionsTest, FrontDoorsRenderOptionNames) {
  const Status s = Status::InvalidArgument(
                       "grid 'grid=1': expected FROM:TO:STEP; give either draws or grid, "
                       "not grids")
                       .WithOptions({"grid", "draws"});
  const auto flag = [](const std::string& n) { return "--" + n; };
  // Quoted user text and longer words are left alone.
  EXPECT_EQ(RenderOptionNames(s, flag),
            "--grid 'grid=1': expected FROM:TO:STEP; give either --draws or --grid, not grids");
  // The options survive WithContext.
  EXPECT_EQ(RenderOptionNames(s.WithContext("sweep"), flag).rfind("sweep: --grid 'grid=1'", 0), 0u);
  const Status f =
      Status::FailedPrecondition("output 'force.csv' already exists; pass force to overwrite it")
          .WithOptions({"force"});
  EXPECT_EQ(RenderOptionNames(f, flag),
            "output 'force.csv' already exists; pass --force to overwrite it");
  // An apostrophe inside a word opens no quote.
  const Status m =
      Status::InvalidArgument("the model's threads must be >= 0").WithOptions({"threads"});
  EXPECT_EQ(RenderOptionNames(m, flag), "the model's --threads must be >= 0");
}

}  // namespace
}  // namespace rebalance::core
