#include "rebalance/ge/solver.h"

#include <gtest/gtest.h>

#include <cmath>

namespace rebalance::ge {
namespace {

// F(x) = [x0^2 + x1^2 - 4, exp(x0) + x1 - 1]: two roots; from (1, -1.5) Newton
// must reach the one with x0 > 0 (x0 ~ 1.0042, x1 ~ -1.7296).
void Circle(const Eigen::VectorXd& x, Eigen::VectorXd* f) {
  f->resize(2);
  (*f)[0] = x[0] * x[0] + x[1] * x[1] - 4.0;
  (*f)[1] = std::exp(x[0]) + x[1] - 1.0;
}

TEST(SolverTest, NewtonFiniteDifferenceAndAnalyticAgree) {
  SolverOptions opt;
  Eigen::VectorXd x(2);
  x << 1.0, -1.5;
  auto r = SolveNewton(Circle, &x, opt);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->converged()) << r->BriefReport();
  Eigen::VectorXd f;
  Circle(x, &f);
  EXPECT_LT(ResidualNorm(f), 1e-11);
  EXPECT_GT(x[0], 0.0);

  Eigen::VectorXd y(2);
  y << 1.0, -1.5;
  auto jac = [](const Eigen::VectorXd& v, Eigen::MatrixXd* j) {
    j->resize(2, 2);
    (*j) << 2 * v[0], 2 * v[1], std::exp(v[0]), 1.0;
  };
  auto r2 = SolveNewton(Circle, &y, opt, jac);
  ASSERT_TRUE(r2.ok());
  EXPECT_TRUE(r2->converged());
  EXPECT_NEAR(x[0], y[0], 1e-10);
  EXPECT_NEAR(x[1], y[1], 1e-10);
  // The analytic Jacobian needs no extra evaluations per iteration.
  EXPECT_LT(r2->function_evaluations, r->function_evaluations);

  Eigen::MatrixXd fd, an;
  Eigen::VectorXd fx;
  Circle(y, &fx);
  FiniteDifferenceJacobian(Circle, y, fx, 1e-7, &fd);
  jac(y, &an);
  EXPECT_LT((fd - an).cwiseAbs().maxCoeff(), 1e-5);
}

TEST(SolverTest, NewtonReportsStallWithoutRoot) {
  // x^2 + 1 = 0 has no real root: the merit function has a minimum at 0
  // with residual 1; the solver must say it did not converge.
  auto f = [](const Eigen::VectorXd& x, Eigen::VectorXd* out) {
    out->resize(1);
    (*out)[0] = x[0] * x[0] + 1.0;
  };
  Eigen::VectorXd x(1);
  x << 3.0;
  SolverOptions opt;
  opt.max_iterations = 100;
  auto r = SolveNewton(f, &x, opt);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->converged());
  EXPECT_GE(r->residual_norm, 1.0 - 1e-9);
}

TEST(SolverTest, NewtonMaxIterations) {
  SolverOptions opt;
  opt.max_iterations = 1;
  Eigen::VectorXd x(2);
  x << 1.0, -1.5;
  auto r = SolveNewton(Circle, &x, opt);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->termination, SolverTermination::kMaxIterations);
  EXPECT_EQ(r->iterations, 1);
}

TEST(SolverTest, NewtonNonFiniteStartIsDivergence) {
  auto f = [](const Eigen::VectorXd& x, Eigen::VectorXd* out) {
    out->resize(1);
    (*out)[0] = std::log(x[0]);
  };
  Eigen::VectorXd x(1);
  x << -1.0;
  auto r = SolveNewton(f, &x, SolverOptions{});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->termination, SolverTermination::kDiverged);
}

TEST(SolverTest, NewtonBacktracksOutOfDomain) {
  // F(x) = log(x) - 2 from x = 0.1: the full Newton step stays positive
  // here, but from x = 30 it would leave the domain; backtracking keeps
  // every accepted iterate finite.
  auto f = [](const Eigen::VectorXd& x, Eigen::VectorXd* out) {
    out->resize(1);
    (*out)[0] = std::log(x[0]) - 2.0;
  };
  Eigen::VectorXd x(1);
  x << 30.0;
  auto r = SolveNewton(f, &x, SolverOptions{});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->converged()) << r->BriefReport();
  EXPECT_NEAR(x[0], std::exp(2.0), 1e-9);
}

TEST(SolverTest, AndersonAcceleratesLinearContraction) {
  // x = M x + b with spectral radius 0.99: plain iteration needs thousands
  // of steps; Anderson(m) solves an n-dimensional linear map in ~n+1.
  const int n = 5;
  Eigen::MatrixXd m = Eigen::MatrixXd::Zero(n, n);
  for (int i = 0; i < n; ++i) m(i, i) = 0.99 - 0.1 * i;
  m(0, 1) = 0.05;
  Eigen::VectorXd b = Eigen::VectorXd::LinSpaced(n, 1.0, 2.0);
  auto g = [&](const Eigen::VectorXd& x, Eigen::VectorXd* out) { *out = m * x + b; };
  const Eigen::VectorXd exact = (Eigen::MatrixXd::Identity(n, n) - m).partialPivLu().solve(b);
  SolverOptions opt;
  opt.anderson_memory = 6;
  Eigen::VectorXd x = Eigen::VectorXd::Zero(n);
  auto r = SolveFixedPoint(g, &x, opt);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->converged()) << r->BriefReport();
  EXPECT_LT(r->iterations, 20);
  EXPECT_LT((x - exact).cwiseAbs().maxCoeff(), 1e-8);

  opt.anderson_memory = 0;  // plain iteration hits the limit
  opt.max_iterations = 50;
  x.setZero();
  auto r0 = SolveFixedPoint(g, &x, opt);
  ASSERT_TRUE(r0.ok());
  EXPECT_EQ(r0->termination, SolverTermination::kMaxIterations);
}

TEST(SolverTest, AndersonNonlinearAndDivergence) {
  auto g = [](const Eigen::VectorXd& x, Eigen::VectorXd* out) { *out = x.array().cos().matrix(); };
  Eigen::VectorXd x = Eigen::VectorXd::Constant(3, 0.2);
  auto r = SolveFixedPoint(g, &x, SolverOptions{});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->converged());
  EXPECT_NEAR(x[0], 0.7390851332151607, 1e-10);

  // x -> 2x + 1 is expanding: must end as diverged or max iterations, never
  // as converged.
  auto bad = [](const Eigen::VectorXd& v, Eigen::VectorXd* out) {
    *out = (2.0 * v.array() + 1.0).exp().matrix();
  };
  Eigen::VectorXd y = Eigen::VectorXd::Constant(2, 1.0);
  SolverOptions opt;
  opt.max_iterations = 50;
  auto rb = SolveFixedPoint(bad, &y, opt);
  ASSERT_TRUE(rb.ok());
  EXPECT_FALSE(rb->converged());
}

TEST(SolverTest, OptionsAndEnums) {
  SolverOptions opt;
  EXPECT_TRUE(opt.Validate().ok());
  opt.tolerance = 0.0;
  EXPECT_FALSE(opt.Validate().ok());
  opt = SolverOptions{};
  opt.damping = 1.5;
  EXPECT_FALSE(opt.Validate().ok());
  opt = SolverOptions{};
  opt.max_iterations = 0;
  Eigen::VectorXd x(2);
  x << 1.0, -1.5;
  EXPECT_FALSE(SolveNewton(Circle, &x, opt).ok());
  for (auto t : {SolverTermination::kConverged, SolverTermination::kMaxIterations,
                 SolverTermination::kDiverged}) {
    auto back = SolverTerminationFromString(ToString(t));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, t);
  }
  EXPECT_FALSE(SolverTerminationFromString("done").ok());
}

}  // namespace
}  // namespace rebalance::ge
