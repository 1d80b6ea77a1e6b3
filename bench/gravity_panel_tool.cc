// gravity_panel: a synthetic structural-gravity panel generator, so that
// rebalance, R's fixest and Stata's ppmlhdfe can be timed on identical files.
//
// Data-generating process (issue 2, "Data generator"):
//   countries i, j = 1..C (all ordered pairs, domestic pairs i == j included,
//   so C = 200 and T = 25 give exactly 1,000,000 rows; with S = 10 sectors
//   10,000,000), years t = 1..T, optional sectors s = 1..S;
//   coordinates uniform on [0,100]^2, dist_ij = Euclidean distance + 1;
//   exporter-year effect  e_it = a_i + N(0, 0.2^2), a_i ~ N(0,1);
//   importer-year effect  m_jt = g_j + N(0, 0.2^2), g_j ~ N(0,1);
//   pair effect           p_ij = -(log dist_ij - mean log dist) + N(0, 0.5^2),
//                         the mean taken over all C^2 ordered pairs;
//   with sectors each effect gets an extra N(0, 0.3^2) per (i,s,t), (j,s,t)
//   and (i,j,s) respectively;
//   x1 = 0.3 a_i - 0.3 g_j + 0.2 p + N(0,1) (p the pair or pair-sector effect);
//   x2 = RTA dummy: for each unordered pair {i,j}, i != j, a switch-on year
//   uniform on 1..T (the same in both directions and all sectors); x2 = 1
//   from that year on; domestic pairs have x2 = 0;
//   y ~ Poisson(exp(0.5 - 0.8 x1 + 0.4 x2 + e + m + p)).
// So fepois(y ~ x1 + x2 | exp_year + imp_year + pair) estimates (-0.8, 0.4)
// on the sector-free panel.
//
// Determinism: every number comes from std::mt19937_64 (whose output the C++
// standard fixes) through distributions written here -- uniforms from the top
// 53 bits, Box-Muller normals, Poisson by sequential inversion for mean < 10
// and by Hormann's (1993) transformed rejection PTRS otherwise -- so a seed
// gives the same file with any standard library. Country-level draws come
// from one engine seeded with --seed; each ordered pair has its own engine
// seeded from (seed, pair), which makes a pair's rows independent of which
// other pairs are written (a --rows subsample holds exactly the rows of the
// full panel for its pairs, renumbered) and lets threads generate pairs in
// parallel while the output stays byte-identical for any thread count.
#include <fmt/format.h>
#include <zlib.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "rebalance/core/uncertainty.h"

namespace {

constexpr double kTwoPi = 6.283185307179586476925286766559;

using rebalance::core::SplitMix64;  // the one seed mixer (core/uncertainty.h)

class Rng {
 public:
  explicit Rng(uint64_t seed) : engine_(seed) {}

  // Uniform on [0, 1) with 53 random bits.
  double Uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  // Uniform on (0, 1].
  double UniformPositive() { return static_cast<double>((engine_() >> 11) + 1) * 0x1.0p-53; }

  // Standard normal by Box-Muller; the second variate of a pair is kept.
  double Normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double r = std::sqrt(-2.0 * std::log(UniformPositive()));
    const double theta = kTwoPi * Uniform();
    spare_ = r * std::sin(theta);
    has_spare_ = true;
    return r * std::cos(theta);
  }

  int64_t Poisson(double mu) {
    if (!(mu > 0)) return 0;
    if (mu < 10) {
      // Inversion by sequential search: P(0) = exp(-mu), P(k) = P(k-1) mu/k.
      const double u = Uniform();
      double p = std::exp(-mu), cdf = p;
      int64_t k = 0;
      while (u > cdf && k < 1000) {
        ++k;
        p *= mu / static_cast<double>(k);
        cdf += p;
      }
      return k;
    }
    // PTRS: W. Hormann (1993), "The transformed rejection method for
    // generating Poisson random variables", Insurance: Mathematics and
    // Economics 12, 39-45 (algorithm PTRS, valid for mu >= 10).
    const double smu = std::sqrt(mu);
    const double b = 0.931 + 2.53 * smu;
    const double a = -0.059 + 0.02483 * b;
    const double inv_alpha = 1.1239 + 1.1328 / (b - 3.4);
    const double v_r = 0.9277 - 3.6224 / (b - 2);
    const double log_mu = std::log(mu);
    while (true) {
      const double u = Uniform() - 0.5;
      const double v = Uniform();
      const double us = 0.5 - std::fabs(u);
      const double k = std::floor((2 * a / us + b) * u + mu + 0.43);
      if (us >= 0.07 && v <= v_r) return static_cast<int64_t>(k);
      if (k < 0 || (us < 0.013 && v > us)) continue;
      if (std::log(v) + std::log(inv_alpha) - std::log(a / (us * us) + b) <=
          -mu + k * log_mu - std::lgamma(k + 1)) {
        return static_cast<int64_t>(k);
      }
    }
  }

 private:
  std::mt19937_64 engine_;
  bool has_spare_ = false;
  double spare_ = 0;
};

struct Options {
  int countries = 200;
  int years = 25;
  int sectors = 0;   // 0: no sector dimension
  std::string rows;  // "" = all pairs; "1M", "500k", "123456"
  uint64_t seed = 20240601;
  std::string out;
  int threads = 0;
  int gzip_level = 1;
};

// "1M" -> 1000000, "500k" -> 500000, "2.5M" -> 2500000.
bool ParseCount(const std::string& s, int64_t* out) {
  if (s.empty()) return false;
  double mult = 1;
  std::string num = s;
  const char last = static_cast<char>(std::toupper(static_cast<unsigned char>(s.back())));
  if (last == 'K') mult = 1e3;
  if (last == 'M') mult = 1e6;
  if (last == 'G' || last == 'B') mult = 1e9;
  if (mult != 1) num.pop_back();
  double v = 0;
  auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), v);
  if (ec != std::errc() || p != num.data() + num.size() || !(v > 0)) return false;
  *out = static_cast<int64_t>(std::llround(v * mult));
  return *out > 0;
}

struct Country {
  double x = 0, y = 0, a = 0, g = 0;
};

class Writer {
 public:
  ~Writer() { (void)Close(); }
  bool Open(const std::string& path, int gzip_level) {
    const bool gz = path.size() > 3 && path.compare(path.size() - 3, 3, ".gz") == 0;
    if (gz) {
      gz_ = gzopen(path.c_str(), fmt::format("wb{}", gzip_level).c_str());
      if (gz_ != nullptr) gzbuffer(gz_, 1 << 20);
      return gz_ != nullptr;
    }
    file_ = path == "-" ? stdout : std::fopen(path.c_str(), "wb");
    return file_ != nullptr;
  }
  bool Write(const std::string& s) {
    if (s.empty()) return true;
    if (gz_ != nullptr) {
      size_t done = 0;
      while (done < s.size()) {
        const unsigned n = static_cast<unsigned>(std::min<size_t>(s.size() - done, 1u << 30));
        if (gzwrite(gz_, s.data() + done, n) != static_cast<int>(n)) return false;
        done += n;
      }
      return true;
    }
    return std::fwrite(s.data(), 1, s.size(), file_) == s.size();
  }
  bool Close() {
    bool ok = true;
    if (gz_ != nullptr) ok = gzclose(gz_) == Z_OK;
    if (file_ != nullptr && file_ != stdout) ok = std::fclose(file_) == 0 && ok;
    if (file_ == stdout) ok = std::fflush(stdout) == 0;
    gz_ = nullptr;
    file_ = nullptr;
    return ok;
  }

 private:
  gzFile gz_ = nullptr;
  std::FILE* file_ = nullptr;
};

void AppendInt(std::string* s, int64_t v) {
  char buf[24];
  auto [p, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  s->append(buf, p);
}
void AppendDouble(std::string* s, double v) {
  char buf[32];
  auto [p, ec] = std::to_chars(buf, buf + sizeof(buf), v);  // shortest round-trip
  s->append(buf, p);
}

int Run(const Options& opt) {
  const int64_t C = opt.countries, T = opt.years;
  const int64_t S = std::max(opt.sectors, 0);
  const int64_t Sx = std::max<int64_t>(S, 1);  // sector loop count
  const int64_t num_pairs = C * C;
  const int64_t rows_per_pair = T * Sx;

  // Which pairs: all, or a deterministic subset of whole pairs (the first k
  // of a seeded shuffle, written in pair order).
  std::vector<int64_t> pairs(static_cast<size_t>(num_pairs));
  for (int64_t p = 0; p < num_pairs; ++p) pairs[static_cast<size_t>(p)] = p;
  if (!opt.rows.empty()) {
    int64_t want = 0;
    if (!ParseCount(opt.rows, &want)) {
      fmt::print(stderr,
                 "gravity_panel: error: --rows '{}' is not a count (e.g. "
                 "1000000, 500k, 1M)\n",
                 opt.rows);
      return 2;
    }
    const int64_t k = want / rows_per_pair;
    if (k < 1 || k > num_pairs) {
      fmt::print(stderr,
                 "gravity_panel: error: --rows {} needs between {} and {} rows "
                 "({} per pair: years x sectors)\n",
                 want, rows_per_pair, num_pairs * rows_per_pair, rows_per_pair);
      return 2;
    }
    if (k * rows_per_pair != want) {
      fmt::print(stderr,
                 "gravity_panel: note: {} rows rounded down to {} whole pairs "
                 "= {} rows\n",
                 want, k, k * rows_per_pair);
    }
    Rng shuffle(SplitMix64(opt.seed ^ 0x5eedULL));
    // Fisher-Yates with our own uniform (std::shuffle is not specified).
    for (int64_t i = num_pairs - 1; i > 0; --i) {
      const auto j = static_cast<int64_t>(shuffle.Uniform() * static_cast<double>(i + 1));
      std::swap(pairs[static_cast<size_t>(i)], pairs[static_cast<size_t>(std::min(j, i))]);
    }
    pairs.resize(static_cast<size_t>(k));
    std::sort(pairs.begin(), pairs.end());
  }

  // Country-level draws, in a fixed order from one engine.
  Rng rng(opt.seed);
  std::vector<Country> country(static_cast<size_t>(C));
  for (auto& c : country) {
    c.x = 100 * rng.Uniform();
    c.y = 100 * rng.Uniform();
  }
  for (auto& c : country) c.a = rng.Normal();
  for (auto& c : country) c.g = rng.Normal();
  // e[i*T + t], m[j*T + t]; with sectors es[(i*S + s)*T + t] etc.
  std::vector<double> e(static_cast<size_t>(C * T)), m(static_cast<size_t>(C * T));
  for (int64_t i = 0; i < C; ++i) {
    for (int64_t t = 0; t < T; ++t)
      e[static_cast<size_t>(i * T + t)] = country[static_cast<size_t>(i)].a + 0.2 * rng.Normal();
  }
  for (int64_t j = 0; j < C; ++j) {
    for (int64_t t = 0; t < T; ++t)
      m[static_cast<size_t>(j * T + t)] = country[static_cast<size_t>(j)].g + 0.2 * rng.Normal();
  }
  std::vector<double> es, ms;
  if (S > 0) {
    es.resize(static_cast<size_t>(C * S * T));
    ms.resize(es.size());
    for (int64_t i = 0; i < C; ++i)
      for (int64_t s = 0; s < S; ++s)
        for (int64_t t = 0; t < T; ++t)
          es[static_cast<size_t>((i * S + s) * T + t)] =
              e[static_cast<size_t>(i * T + t)] + 0.3 * rng.Normal();
    for (int64_t j = 0; j < C; ++j)
      for (int64_t s = 0; s < S; ++s)
        for (int64_t t = 0; t < T; ++t)
          ms[static_cast<size_t>((j * S + s) * T + t)] =
              m[static_cast<size_t>(j * T + t)] + 0.3 * rng.Normal();
  }
  auto log_dist = [&](int64_t i, int64_t j) {
    const Country& ci = country[static_cast<size_t>(i)];
    const Country& cj = country[static_cast<size_t>(j)];
    return std::log(std::hypot(ci.x - cj.x, ci.y - cj.y) + 1.0);
  };
  double sum_log_dist = 0;
  for (int64_t i = 0; i < C; ++i)
    for (int64_t j = 0; j < C; ++j) sum_log_dist += log_dist(i, j);
  const double mean_log_dist = sum_log_dist / static_cast<double>(num_pairs);

  Writer out;
  if (!out.Open(opt.out, opt.gzip_level)) {
    fmt::print(stderr, "gravity_panel: error: cannot open '{}' for writing\n", opt.out);
    return 2;
  }
  std::string header = "y,x1,x2,exp_year,imp_year,pair";
  if (S > 0) header += ",exp_sec_year,imp_sec_year,pair_sec";
  header += '\n';
  if (!out.Write(header)) {
    fmt::print(stderr, "gravity_panel: error: writing '{}' failed\n", opt.out);
    return 2;
  }

  // Generates the rows of selected pairs [begin, end) into *text.
  auto generate = [&](size_t begin, size_t end, std::string* text) {
    text->clear();
    text->reserve((end - begin) * static_cast<size_t>(rows_per_pair) * 64);
    for (size_t idx = begin; idx < end; ++idx) {
      const int64_t p = pairs[idx];
      const int64_t i = p / C, j = p % C;
      const int64_t pair_id = static_cast<int64_t>(idx) + 1;  // dense over written pairs
      Rng prng(SplitMix64(opt.seed ^ SplitMix64(static_cast<uint64_t>(p) + 1)));
      const double pair_effect = -(log_dist(i, j) - mean_log_dist) + 0.5 * prng.Normal();
      int64_t rta_start = T + 1;  // never, for domestic pairs
      if (i != j) {
        const uint64_t lo = static_cast<uint64_t>(std::min(i, j)),
                       hi = static_cast<uint64_t>(std::max(i, j));
        const uint64_t h =
            SplitMix64(SplitMix64(opt.seed + 0x27aULL) ^ (lo * static_cast<uint64_t>(C) + hi));
        rta_start = 1 + static_cast<int64_t>(static_cast<double>(h >> 11) * 0x1.0p-53 *
                                             static_cast<double>(T));
      }
      const double a = country[static_cast<size_t>(i)].a, g = country[static_cast<size_t>(j)].g;
      for (int64_t s = 0; s < Sx; ++s) {
        const double pe = S > 0 ? pair_effect + 0.3 * prng.Normal() : pair_effect;
        for (int64_t t = 0; t < T; ++t) {
          const double ee = S > 0 ? es[static_cast<size_t>((i * S + s) * T + t)]
                                  : e[static_cast<size_t>(i * T + t)];
          const double me = S > 0 ? ms[static_cast<size_t>((j * S + s) * T + t)]
                                  : m[static_cast<size_t>(j * T + t)];
          const double x1 = 0.3 * a - 0.3 * g + 0.2 * pe + prng.Normal();
          const int x2 = (t + 1) >= rta_start ? 1 : 0;
          const int64_t y = prng.Poisson(std::exp(0.5 - 0.8 * x1 + 0.4 * x2 + ee + me + pe));
          AppendInt(text, y);
          text->push_back(',');
          AppendDouble(text, x1);
          text->push_back(',');
          text->push_back(x2 ? '1' : '0');
          text->push_back(',');
          AppendInt(text, i * T + t + 1);
          text->push_back(',');
          AppendInt(text, j * T + t + 1);
          text->push_back(',');
          AppendInt(text, pair_id);
          if (S > 0) {
            text->push_back(',');
            AppendInt(text, (i * S + s) * T + t + 1);
            text->push_back(',');
            AppendInt(text, (j * S + s) * T + t + 1);
            text->push_back(',');
            AppendInt(text, (pair_id - 1) * S + s + 1);
          }
          text->push_back('\n');
        }
      }
    }
  };

  const int threads =
      opt.threads > 0 ? opt.threads : std::max(1u, std::thread::hardware_concurrency());
  // Blocks of about 256k rows per thread keep memory small and threads busy.
  const size_t pairs_per_piece =
      std::max<size_t>(1, static_cast<size_t>((1 << 18) / rows_per_pair));
  std::vector<std::string> pieces(static_cast<size_t>(threads));
  int64_t written = 0;
  for (size_t start = 0; start < pairs.size();) {
    std::vector<std::thread> pool;
    std::vector<std::pair<size_t, size_t>> ranges;
    for (int th = 0; th < threads && start < pairs.size(); ++th) {
      const size_t end = std::min(pairs.size(), start + pairs_per_piece);
      ranges.emplace_back(start, end);
      start = end;
    }
    for (size_t r = 1; r < ranges.size(); ++r) {
      pool.emplace_back(generate, ranges[r].first, ranges[r].second, &pieces[r]);
    }
    generate(ranges[0].first, ranges[0].second, &pieces[0]);
    for (auto& th : pool) th.join();
    for (size_t r = 0; r < ranges.size(); ++r) {
      if (!out.Write(pieces[r])) {
        fmt::print(stderr, "gravity_panel: error: writing '{}' failed (disk full?)\n", opt.out);
        return 2;
      }
      written += static_cast<int64_t>(ranges[r].second - ranges[r].first) * rows_per_pair;
    }
  }
  if (!out.Close()) {
    fmt::print(stderr, "gravity_panel: error: closing '{}' failed (disk full?)\n", opt.out);
    return 2;
  }
  fmt::print(stderr, "gravity_panel: wrote {} rows ({} pairs x {} years{}) to {}\n", written,
             pairs.size(), T, S > 0 ? fmt::format(" x {} sectors", S) : "", opt.out);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  CLI::App app{
      "gravity_panel: synthetic structural-gravity panel (issue 2 'Data "
      "generator'); true coefficients "
      "x1 = -0.8, x2 = 0.4.\n\n"
      "Examples:\n"
      "  gravity_panel --out panel_1m.csv                       # 200 "
      "countries x 25 years = 1M rows\n"
      "  gravity_panel --sectors 10 --out panel_10m.csv.gz      # 10M rows, "
      "gzip\n"
      "  gravity_panel --sectors 10 --rows 1M --seed 7 --out sub.csv\n"
      "Then: rebalance estimate panel_1m.csv -f 'y ~ x1 + x2 | exp_year + "
      "imp_year + pair'\n"};
  app.add_option("--countries", opt.countries, "Number of countries C (all C^2 ordered pairs)")
      ->check(CLI::Range(2, 100000));
  app.add_option("--years", opt.years, "Number of years T")->check(CLI::Range(1, 10000));
  app.add_option("--sectors", opt.sectors, "Number of sectors S (0 = no sector dimension)")
      ->check(CLI::Range(0, 10000));
  app.add_option("--rows", opt.rows,
                 "Keep a deterministic subset of whole pairs with about this "
                 "many rows (e.g. 1M, 500k)");
  app.add_option("--seed", opt.seed, "Random seed");
  app.add_option("--out", opt.out, "Output file ('.gz' suffix => gzip; '-' = stdout)")->required();
  app.add_option("--threads", opt.threads,
                 "Generator threads (0 = all cores); output does not depend on it")
      ->check(CLI::Range(0, 1024));
  app.add_option("--gzip-level", opt.gzip_level, "gzip compression level for .gz output")
      ->check(CLI::Range(1, 9));
  CLI11_PARSE(app, argc, argv);
  return Run(opt);
}
