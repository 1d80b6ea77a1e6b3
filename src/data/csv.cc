// CSV reader: see include/rebalance/data/csv.h for the algorithm and limits.
#include "rebalance/data/csv.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <limits>
#include <memory>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <utility>

#include <fmt/format.h>

#include "rebalance/core/atomic_file.h"
#include "rebalance/core/huge_pages.h"
#include "rebalance/core/text.h"
#include "rebalance/data/file_read.h"

namespace rebalance::data {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool IsGzipPath(const std::string& path) {
  return path.size() > 3 && path.compare(path.size() - 3, 3, ".gz") == 0;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

enum class TokenKind { kMissing, kInt, kFloat, kText };

struct Token {
  TokenKind kind;
  int64_t i = 0;
  double d = 0;
};

class MissingSet {
 public:
  explicit MissingSet(const std::vector<std::string>& tokens) : tokens_(tokens) {}
  bool Contains(std::string_view s) const {
    if (s.empty()) return true;
    for (const auto& t : tokens_)
      if (s == t) return true;
    return false;
  }

 private:
  const std::vector<std::string>& tokens_;
};

Token Classify(std::string_view s, const MissingSet& missing) {
  if (missing.Contains(s)) return {TokenKind::kMissing};
  std::string_view num = s;
  if (!num.empty() && num.front() == '+') num.remove_prefix(1);
  const char* b = num.data();
  const char* e = num.data() + num.size();
  Token t{TokenKind::kText};
  if (num.empty()) return t;
  {
    int64_t v = 0;
    auto [p, ec] = std::from_chars(b, e, v);
    if (ec == std::errc() && p == e) {
      t.kind = TokenKind::kInt;
      t.i = v;
      t.d = static_cast<double>(v);
      return t;
    }
  }
  double d = 0;
  auto [p, ec] = std::from_chars(b, e, d);
  if (ec == std::errc() && p == e) {
    t.kind = TokenKind::kFloat;
    t.d = d;
    return t;
  }
  if (ec == std::errc::result_out_of_range && p == e) {
    // Out of the range of double: from_chars leaves `d` unchanged (it read
    // "1e999" as 0); strtod gives what the text means, +-inf on overflow and
    // 0 (or a subnormal) on underflow.
    t.kind = TokenKind::kFloat;
    t.d = std::strtod(std::string(num).c_str(), nullptr);
    return t;
  }
  return t;
}

// Splits one line into fields; handles quotes. Returns false on a malformed
// quoted field (message in *error).
bool SplitLine(std::string_view line, char delim, std::vector<std::string_view>* fields,
               std::string* scratch, std::vector<std::string>* unquoted, std::string* error) {
  fields->clear();
  size_t pos = 0;
  size_t uq = 0;
  while (true) {
    // skip leading spaces before a quote
    size_t start = pos;
    while (start < line.size() && line[start] == ' ') ++start;
    if (start < line.size() && line[start] == '"') {
      scratch->clear();
      size_t i = start + 1;
      bool closed = false;
      while (i < line.size()) {
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            scratch->push_back('"');
            i += 2;
            continue;
          }
          closed = true;
          ++i;
          break;
        }
        scratch->push_back(line[i]);
        ++i;
      }
      if (!closed) {
        *error = "unterminated quoted field (quoted fields may not span lines)";
        return false;
      }
      while (i < line.size() && (line[i] == ' ' || line[i] == '\r')) ++i;
      if (i < line.size() && line[i] != delim) {
        *error = "unexpected text after a closing quote";
        return false;
      }
      if (uq >= unquoted->size()) unquoted->emplace_back();
      (*unquoted)[uq] = *scratch;
      fields->push_back((*unquoted)[uq]);
      ++uq;
      if (i >= line.size()) break;
      pos = i + 1;
      continue;
    }
    const void* hit = std::memchr(line.data() + pos, delim, line.size() - pos);
    if (hit == nullptr) {
      fields->push_back(Trim(line.substr(pos)));
      break;
    }
    const size_t end = static_cast<size_t>(static_cast<const char*>(hit) - line.data());
    fields->push_back(Trim(line.substr(pos, end - pos)));
    pos = end + 1;
  }
  // Fix string_views into `unquoted` that may have been invalidated by growth.
  return true;
}

struct ChunkError {
  size_t offset = std::numeric_limits<size_t>::max();
  std::string column;
  std::string message;
  bool has = false;
};

int64_t LineNumberAt(std::string_view text, size_t offset) {
  return 1 + static_cast<int64_t>(
                 std::count(text.begin(), text.begin() + static_cast<long>(offset), '\n'));
}

// A cell quoted in a message: at most 40 bytes, unprintable bytes escaped.
std::string Abbrev(std::string_view s) {
  if (s.size() <= 40) return core::PrintableText(s);
  return core::PrintableText(s.substr(0, 37)) + "...";
}

// MissingSet::Contains, answering "no" without comparing when no token has
// the cell's length.
class FastMissing {
 public:
  explicit FastMissing(const std::vector<std::string>& tokens) : set_(tokens), tokens_(tokens) {
    for (const auto& t : tokens) {
      if (!t.empty()) first_[static_cast<unsigned char>(t[0])] = true;
      if (t.size() < 64)
        lengths_ |= uint64_t{1} << t.size();
      else
        any_long_ = true;
    }
  }
  bool Contains(std::string_view s) const {
    if (s.empty()) return true;
    if (!first_[static_cast<unsigned char>(s[0])]) return false;
    if (s.size() < 64 ? ((lengths_ >> s.size()) & 1) == 0 : !any_long_) return false;
    for (const auto& t : tokens_)
      if (s == t) return true;
    return false;
  }
  const MissingSet& set() const { return set_; }

 private:
  MissingSet set_;
  const std::vector<std::string>& tokens_;
  uint64_t lengths_ = 0;
  bool any_long_ = false;
  std::array<bool, 256> first_{};
};

// Classify's answer, computed without its extra parses for the usual cells:
// an integer of at most 18 digits is read by a digit loop (exact, as
// from_chars into int64), any other cell that from_chars reads whole as a
// double is that double (Classify's integer parse fails on it first), and
// everything else goes to Classify itself.
inline Token ClassifyFast(std::string_view s, const FastMissing& missing) {
  if (missing.Contains(s)) return {TokenKind::kMissing};
  const char* p = s.data();
  const char* e = p + s.size();
  if (*p == '+') ++p;
  const char* q = p;
  const bool neg = q < e && *q == '-';
  if (neg) ++q;
  const char* digits = q;
  uint64_t u = 0;
  while (q < e && static_cast<unsigned>(*q - '0') < 10u) {
    u = u * 10 + static_cast<unsigned>(*q - '0');
    ++q;
    if (q - digits > 18) return Classify(s, missing.set());
  }
  if (q == e && q > digits) {
    Token t{TokenKind::kInt};
    t.i = neg ? -static_cast<int64_t>(u) : static_cast<int64_t>(u);
    t.d = static_cast<double>(t.i);
    return t;
  }
  double d = 0;
  const auto [r, ec] = std::from_chars(p, e, d);
  if (ec == std::errc() && r == e) {
    Token t{TokenKind::kFloat};
    t.d = d;
    return t;
  }
  return Classify(s, missing.set());
}

uint64_t HashLabel(std::string_view s) {
  const char* p = s.data();
  size_t n = s.size();
  uint64_t h = 0x9E3779B97F4A7C15ULL ^ n;
  while (n >= 8) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    h = (h ^ v) * 0xBF58476D1CE4E5B9ULL;
    h ^= h >> 29;
    p += 8;
    n -= 8;
  }
  uint64_t v = 0;
  std::memcpy(&v, p, n);
  h = (h ^ v) * 0x94D049BB133111EBULL;
  return h ^ (h >> 32);
}

// A chunk's dictionary of labels: codes in order of first appearance, open
// addressing over the codes (the labels are stored once, in a deque so that
// the views stay valid).
class LabelIndex {
 public:
  // The code of `s`, or -1 when it is new.
  int32_t Find(std::string_view s, uint64_t h) const {
    if (slots_.empty()) return -1;
    for (size_t i = h & mask_;; i = (i + 1) & mask_) {
      const int32_t code = slots_[i];
      if (code < 0) return -1;
      if (hashes_[static_cast<size_t>(code)] == h && views_[static_cast<size_t>(code)] == s)
        return code;
    }
  }
  int32_t Add(std::string_view s, uint64_t h) {
    if (2 * (views_.size() + 1) > slots_.size()) Grow();
    const auto code = static_cast<int32_t>(views_.size());
    labels_.emplace_back(s);
    views_.push_back(labels_.back());
    hashes_.push_back(h);
    Place(code);
    return code;
  }
  const std::deque<std::string>& labels() const { return labels_; }

 private:
  void Place(int32_t code) {
    for (size_t i = hashes_[static_cast<size_t>(code)] & mask_;; i = (i + 1) & mask_) {
      if (slots_[i] < 0) {
        slots_[i] = code;
        return;
      }
    }
  }
  void Grow() {
    slots_.assign(std::max<size_t>(64, slots_.size() * 2), -1);
    mask_ = slots_.size() - 1;
    for (size_t c = 0; c < views_.size(); ++c) Place(static_cast<int32_t>(c));
  }
  std::vector<int32_t> slots_;
  size_t mask_ = 0;
  std::deque<std::string> labels_;
  std::vector<std::string_view> views_;
  std::vector<uint64_t> hashes_;
};

// What a chunk keeps per selected column beside the values it writes in
// place: missing rows (chunk-local), whether an i64 column met a
// non-integer (then this chunk's slots hold doubles' bits), its labels.
struct ChunkColumn {
  bool promoted = false;
  std::vector<int64_t> missing_rows;
  LabelIndex index;
};

// A range of lines [begin, end) of the text, parsed into the output columns
// at rows [row0, row0 + capacity) (capacity: lines in the range, an upper
// bound of its rows; blank lines leave slots that are closed up afterwards).
struct Chunk {
  size_t begin = 0, end = 0;
  int64_t row0 = 0, capacity = 0, rows = 0;
  std::vector<ChunkColumn> cols;
  ChunkError error;
};

// The output column buffers (one of the three per column, by type).
struct Sinks {
  std::vector<ColumnType> types;
  std::vector<int64_t*> i64;
  std::vector<double*> f64;
  std::vector<int32_t*> codes;
};

// Parses the lines of one chunk, fed in pieces of whole lines (Lines), into
// the sinks. Each line first goes through a fused loop that finds the fields
// and reads the usual numbers as it scans (an optional '-', digits, and for
// a non-integer std::from_chars from the field start, accepted only when the
// number ends exactly at the delimiter or the line end). Any line the fused
// loop does not take whole (a quote or blank at a field start, a CR, a
// missing token, a bad cell, a wrong number of fields) is parsed again by
// the general path, the reader's previous line loop, which gives the same
// values and the same first error; what the fused loop wrote for that line
// is overwritten with the same values, and its missing-row entries are
// withdrawn first.
class ChunkParser {
 public:
  ChunkParser(const CsvOptions& opt, const std::vector<int>& field_to_sel, int n_fields,
              const std::vector<std::string>& sel_names, const Sinks& sinks, Chunk* chunk)
      : missing_(opt.missing_tokens),
        n_fields_(n_fields),
        sel_names_(sel_names),
        sinks_(sinks),
        chunk_(chunk),
        delim_(opt.delimiter) {
    const size_t n_sel = sinks.types.size();
    chunk->cols.resize(n_sel);
    for (int f = 0; f < n_fields; ++f) {
      if (field_to_sel[static_cast<size_t>(f)] >= 0) sel_.emplace_back(f, field_to_sel[f]);
    }
    last_label_.resize(n_sel);
    last_code_.assign(n_sel, -1);
    fields_.reserve(static_cast<size_t>(n_fields) + 1);
    unquoted_.reserve(static_cast<size_t>(n_fields));
    // The fused loop reads a cell that starts with '-' or a digit as a
    // number without asking the missing set, so it runs only when no
    // missing token starts so.
    bool fast_numbers = true;
    for (const auto& t : opt.missing_tokens) {
      if (!t.empty() && (t[0] == '-' || static_cast<unsigned>(t[0] - '0') < 10u))
        fast_numbers = false;
    }
    plan_.resize(static_cast<size_t>(n_fields));
    for (int f = 0; f < n_fields; ++f) {
      FieldPlan& plan = plan_[static_cast<size_t>(f)];
      plan.column = field_to_sel[static_cast<size_t>(f)];
      if (plan.column < 0) continue;
      const ColumnType type = sinks.types[static_cast<size_t>(plan.column)];
      plan.kind = !fast_numbers || type == ColumnType::kString ? FieldPlan::kOther
                  : type == ColumnType::kF64                   ? FieldPlan::kF64
                                                               : FieldPlan::kI64;
    }
  }

  // Parses the lines of `bytes`, whose first byte is byte `base` of the
  // text; the last line may lack its newline only at the end of the chunk.
  // False on an error (in chunk->error).
  bool Lines(std::string_view bytes, size_t base) {
    const char* p = bytes.data();
    const char* const e = p + bytes.size();
    // The fused loop needs a newline after every line it reads (it scans
    // without bounds checks): a last line without one goes to GeneralLine.
    const char* fused_end = e;
    if (!bytes.empty() && bytes.back() != '\n') {
      const void* last = ::memrchr(p, '\n', bytes.size());
      fused_end = last ? static_cast<const char*>(last) + 1 : p;
    }
    while (p < e) {
      if (lines_ == chunk_->capacity) return Changed(base + static_cast<size_t>(p - bytes.data()));
      ++lines_;
      const size_t line_offset = base + static_cast<size_t>(p - bytes.data());
      if (p < fused_end && *p != '\n' && *p != '\r' && *p != ' ' && *p != '\t') {
        const char* next = FusedLine(p, e);
        if (next != nullptr) {
          p = next;
          ++lr_;
          continue;
        }
        chunk_->error = ChunkError();
        for (ChunkColumn& col : chunk_->cols) {
          while (!col.missing_rows.empty() && col.missing_rows.back() == lr_)
            col.missing_rows.pop_back();
        }
      }
      const void* nl = std::memchr(p, '\n', static_cast<size_t>(e - p));
      const char* le = nl ? static_cast<const char*>(nl) : e;
      std::string_view line(p, static_cast<size_t>(le - p));
      p = nl ? le + 1 : e;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.empty() || line[0] == ' ' || line[0] == '\t' || line[0] == '\r') {
        if (Trim(line).empty()) continue;  // blank lines are skipped
      }
      if (!GeneralLine(line, line_offset)) return false;
      ++lr_;
    }
    return true;
  }

  // Called after the last piece: the chunk must have had the lines counted
  // in the first pass (a file that changed in between has not).
  bool Finish(size_t end_offset) {
    if (lines_ != chunk_->capacity) return Changed(end_offset);
    chunk_->rows = lr_;
    return true;
  }

 private:
  bool Changed(size_t offset) {
    chunk_->error = {offset, "",
                     "the file changed while it was read (is another program writing it?)", true};
    return false;
  }

  // A numeric cell's value into column c at output row `row`.
  [[gnu::always_inline]] inline void Store(size_t c, const Token& t, int64_t row) {
    ChunkColumn& col = chunk_->cols[c];
    if (sinks_.types[c] == ColumnType::kF64) {
      double* out = sinks_.f64[c];
      if (t.kind == TokenKind::kMissing) {
        out[row] = kNaN;
        col.missing_rows.push_back(lr_);
      } else {
        out[row] = t.d;
      }
      return;
    }
    int64_t* out = sinks_.i64[c];
    if (t.kind == TokenKind::kMissing) {
      out[row] = col.promoted ? std::bit_cast<int64_t>(kNaN) : 0;
      col.missing_rows.push_back(lr_);
      return;
    }
    if (!col.promoted && t.kind == TokenKind::kFloat) {
      // This chunk's slots of the column become doubles (bits in place).
      int64_t* slots = out + chunk_->row0;
      for (int64_t r = 0; r < lr_; ++r)
        slots[r] = std::bit_cast<int64_t>(static_cast<double>(slots[r]));
      for (int64_t r : col.missing_rows) slots[r] = std::bit_cast<int64_t>(kNaN);
      col.promoted = true;
    }
    out[row] = col.promoted ? std::bit_cast<int64_t>(t.d) : t.i;
  }

  // Cell `tok` (trimmed) of field f, selected column c; false on an error.
  bool Cell(size_t c, int f, std::string_view tok, size_t line_offset) {
    const int64_t row = chunk_->row0 + lr_;
    ChunkColumn& col = chunk_->cols[c];
    if (sinks_.types[c] == ColumnType::kString) {
      int32_t* codes = sinks_.codes[c];
      if (missing_.Contains(tok)) {
        codes[row] = -1;
        col.missing_rows.push_back(lr_);
        return true;
      }
      if (last_code_[c] >= 0 && tok == last_label_[c]) {
        codes[row] = last_code_[c];
        return true;
      }
      const uint64_t h = HashLabel(tok);
      int32_t code = col.index.Find(tok, h);
      if (code < 0) {
        // Labels are UTF-8 everywhere downstream (JSON, HTML): checked
        // once per distinct value.
        if (size_t bad = 0; !core::IsValidUtf8(tok, &bad)) {
          chunk_->error = {line_offset, sel_names_[c],
                           fmt::format("column '{}': '{}' is not valid UTF-8 (byte {} of the "
                                       "field); save the file as UTF-8",
                                       sel_names_[c], Abbrev(tok), bad + 1),
                           true};
          return false;
        }
        code = col.index.Add(tok, h);
      }
      codes[row] = code;
      last_code_[c] = code;
      last_label_[c] = col.index.labels()[static_cast<size_t>(code)];
      return true;
    }
    const Token t = ClassifyFast(tok, missing_);
    if (t.kind == TokenKind::kText) {
      chunk_->error = {line_offset, sel_names_[c],
                       fmt::format("expected a number in column '{}' (column {}), found '{}'",
                                   sel_names_[c], f + 1, Abbrev(tok)),
                       true};
      return false;
    }
    Store(c, t, row);
    return true;
  }

  // The fused loop over one line starting at p (not blank at its start):
  // the byte after the line's newline (or e), or nullptr to leave the line
  // to GeneralLine.
  const char* FusedLine(const char* p, const char* e) {
    const char d = delim_;
    const int64_t row = chunk_->row0 + lr_;
    for (int f = 0; f < n_fields_; ++f) {
      if (*p == '"' || *p == ' ' || *p == '\t') return nullptr;
      const FieldPlan plan = plan_[static_cast<size_t>(f)];
      const char* fs = p;
      if (plan.kind == FieldPlan::kSkip) {
        while (*p != d && *p != '\n') ++p;
      } else {
        const auto c = static_cast<size_t>(plan.column);
        bool done = false;
        if (plan.kind != FieldPlan::kOther) {
          const char* q = p;
          const bool neg = *q == '-';
          if (neg) ++q;
          const char* digits = q;
          uint64_t u = 0;
          while (static_cast<unsigned>(*q - '0') < 10u) {
            u = u * 10 + static_cast<unsigned>(*q - '0');
            ++q;
          }
          const auto n_digits = q - digits;
          if (n_digits > 0 && n_digits <= 18 && (*q == d || *q == '\n')) {
            const int64_t i = neg ? -static_cast<int64_t>(u) : static_cast<int64_t>(u);
            if (plan.kind == FieldPlan::kF64) {
              sinks_.f64[c][row] = static_cast<double>(i);
            } else if (!chunk_->cols[c].promoted) {
              sinks_.i64[c][row] = i;
            } else {
              sinks_.i64[c][row] = std::bit_cast<int64_t>(static_cast<double>(i));
            }
            p = q;
            done = true;
          } else if (n_digits <= 18 && (*q == '.' || *q == 'e' || *q == 'E')) {
            double v = 0;
            const auto [r, ec] = std::from_chars(fs, e, v);
            if (ec == std::errc() && (*r == d || *r == '\n')) {
              if (plan.kind == FieldPlan::kF64) {
                sinks_.f64[c][row] = v;
              } else {
                Token t{TokenKind::kFloat};
                t.d = v;
                Store(c, t, row);
              }
              p = r;
              done = true;
            }
          }
        }
        if (!done) {
          while (*p != d && *p != '\n') ++p;
          const char* te = p;
          while (te > fs && (te[-1] == ' ' || te[-1] == '\t' || te[-1] == '\r')) --te;
          if (!Cell(c, f, std::string_view(fs, static_cast<size_t>(te - fs)), 0)) return nullptr;
        }
      }
      if (f + 1 < n_fields_) {
        if (*p == d) {
          ++p;
        } else {
          return nullptr;  // too few fields
        }
      }
    }
    return *p == '\n' ? p + 1 : nullptr;
  }

  // The general line loop (quotes, blanks, CR, errors).
  bool GeneralLine(std::string_view line, size_t line_offset) {
    fields_.clear();
    bool simple = true;
    {
      const char* p = line.data();
      const char* e = p + line.size();
      while (true) {
        if (p < e && (*p == '"' || *p == ' ' || *p == '\t')) {
          simple = false;
          break;
        }
        const char* fe = p;
        while (fe < e && *fe != delim_) ++fe;
        const bool last = fe == e;
        const char* te = fe;
        while (te > p && (te[-1] == ' ' || te[-1] == '\t' || te[-1] == '\r')) --te;
        fields_.emplace_back(p, static_cast<size_t>(te - p));
        if (last) break;
        p = fe + 1;
      }
    }
    if (!simple && !SplitLine(line, delim_, &fields_, &scratch_, &unquoted_, &err_)) {
      chunk_->error = {line_offset, "", err_, true};
      return false;
    }
    if (static_cast<int>(fields_.size()) != n_fields_) {
      chunk_->error = {
          line_offset, "",
          fmt::format("expected {} fields as in the header, found {}", n_fields_, fields_.size()),
          true};
      return false;
    }
    for (const auto& [f, c] : sel_) {
      if (!Cell(static_cast<size_t>(c), f, fields_[static_cast<size_t>(f)], line_offset))
        return false;
    }
    return true;
  }

  const FastMissing missing_;
  const int n_fields_;
  const std::vector<std::string>& sel_names_;
  const Sinks& sinks_;
  Chunk* const chunk_;
  const char delim_;
  // What the fused loop does with each field: skip it, read a number into
  // an f64 or i64 column, or hand the cell to Cell.
  struct FieldPlan {
    enum Kind : int8_t { kSkip, kF64, kI64, kOther } kind = kSkip;
    int column = -1;
  };
  std::vector<FieldPlan> plan_;
  std::vector<std::pair<int, int>> sel_;  // (field, column), in field order
  std::vector<std::string_view> last_label_;
  std::vector<int32_t> last_code_;
  std::vector<std::string_view> fields_;
  std::string scratch_;
  std::vector<std::string> unquoted_;
  std::string err_;
  int64_t lr_ = 0;     // chunk-local row
  int64_t lines_ = 0;  // lines seen (blank ones too)
};

}  // namespace

Status CsvOptions::Validate() const {
  if (delimiter == '"' || delimiter == '\n' || delimiter == '\r')
    return Status::InvalidArgument("csv delimiter may not be a quote or newline");
  if (infer_rows < 1) return Status::InvalidArgument("infer_rows must be >= 1");
  if (threads < 0) return Status::InvalidArgument("threads must be >= 0");
  if (parts < 1 || part < 0 || part >= parts) {
    return Status::InvalidArgument(
        fmt::format("csv part {} of {}: expected 0 <= part < parts", part, parts));
  }
  return Status::Ok();
}

Result<std::string> ReadFileToString(const std::string& path) {
  RB_ASSIGN_OR_RETURN(std::string bytes, ReadFileBytes(path));
  // A ".gz" name with other content is an error too (InflateGzip says so).
  if (HasGzipMagic(bytes) || IsGzipPath(path)) return InflateGzip(bytes, path);
  return bytes;
}

namespace {

size_t BomSize(std::string_view text) {
  return text.size() >= 3 && static_cast<unsigned char>(text[0]) == 0xEF &&
                 static_cast<unsigned char>(text[1]) == 0xBB &&
                 static_cast<unsigned char>(text[2]) == 0xBF
             ? 3
             : 0;
}

// The header, the selected columns and their types: what every part of a
// file shares. Derived from the start of the file only.
struct Layout {
  std::vector<std::string> names;
  int n_fields = 0;
  std::vector<int> field_to_sel;
  std::vector<int> sel_fields;
  std::vector<std::string> sel_names;
  std::vector<ColumnType> sel_types;
  size_t data_begin = 0;  // offset of the first data line in `head`
};

// `head`: the file's text from its start (BOM removed), containing the header
// and at least the first infer_rows data rows (or the whole file), cut at a
// line end.
Result<Layout> ReadLayout(std::string_view head, const std::string& source, const CsvOptions& opt) {
  if (head.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return Status::ParseError(
        fmt::format("{}: the file is empty (a header line is required)", source));
  }
  Layout lay;
  // Header.
  size_t header_end = head.find('\n');
  if (header_end == std::string_view::npos) header_end = head.size();
  std::string_view header_line = head.substr(0, header_end);
  if (!header_line.empty() && header_line.back() == '\r') header_line.remove_suffix(1);
  std::vector<std::string_view> hfields;
  std::string scratch, err;
  std::vector<std::string> unq;
  unq.reserve(4096);
  if (!SplitLine(header_line, opt.delimiter, &hfields, &scratch, &unq, &err)) {
    return Status::ParseError(fmt::format("{}:1: bad header: {}", source, err));
  }
  std::vector<std::string>& names = lay.names;
  names.reserve(hfields.size());
  for (auto h : hfields) names.emplace_back(h);
  for (size_t i = 0; i < names.size(); ++i) {
    if (size_t bad = 0; !core::IsValidUtf8(names[i], &bad)) {
      return Status::ParseError(fmt::format(
          "{}:1:{}: bad header: column {} name '{}' is not valid UTF-8 (byte {} of the name); "
          "save the file as UTF-8",
          source, i + 1, i + 1, Abbrev(names[i]), bad + 1));
    }
    if (names[i].empty()) {
      return Status::ParseError(
          fmt::format("{}:1:{}: bad header: column {} has an empty name", source, i + 1, i + 1));
    }
    for (size_t j = 0; j < i; ++j) {
      if (names[i] == names[j]) {
        return Status::ParseError(
            fmt::format("{}:1:{}: bad header: duplicate column name '{}' (also column {})", source,
                        i + 1, names[i], j + 1));
      }
    }
  }
  const int n_fields = static_cast<int>(names.size());
  lay.n_fields = n_fields;
  // Selection.
  std::vector<int>& field_to_sel = lay.field_to_sel;
  std::vector<int>& sel_fields = lay.sel_fields;
  field_to_sel.assign(names.size(), -1);
  if (opt.select.empty()) {
    for (int f = 0; f < n_fields; ++f) {
      field_to_sel[static_cast<size_t>(f)] = f;
      sel_fields.push_back(f);
    }
  } else {
    for (const auto& want : opt.select) {
      auto it = std::find(names.begin(), names.end(), want);
      if (it == names.end()) {
        return Status::NotFound(fmt::format("{}: no column '{}' in the header; did you mean '{}'?",
                                            source, want, NearestName(want, names)));
      }
      const int f = static_cast<int>(it - names.begin());
      if (field_to_sel[static_cast<size_t>(f)] >= 0) continue;
      field_to_sel[static_cast<size_t>(f)] = static_cast<int>(sel_fields.size());
      sel_fields.push_back(f);
    }
  }
  const size_t n_sel = sel_fields.size();
  std::vector<std::string>& sel_names = lay.sel_names;
  sel_names.resize(n_sel);
  for (size_t c = 0; c < n_sel; ++c) sel_names[c] = names[static_cast<size_t>(sel_fields[c])];
  for (const auto& [name, type] : opt.types) {
    if (std::find(names.begin(), names.end(), name) == names.end()) {
      return Status::NotFound(fmt::format(
          "{}: a type was given for column '{}', which is not in the header; did you mean '{}'?",
          source, name, NearestName(name, names)));
    }
  }
  lay.data_begin = std::min(head.size(), header_end + 1);

  // Type inference on the first rows.
  std::vector<ColumnType>& sel_types = lay.sel_types;
  sel_types.assign(n_sel, ColumnType::kI64);
  std::vector<bool> forced(n_sel, false);
  for (size_t c = 0; c < n_sel; ++c) {
    auto it = opt.types.find(sel_names[c]);
    if (it != opt.types.end()) {
      sel_types[c] = it->second;
      forced[c] = true;
    }
  }
  {
    const FastMissing missing(opt.missing_tokens);
    std::vector<bool> all_missing(n_sel, true);
    size_t pos = lay.data_begin;
    int64_t rows = 0;
    std::vector<std::string_view> fields;
    while (pos < head.size() && rows < opt.infer_rows) {
      size_t nl = head.find('\n', pos);
      if (nl == std::string_view::npos) nl = head.size();
      std::string_view line = head.substr(pos, nl - pos);
      pos = nl + 1;
      if (Trim(line).empty()) continue;
      if (!SplitLine(line, opt.delimiter, &fields, &scratch, &unq, &err)) break;
      if (static_cast<int>(fields.size()) != n_fields) break;  // reported later
      ++rows;
      for (size_t c = 0; c < n_sel; ++c) {
        if (forced[c] || sel_types[c] == ColumnType::kString) continue;
        const Token t = ClassifyFast(fields[static_cast<size_t>(sel_fields[c])], missing);
        if (t.kind == TokenKind::kMissing) continue;
        all_missing[c] = false;
        if (t.kind == TokenKind::kText)
          sel_types[c] = ColumnType::kString;
        else if (t.kind == TokenKind::kFloat)
          sel_types[c] = ColumnType::kF64;
      }
    }
    for (size_t c = 0; c < n_sel; ++c)
      if (!forced[c] && all_missing[c]) sel_types[c] = ColumnType::kF64;
  }
  return lay;
}

// v.resize(n), on transparent huge pages where the kernel offers them
// (madvise mode): the memory is reserved, advised, then filled.
template <class T>
void SizeBuffer(std::vector<T>& v, size_t n) {
  core::ResizeHuge(v, n);
}

// Runs task(i, worker) for i in [0, n) on `threads` threads (tasks taken in
// order; worker in [0, threads) names the thread, for its scratch memory).
void RunTasks(int threads, size_t n, const std::function<void(size_t, int)>& task) {
  if (threads <= 1 || n <= 1) {
    for (size_t i = 0; i < n; ++i) task(i, 0);
    return;
  }
  std::atomic<size_t> next{0};
  std::vector<std::thread> pool;
  const auto worker = [&](int w) {
    for (size_t i = next++; i < n; i = next++) task(i, w);
  };
  for (int t = 1; t < threads; ++t) pool.emplace_back(worker, t);
  worker(0);
  for (auto& th : pool) th.join();
}

// Newlines in [p, p + n): 32 bytes at a time (GCC/Clang vector extensions;
// unsigned byte counters, emptied every 255 blocks).
int64_t CountNewlines(const char* p, size_t n) {
  using V = unsigned char __attribute__((vector_size(32)));
  int64_t total = 0;
  V nl;
  for (int k = 0; k < 32; ++k) nl[k] = '\n';
  size_t i = 0;
  while (n - i >= 32) {
    V acc = {};
    const size_t blocks = std::min<size_t>((n - i) / 32, 255);
    for (size_t b = 0; b < blocks; ++b, i += 32) {
      V v;
      std::memcpy(&v, p + i, 32);
      acc += static_cast<V>(v == nl) & 1;  // all ones where equal
    }
    for (int k = 0; k < 32; ++k) total += acc[k];
  }
  for (; i < n; ++i) total += p[i] == '\n';
  return total;
}

// Scratch memory of one thread for the bytes it reads (not zero-filled).
class ReadBuffer {
 public:
  char* Reserve(size_t n) {
    if (n > size_) {
      data_.reset(new char[n]);
      size_ = n;
    }
    return data_.get();
  }

 private:
  std::unique_ptr<char[]> data_;
  size_t size_ = 0;
};

// Where ParseRows gets the bytes of the text: held in memory, or read from a
// plain file piece by piece (pread into a small buffer per thread, read once
// to count the lines and once to parse them, so that the text is never held
// whole: on the project's VMs first touching fresh memory costs 2-4 ms per
// MB, far more than reading the page cache twice).
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Bytes [b, e) of the text (in *buf when they are copied).
  virtual Result<std::string_view> Fetch(size_t b, size_t e, ReadBuffer* buf) const = 0;
  // Bytes fetched at a time (lines are never split across pieces).
  virtual size_t PieceBytes() const = 0;
  // The 1-based line number of byte `offset` (to report an error).
  virtual int64_t LineOf(size_t offset) const = 0;
  // An error when the source is a file that changed while it was read.
  virtual Status CheckUnchanged() const { return Status::Ok(); }
};

class TextSource final : public ByteSource {
 public:
  explicit TextSource(std::string_view text) : text_(text) {}
  Result<std::string_view> Fetch(size_t b, size_t e, ReadBuffer*) const override {
    return text_.substr(b, e - b);
  }
  size_t PieceBytes() const override { return std::numeric_limits<size_t>::max(); }
  int64_t LineOf(size_t offset) const override { return LineNumberAt(text_, offset); }

 private:
  std::string_view text_;
};

// Parses the data lines [begin, end) of `src`.
Result<Table> ParseRows(const ByteSource& src, size_t begin, size_t end_of_rows, const Layout& lay,
                        const std::string& source, const CsvOptions& opt) {
  const std::vector<std::string>& names = lay.names;
  const size_t n_sel = lay.sel_fields.size();
  const std::vector<ColumnType>& sel_types = lay.sel_types;
  const std::vector<std::string>& sel_names = lay.sel_names;
  int threads =
      opt.threads > 0 ? opt.threads : static_cast<int>(std::thread::hardware_concurrency());
  threads = std::max(1, threads);
  const size_t body = end_of_rows - begin;
  if (body < (1u << 20)) threads = 1;
  // Chunks of about 4 MB (at least one per thread), so that a busy core
  // delays only a small share of the work; a chunk starts at the first line
  // start at or after its nominal start w_t.
  constexpr size_t kChunkBytes = size_t{4} << 20;
  size_t n_chunks = std::max<size_t>(1, (body + kChunkBytes - 1) / kChunkBytes);
  if (threads > 1) n_chunks = std::max(n_chunks, static_cast<size_t>(threads));
  n_chunks = std::min(n_chunks, std::max<size_t>(1, body));
  const auto nominal = [&](size_t t) {
    return t >= n_chunks ? end_of_rows
                         : begin + body / n_chunks * t + body % n_chunks * t / n_chunks;
  };
  std::vector<ReadBuffer> buffers(static_cast<size_t>(threads));
  const size_t piece = std::max<size_t>(src.PieceBytes(), 1);

  // Pass 1: the newlines of each window [w_t - 1, w_{t+1} - 1) (the windows
  // tile [begin, end)): how many, and the first one, which ends the line
  // that chunk t - 1 owns last.
  constexpr size_t kNone = std::numeric_limits<size_t>::max();
  std::vector<size_t> first_nl(n_chunks, kNone);
  std::vector<int64_t> nl_count(n_chunks, 0);
  std::vector<Status> io(n_chunks, Status::Ok());
  bool ends_with_newline = true;
  RunTasks(threads, n_chunks, [&](size_t t, int w) {
    const size_t wb = t == 0 ? begin : nominal(t) - 1;
    const size_t we = t + 1 == n_chunks ? end_of_rows : nominal(t + 1) - 1;
    for (size_t pos = wb; pos < we;) {
      const size_t pe = std::min(we, pos + std::min(piece, we - pos));
      auto bytes = src.Fetch(pos, pe, &buffers[static_cast<size_t>(w)]);
      if (!bytes.ok()) {
        io[t] = bytes.status();
        return;
      }
      if (first_nl[t] == kNone) {
        const void* nl = std::memchr(bytes->data(), '\n', bytes->size());
        if (nl != nullptr)
          first_nl[t] = pos + static_cast<size_t>(static_cast<const char*>(nl) - bytes->data());
      }
      nl_count[t] += CountNewlines(bytes->data(), bytes->size());
      if (pe == end_of_rows && !bytes->empty()) ends_with_newline = bytes->back() == '\n';
      pos = pe;
    }
  });
  for (const Status& s : io) RB_RETURN_IF_ERROR(s);
  std::vector<Chunk> chunks(n_chunks);
  {
    // Chunk starts and the newlines before them, from the last chunk back.
    std::vector<int64_t> before(n_chunks + 1, 0);  // newlines before window t
    for (size_t t = 0; t < n_chunks; ++t) before[t + 1] = before[t] + nl_count[t];
    std::vector<size_t> start(n_chunks + 1, end_of_rows);
    std::vector<int64_t> nl_before(n_chunks + 1, before[n_chunks]);
    for (size_t t = n_chunks; t-- > 1;) {
      if (first_nl[t] != kNone) {
        start[t] = first_nl[t] + 1;
        nl_before[t] = before[t] + 1;
      } else {
        start[t] = start[t + 1];
        nl_before[t] = nl_before[t + 1];
      }
    }
    start[0] = begin;
    nl_before[0] = 0;
    int64_t slots = 0;
    for (size_t t = 0; t < n_chunks; ++t) {
      Chunk& ch = chunks[t];
      ch.begin = start[t];
      ch.end = start[t + 1];
      ch.capacity = nl_before[t + 1] - nl_before[t];
      if (ch.end == end_of_rows && ch.begin < ch.end && !ends_with_newline) ++ch.capacity;
      ch.row0 = slots;
      slots += ch.capacity;
    }
  }
  const int64_t slots = chunks.back().row0 + chunks.back().capacity;
  std::vector<Column> out(n_sel);
  Sinks sinks;
  sinks.types = sel_types;
  sinks.i64.assign(n_sel, nullptr);
  sinks.f64.assign(n_sel, nullptr);
  sinks.codes.assign(n_sel, nullptr);
  // The columns are sized side by side (their first touch costs as much as
  // parsing into them).
  std::atomic<bool> no_memory{false};
  RunTasks(threads, n_sel, [&](size_t c, int) {
    Column& col = out[c];
    col.name = sel_names[c];
    col.type = sel_types[c];
    const auto n = static_cast<size_t>(slots);
    try {
      if (col.type == ColumnType::kString) {
        SizeBuffer(col.codes, n);
        sinks.codes[c] = col.codes.data();
      } else if (col.type == ColumnType::kI64) {
        SizeBuffer(col.i64, n);
        sinks.i64[c] = col.i64.data();
      } else {
        SizeBuffer(col.f64, n);
        sinks.f64[c] = col.f64.data();
      }
    } catch (const std::bad_alloc&) {
      no_memory = true;
    }
  });
  if (no_memory) {
    return Status::IoError(
        fmt::format("{}: out of memory for {} rows of {} columns", source, slots, n_sel));
  }
  // Pass 2: parse, piece by piece of whole lines.
  std::vector<Status> io2(n_chunks, Status::Ok());
  RunTasks(threads, n_chunks, [&](size_t t, int w) {
    Chunk& ch = chunks[t];
    // An exception must not leave a thread (std::terminate).
    try {
      ChunkParser parser(opt, lay.field_to_sel, lay.n_fields, sel_names, sinks, &ch);
      size_t want = piece;
      for (size_t pos = ch.begin; pos < ch.end;) {
        const size_t pe = pos + std::min(want, ch.end - pos);
        auto bytes = src.Fetch(pos, pe, &buffers[static_cast<size_t>(w)]);
        if (!bytes.ok()) {
          io2[t] = bytes.status();
          return;
        }
        size_t take = bytes->size();
        if (pe < ch.end) {
          const void* last = ::memrchr(bytes->data(), '\n', bytes->size());
          if (last == nullptr) {
            want *= 2;  // a line longer than the piece
            continue;
          }
          take = static_cast<size_t>(static_cast<const char*>(last) - bytes->data()) + 1;
        }
        if (!parser.Lines(bytes->substr(0, take), pos)) return;
        pos += take;
      }
      parser.Finish(ch.end);
    } catch (const std::exception& e) {
      ch.error = {ch.begin, "",
                  fmt::format("out of memory or internal error while parsing: {}", e.what()), true};
    }
  });
  for (size_t t = 0; t < n_chunks; ++t) {
    const Chunk& ch = chunks[t];
    RB_RETURN_IF_ERROR(io2[t]);
    if (ch.error.has) {
      const int64_t line = src.LineOf(ch.error.offset);
      // column number: field position of the named column, if any
      std::string where = fmt::format("{}:{}", source, line);
      if (!ch.error.column.empty()) {
        const auto it = std::find(names.begin(), names.end(), ch.error.column);
        where += fmt::format(":{}", (it - names.begin()) + 1);
      }
      return Status::ParseError(fmt::format("{}: {}", where, ch.error.message));
    }
  }
  RB_RETURN_IF_ERROR(src.CheckUnchanged());

  // Close up the slots of blank lines (rows move down, in order).
  int64_t total_rows = 0;
  std::vector<int64_t> new_row0(n_chunks);
  for (size_t t = 0; t < n_chunks; ++t) {
    new_row0[t] = total_rows;
    total_rows += chunks[t].rows;
  }
  if (total_rows != slots) {
    for (size_t t = 0; t < n_chunks; ++t) {
      const Chunk& ch = chunks[t];
      if (new_row0[t] == ch.row0) continue;
      for (size_t c = 0; c < n_sel; ++c) {
        if (sinks.i64[c])
          std::memmove(sinks.i64[c] + new_row0[t], sinks.i64[c] + ch.row0,
                       static_cast<size_t>(ch.rows) * sizeof(int64_t));
        if (sinks.f64[c])
          std::memmove(sinks.f64[c] + new_row0[t], sinks.f64[c] + ch.row0,
                       static_cast<size_t>(ch.rows) * sizeof(double));
        if (sinks.codes[c])
          std::memmove(sinks.codes[c] + new_row0[t], sinks.codes[c] + ch.row0,
                       static_cast<size_t>(ch.rows) * sizeof(int32_t));
      }
    }
    for (size_t c = 0; c < n_sel; ++c) {
      out[c].i64.resize(out[c].i64.empty() ? 0 : static_cast<size_t>(total_rows));
      out[c].f64.resize(out[c].f64.empty() ? 0 : static_cast<size_t>(total_rows));
      out[c].codes.resize(out[c].codes.empty() ? 0 : static_cast<size_t>(total_rows));
      out[c].i64.shrink_to_fit();
      out[c].f64.shrink_to_fit();
      out[c].codes.shrink_to_fit();
    }
  }

  // Merge: missing masks, dictionaries in order of first appearance, and the
  // i64 columns that a chunk promoted to f64.
  Table table;
  table.source = source;
  for (size_t c = 0; c < n_sel; ++c) {
    Column& col = out[c];
    bool any_missing = false, promoted = false;
    for (const auto& ch : chunks) {
      any_missing |= !ch.cols[c].missing_rows.empty();
      promoted |= ch.cols[c].promoted;
    }
    if (promoted) {
      // Every cell as the double it was read as (missing: NaN).
      std::vector<double> f64(static_cast<size_t>(total_rows));
      for (size_t t = 0; t < n_chunks; ++t) {
        const Chunk& ch = chunks[t];
        const int64_t* from = col.i64.data() + new_row0[t];
        double* to = f64.data() + new_row0[t];
        if (ch.cols[c].promoted) {
          for (int64_t r = 0; r < ch.rows; ++r) to[r] = std::bit_cast<double>(from[r]);
        } else {
          for (int64_t r = 0; r < ch.rows; ++r) to[r] = static_cast<double>(from[r]);
          for (int64_t r : ch.cols[c].missing_rows) to[r] = kNaN;
        }
      }
      col.i64 = std::vector<int64_t>();
      col.f64 = std::move(f64);
      col.type = ColumnType::kF64;
    }
    if (any_missing) {
      col.missing.assign(static_cast<size_t>(total_rows), 0);
      for (size_t t = 0; t < n_chunks; ++t) {
        for (int64_t r : chunks[t].cols[c].missing_rows)
          col.missing[static_cast<size_t>(new_row0[t] + r)] = 1;
      }
    }
    if (col.type == ColumnType::kString) {
      std::unordered_map<std::string_view, int32_t> global;
      std::vector<std::vector<int32_t>> remaps(n_chunks);
      for (size_t t = 0; t < n_chunks; ++t) {
        const auto& labels = chunks[t].cols[c].index.labels();
        std::vector<int32_t>& remap = remaps[t];
        remap.resize(labels.size());
        for (size_t k = 0; k < labels.size(); ++k) {
          auto [it, ins] = global.emplace(labels[k], static_cast<int32_t>(col.dictionary.size()));
          if (ins) col.dictionary.push_back(labels[k]);
          remap[k] = it->second;
        }
      }
      RunTasks(threads, n_chunks, [&](size_t t, int) {
        const std::vector<int32_t>& remap = remaps[t];
        int32_t* codes = col.codes.data() + new_row0[t];
        for (int64_t r = 0; r < chunks[t].rows; ++r)
          if (codes[r] >= 0) codes[r] = remap[static_cast<size_t>(codes[r])];
      });
    }
    RB_RETURN_IF_ERROR(table.AddColumn(std::move(col)));
  }
  return table;
}

// First line start at or after byte x of a text whose data lines start at
// data_begin (a line belongs to the part in which it begins).
size_t LineStartAtOrAfter(std::string_view text, size_t data_begin, size_t x) {
  if (x <= data_begin) return data_begin;
  if (x >= text.size()) return text.size();
  const size_t nl = text.find('\n', x - 1);
  return nl == std::string_view::npos ? text.size() : nl + 1;
}

// Bytes [begin, end) of the data lines that part `part` of `parts` owns.
std::pair<size_t, size_t> PartRange(size_t data_begin, size_t size, int part, int parts,
                                    const std::function<size_t(size_t)>& line_start) {
  const size_t body = size - data_begin;
  const auto k = static_cast<size_t>(parts);
  // data_begin + floor(body * p / parts), without overflow.
  const auto share = [&](int p) {
    const auto pp = static_cast<size_t>(p);
    return data_begin + body / k * pp + body % k * pp / k;
  };
  const size_t begin = line_start(share(part));
  const size_t end = part + 1 == parts ? size : line_start(share(part + 1));
  return {begin, std::max(begin, end)};
}

// A plain file read with pread (the parts of ReadCsv that skip other parts'
// bytes).
class PlainFile {
 public:
  ~PlainFile() {
    if (fd_ >= 0) ::close(fd_);
  }
  Status Open(const std::string& path) {
    path_ = path;
    RB_ASSIGN_OR_RETURN(fd_, OpenRegularFile(path, &size_));
    return Status::Ok();
  }
  size_t size() const { return size_; }
  int fd() const { return fd_; }
  // Bytes [begin, end) appended to *out.
  Status Read(size_t begin, size_t end, std::string* out) const {
    const size_t old = out->size();
    out->resize(old + (end - begin));
    size_t done = 0;
    while (done < end - begin) {
      const ssize_t got = ::pread(fd_, out->data() + old + done, end - begin - done,
                                  static_cast<off_t>(begin + done));
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) return Status::IoError(fmt::format("short read on '{}'", path_));
      done += static_cast<size_t>(got);
    }
    return Status::Ok();
  }
  // First line start at or after x (see LineStartAtOrAfter).
  Result<size_t> LineStart(size_t data_begin, size_t x) const {
    if (x <= data_begin) return data_begin;
    constexpr size_t kBlock = 1 << 16;
    std::string buf;
    for (size_t pos = x - 1; pos < size_; pos += kBlock) {
      buf.clear();
      RB_RETURN_IF_ERROR(Read(pos, std::min(size_, pos + kBlock), &buf));
      const size_t nl = buf.find('\n');
      if (nl != std::string::npos) return pos + nl + 1;
    }
    return size_;
  }
  // Newlines in bytes [0, end).
  Result<int64_t> CountNewlines(size_t end) const {
    constexpr size_t kBlock = 1 << 20;
    std::string buf;
    int64_t count = 0;
    for (size_t pos = 0; pos < end; pos += kBlock) {
      buf.clear();
      RB_RETURN_IF_ERROR(Read(pos, std::min(end, pos + kBlock), &buf));
      count += data::CountNewlines(buf.data(), buf.size());
    }
    return count;
  }

 private:
  std::string path_;
  int fd_ = -1;
  size_t size_ = 0;
};

// Non-blank data lines after the header of `head` (stops counting at `limit`).
int64_t CountDataLines(std::string_view head, int64_t limit) {
  size_t pos = head.find('\n');
  if (pos == std::string_view::npos) return 0;
  ++pos;
  int64_t rows = 0;
  while (pos < head.size() && rows < limit) {
    size_t nl = head.find('\n', pos);
    if (nl == std::string_view::npos) nl = head.size();
    if (!Trim(head.substr(pos, nl - pos)).empty()) ++rows;
    pos = nl + 1;
  }
  return rows;
}

// A plain file as a ByteSource: pieces of 256 KB read with pread into the
// thread's buffer (small enough to stay in cache between the read and the
// parse; a read past the size seen at open, or a size that differs at the
// end, is an error, never a shorter table).
class FileSource final : public ByteSource {
 public:
  FileSource(const PlainFile& file, const std::string& path) : file_(file), path_(path) {}
  Result<std::string_view> Fetch(size_t b, size_t e, ReadBuffer* buf) const override {
    char* p = buf->Reserve(e - b);
    size_t done = 0;
    while (done < e - b) {
      const ssize_t got = ::pread(file_.fd(), p + done, e - b - done, static_cast<off_t>(b + done));
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) {
        return Status::IoError(fmt::format("cannot read '{}': {}", path_, std::strerror(errno)));
      }
      if (got == 0) {
        return Status::IoError(fmt::format(
            "'{}' changed while it was read: {} bytes when opened, it ends at byte {} now (is "
            "another program writing it?)",
            path_, file_.size(), b + done));
      }
      done += static_cast<size_t>(got);
    }
    return std::string_view(p, e - b);
  }
  size_t PieceBytes() const override { return size_t{256} << 10; }
  int64_t LineOf(size_t offset) const override {
    auto before = file_.CountNewlines(offset);
    return 1 + (before.ok() ? *before : 0);
  }
  Status CheckUnchanged() const override {
    struct stat st;
    if (::fstat(file_.fd(), &st) == 0 && static_cast<size_t>(st.st_size) != file_.size()) {
      return Status::IoError(fmt::format(
          "'{}' changed while it was read: {} bytes when opened, {} bytes now (is another "
          "program writing it?)",
          path_, file_.size(), st.st_size));
    }
    return Status::Ok();
  }

 private:
  const PlainFile& file_;
  const std::string& path_;
};

// A plain file, or part `opt.part` of it: the head (header and inference
// rows) is read, then the data lines of the part are streamed (FileSource).
Result<Table> ReadPlainFile(const std::string& path, const CsvOptions& opt) {
  PlainFile file;
  RB_RETURN_IF_ERROR(file.Open(path));
  const size_t size = file.size();
  // Head: grown until it holds infer_rows data rows, cut at a line end.
  std::string head;
  size_t bom = 0;
  for (size_t want = size_t{1} << 20;; want *= 4) {
    head.clear();
    RB_RETURN_IF_ERROR(file.Read(0, std::min(size, want), &head));
    bom = BomSize(head);
    if (head.size() == size) break;
    const size_t last_nl = head.rfind('\n');
    if (last_nl == std::string::npos) continue;  // the header is longer than the head
    head.resize(last_nl + 1);
    if (CountDataLines(std::string_view(head).substr(bom), opt.infer_rows) >= opt.infer_rows) break;
  }
  RB_ASSIGN_OR_RETURN(Layout lay, ReadLayout(std::string_view(head).substr(bom), path, opt));
  const size_t data_begin = bom + lay.data_begin;  // in file bytes
  head = std::string();
  Status io = Status::Ok();
  const auto [begin, end] = PartRange(data_begin, size, opt.part, opt.parts, [&](size_t x) {
    auto r = file.LineStart(data_begin, x);
    if (!r.ok()) {
      io = r.status();
      return data_begin;
    }
    return *r;
  });
  RB_RETURN_IF_ERROR(io);
  const FileSource src(file, path);
  return ParseRows(src, begin, end, lay, path, opt);
}

}  // namespace

Result<Table> ReadCsv(const std::string& path, const CsvOptions& options) {
  if (options.parts > 1 && !IsGzipPath(path)) RB_RETURN_IF_ERROR(options.Validate());
  if (!IsGzipPath(path)) {
    size_t size = 0;
    RB_ASSIGN_OR_RETURN(const int fd, OpenRegularFile(path, &size));
    char magic[2] = {0, 0};
    const ssize_t got = ::pread(fd, magic, 2, 0);
    ::close(fd);
    if (!HasGzipMagic(std::string_view(magic, got == 2 ? 2 : 0))) {
      RB_RETURN_IF_ERROR(options.Validate());
      return ReadPlainFile(path, options);
    }
  }
  const int threads = options.threads > 0
                          ? options.threads
                          : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  RB_ASSIGN_OR_RETURN(FileBuffer bytes, ReadFileBuffer(path, threads));
  // A ".gz" name with other content is an error too (InflateGzip says so).
  RB_ASSIGN_OR_RETURN(FileBuffer text, InflateGzipBuffer(bytes.view(), path));
  bytes = FileBuffer();
  return ParseCsv(text.view(), path, options);
}

Result<Table> ParseCsv(std::string_view text, const std::string& source, const CsvOptions& opt) {
  RB_RETURN_IF_ERROR(opt.Validate());
  // Skip a UTF-8 byte-order mark.
  text.remove_prefix(BomSize(text));
  RB_ASSIGN_OR_RETURN(Layout lay, ReadLayout(text, source, opt));
  size_t begin = lay.data_begin, end = text.size();
  if (opt.parts > 1) {
    std::tie(begin, end) =
        PartRange(lay.data_begin, text.size(), opt.part, opt.parts,
                  [&](size_t x) { return LineStartAtOrAfter(text, lay.data_begin, x); });
  }
  const TextSource src(text);
  return ParseRows(src, begin, end, lay, source, opt);
}

Status UnifyColumnTypes(Table& table, const std::vector<ColumnType>& types) {
  if (static_cast<int>(types.size()) != table.num_columns()) {
    return Status::Internal(fmt::format("UnifyColumnTypes: {} types for {} columns", types.size(),
                                        table.num_columns()));
  }
  for (int c = 0; c < table.num_columns(); ++c) {
    Column& col = table.mutable_columns()[static_cast<size_t>(c)];
    const ColumnType want = types[static_cast<size_t>(c)];
    if (col.type == want) continue;
    if (col.type != ColumnType::kI64 || want != ColumnType::kF64) {
      return Status::Internal(
          fmt::format("{}: column '{}' was read as {} in one part and as {} in another",
                      table.source, col.name, ToString(col.type), ToString(want)));
    }
    col.f64.resize(col.i64.size());
    for (size_t r = 0; r < col.i64.size(); ++r) {
      col.f64[r] = col.IsMissing(static_cast<int64_t>(r)) ? kNaN : static_cast<double>(col.i64[r]);
    }
    col.i64.clear();
    col.i64.shrink_to_fit();
    col.type = ColumnType::kF64;
  }
  return Status::Ok();
}

}  // namespace rebalance::data
