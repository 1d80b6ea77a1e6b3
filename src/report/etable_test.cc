#include "rebalance/report/etable.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace rebalance::report {
namespace {

econ::EstimateResult Fit(const std::string& formula, econ::Family family,
                         std::vector<econ::Coefficient> coefs, int64_t nobs) {
  econ::EstimateResult r;
  r.formula = formula;
  r.family = family;
  r.coefficients = std::move(coefs);
  r.nobs = nobs;
  r.vcov_type = "hetero";
  r.pseudo_r2 = 0.5;
  r.r2 = 0.25;
  r.loglik = -1234.5678;
  return r;
}

econ::Coefficient Coef(const std::string& name, double b, double se, double p) {
  econ::Coefficient c;
  c.name = name;
  c.estimate = b;
  c.std_error = se;
  c.p_value = p;
  return c;
}

TEST(Etable, TextTableLayout) {
  const auto a =
      Fit("y ~ x | f", econ::Family::kPoisson, {Coef("x", -0.81234, 0.0341, 0.009)}, 38325);
  auto b = Fit("y ~ x + z | f + g^h", econ::Family::kGaussian,
               {Coef("x", 1.5, 0.7, 0.04), Coef("z", 0.2, 0.15, 0.07), Coef("w", 3e-7, 1e-7, 0.2)},
               1000);
  b.vcov_type = "cluster:pair_id";
  auto t = Etable({&a, &b});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  // Widths are computed from the longest cell; check rows, not spacing.
  auto lines = [](const std::string& s) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start < s.size()) {
      const size_t nl = s.find('\n', start);
      std::string line = s.substr(start, nl - start);
      std::string squeezed;
      for (char c : line) {
        if (c == ' ' && (squeezed.empty() || squeezed.back() == ' ')) continue;
        squeezed += c;
      }
      while (!squeezed.empty() && squeezed.back() == ' ') squeezed.pop_back();
      out.push_back(squeezed);
      start = nl + 1;
    }
    return out;
  };
  const std::vector<std::string> got = lines(*t);
  const std::vector<std::string> expected = {
      "(1) (2)",
      "Dependent Var.: y y",
      "Estimator PPML OLS",
      got[3],  // rule
      "x -0.8123*** 1.5000**",
      "(0.0341) (0.7000)",
      "z 0.2000*",
      "(0.1500)",
      "w 3.00e-07",
      "(1.00e-07)",
      got[10],  // rule
      "Fixed effects:",
      "f Yes Yes",
      "g^h No Yes",
      got[14],
      "S.E. type Robust Clustered (pair_id)",
      "Observations 38,325 1,000",
      "Pseudo R2 0.5000",
      "R2 0.2500",
      "Log-likelihood -1234.57 -1234.57",
      got[20],
      "Standard errors in parentheses. Signif. codes: *** p < 0.01, ** p < 0.05, * p < 0.1",
  };
  EXPECT_EQ(got, expected) << *t;
  EXPECT_EQ(got[3].find_first_not_of('-'), std::string::npos);
}

TEST(Etable, FormatsHoldTheSameCells) {
  const auto a = Fit("trade ~ log(dist) | exporter", econ::Family::kPoisson,
                     {Coef("log(dist)", -0.5, 0.1, 0.2), Coef("rta_x", 0.25, 0.05, 0.001)}, 10);
  EtableOptions o;
  o.format = EtableFormat::kCsv;
  o.model_names = {"base"};
  auto csv = Etable({&a}, o);
  ASSERT_TRUE(csv.ok());
  EXPECT_EQ(*csv,
            ",base\nDependent Var.:,trade\nEstimator,PPML\nlog(dist),-0.5000\n,(0.1000)\n"
            "rta_x,0.2500***\n,(0.0500)\nFixed effects:,\nexporter,Yes\nS.E. type,Robust\n"
            "Observations,10\nPseudo R2,0.5000\nLog-likelihood,-1234.57\n");
  o.format = EtableFormat::kLatex;
  auto tex = Etable({&a}, o);
  ASSERT_TRUE(tex.ok());
  EXPECT_NE(tex->find("\\begin{tabular}{lc}"), std::string::npos);
  EXPECT_NE(tex->find("rta\\_x & 0.2500$^{***}$ \\\\"), std::string::npos) << *tex;
  o.format = EtableFormat::kMarkdown;
  auto md = Etable({&a}, o);
  ASSERT_TRUE(md.ok());
  EXPECT_EQ(md->substr(0, md->find('\n', md->find('\n') + 1)), "|  | base |\n|---|---:|");
  EXPECT_NE(md->find("| rta\\_x | 0.2500\\*\\*\\* |"), std::string::npos) << *md;
}

TEST(Etable, StarsAtTheDocumentedThresholds) {
  const auto a = Fit("y ~ a + b + c + d", econ::Family::kGaussian,
                     {Coef("a", 1, 1, 0.0099), Coef("b", 1, 1, 0.01), Coef("c", 1, 1, 0.0999),
                      Coef("d", 1, 1, 0.1)},
                     5);
  EtableOptions o;
  o.format = EtableFormat::kCsv;
  auto csv = Etable({&a}, o);
  ASSERT_TRUE(csv.ok());
  EXPECT_NE(csv->find("a,1.0000***\n"), std::string::npos);
  EXPECT_NE(csv->find("b,1.0000**\n"), std::string::npos);
  EXPECT_NE(csv->find("c,1.0000*\n"), std::string::npos);
  EXPECT_NE(csv->find("d,1.0000\n"), std::string::npos);
}

TEST(Etable, Errors) {
  EXPECT_FALSE(Etable({}).ok());
  auto a = Fit("y ~ x", econ::Family::kPoisson, {Coef("x", 1, 1, 0.5)}, 3);
  a.termination = econ::Termination::kMaxIterations;
  EXPECT_NE(Etable({&a}).status().message().find("did not converge"), std::string::npos);
  a.termination = econ::Termination::kConverged;
  EtableOptions o;
  o.model_names = {"a", "b"};
  EXPECT_FALSE(Etable({&a}, o).ok());
  EXPECT_EQ(*EtableFormatFromPath("out/t.tex"), EtableFormat::kLatex);
  EXPECT_EQ(*EtableFormatFromPath("t.md"), EtableFormat::kMarkdown);
  EXPECT_FALSE(EtableFormatFromPath("t.pdf").ok());
  EXPECT_FALSE(EtableFormatFromPath("dir.v2/table").ok());
  EXPECT_EQ(*EtableFormatFromString("tex"), EtableFormat::kLatex);
  EXPECT_FALSE(EtableFormatFromString("html").ok());
}

}  // namespace
}  // namespace rebalance::report
