// A small progress bar on stderr for long commands (silenced by --quiet).
#ifndef REBALANCE_APP_PROGRESS_H_
#define REBALANCE_APP_PROGRESS_H_

#include <unistd.h>

#include <cstdio>
#include <string>

namespace rebalance::app {

class ProgressBar {
 public:
  explicit ProgressBar(bool enabled) : enabled_(enabled), tty_(isatty(2) != 0) {}
  void Update(const std::string& stage, const std::string& item, int done, int total) {
    if (!enabled_ || total <= 0) return;
    const int width = 24;
    const int filled = done * width / total;
    std::string bar(static_cast<size_t>(filled), '#');
    bar.resize(static_cast<size_t>(width), '.');
    std::string label = item.size() > 40 ? item.substr(0, 37) + "..." : item;
    if (tty_) {
      std::fprintf(stderr, "\r%-9s [%s] %d/%d %-40s", stage.c_str(), bar.c_str(), done, total,
                   label.c_str());
      if (done == total) std::fprintf(stderr, "\n");
    } else if (done == total || done == 0) {
      std::fprintf(stderr, "%s [%s] %d/%d %s\n", stage.c_str(), bar.c_str(), done, total,
                   label.c_str());
    }
    std::fflush(stderr);
  }

 private:
  bool enabled_;
  bool tty_;
};

}  // namespace rebalance::app

#endif  // REBALANCE_APP_PROGRESS_H_
