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

// A range of lines, parsed into the output columns at rows
// [row0, row0 + capacity) (capacity: lines in the range, an upper bound of
// its rows; blank lines leave slots that are closed up afterwards).
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

void ParseChunk(std::string_view text, const CsvOptions& opt, const std::vector<int>& field_to_sel,
                int n_fields, const std::vector<std::string>& sel_names, const Sinks& sinks,
                Chunk* chunk) {
  const FastMissing missing(opt.missing_tokens);
  const size_t n_sel = sinks.types.size();
  chunk->cols.resize(n_sel);
  // Selected fields in field order (errors are reported for the first).
  std::vector<std::pair<int, int>> sel;  // (field, column)
  for (int f = 0; f < n_fields; ++f) {
    if (field_to_sel[static_cast<size_t>(f)] >= 0) sel.emplace_back(f, field_to_sel[f]);
  }
  std::vector<std::string_view> last_label(n_sel);
  std::vector<int32_t> last_code(n_sel, -1);
  std::vector<std::string_view> fields;
  fields.reserve(static_cast<size_t>(n_fields) + 1);
  std::string scratch;
  std::vector<std::string> unquoted;
  unquoted.reserve(static_cast<size_t>(n_fields));
  std::string err;
  const char delim = opt.delimiter;
  const char* base = text.data();
  size_t pos = chunk->begin;
  int64_t lr = 0;  // chunk-local row
  while (pos < chunk->end) {
    const char* ls = base + pos;
    const void* nl = std::memchr(ls, '\n', chunk->end - pos);
    const char* le = nl ? static_cast<const char*>(nl) : base + chunk->end;
    std::string_view line(ls, static_cast<size_t>(le - ls));
    const size_t line_offset = pos;
    pos = static_cast<size_t>(le - base) + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line[0] == ' ' || line[0] == '\t' || line[0] == '\r') {
      if (Trim(line).empty()) continue;  // blank lines are skipped
    }
    // Fields: unquoted ones here; a line with a field that starts with a
    // quote or a blank goes to SplitLine (which trims and unquotes).
    fields.clear();
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
        while (fe < e && *fe != delim) ++fe;
        const bool last = fe == e;
        const char* te = fe;
        while (te > p && (te[-1] == ' ' || te[-1] == '\t' || te[-1] == '\r')) --te;
        fields.emplace_back(p, static_cast<size_t>(te - p));
        if (last) break;
        p = fe + 1;
      }
    }
    if (!simple && !SplitLine(line, delim, &fields, &scratch, &unquoted, &err)) {
      chunk->error = {line_offset, "", err, true};
      return;
    }
    if (static_cast<int>(fields.size()) != n_fields) {
      chunk->error = {
          line_offset, "",
          fmt::format("expected {} fields as in the header, found {}", n_fields, fields.size()),
          true};
      return;
    }
    const int64_t row = chunk->row0 + lr;
    for (const auto& [f, c] : sel) {
      ChunkColumn& col = chunk->cols[static_cast<size_t>(c)];
      const std::string_view tok = fields[static_cast<size_t>(f)];
      const ColumnType type = sinks.types[static_cast<size_t>(c)];
      if (type == ColumnType::kString) {
        int32_t* codes = sinks.codes[static_cast<size_t>(c)];
        if (missing.Contains(tok)) {
          codes[row] = -1;
          col.missing_rows.push_back(lr);
          continue;
        }
        if (last_code[c] >= 0 && tok == last_label[c]) {
          codes[row] = last_code[c];
          continue;
        }
        const uint64_t h = HashLabel(tok);
        int32_t code = col.index.Find(tok, h);
        if (code < 0) {
          // Labels are UTF-8 everywhere downstream (JSON, HTML): checked
          // once per distinct value.
          if (size_t bad = 0; !core::IsValidUtf8(tok, &bad)) {
            chunk->error = {
                line_offset, sel_names[static_cast<size_t>(c)],
                fmt::format("column '{}': '{}' is not valid UTF-8 (byte {} of the field); "
                            "save the file as UTF-8",
                            sel_names[static_cast<size_t>(c)], Abbrev(tok), bad + 1),
                true};
            return;
          }
          code = col.index.Add(tok, h);
        }
        codes[row] = code;
        last_code[c] = code;
        last_label[c] = col.index.labels()[static_cast<size_t>(code)];
        continue;
      }
      const Token t = ClassifyFast(tok, missing);
      if (t.kind == TokenKind::kText) {
        chunk->error = {line_offset, sel_names[static_cast<size_t>(c)],
                        fmt::format("expected a number in column '{}' (column {}), found '{}'",
                                    sel_names[static_cast<size_t>(c)], f + 1, Abbrev(tok)),
                        true};
        return;
      }
      if (type == ColumnType::kF64) {
        double* out = sinks.f64[static_cast<size_t>(c)];
        if (t.kind == TokenKind::kMissing) {
          out[row] = kNaN;
          col.missing_rows.push_back(lr);
        } else {
          out[row] = t.d;
        }
        continue;
      }
      int64_t* out = sinks.i64[static_cast<size_t>(c)];
      if (t.kind == TokenKind::kMissing) {
        out[row] = col.promoted ? std::bit_cast<int64_t>(kNaN) : 0;
        col.missing_rows.push_back(lr);
        continue;
      }
      if (!col.promoted && t.kind == TokenKind::kFloat) {
        // This chunk's slots of the column become doubles (bits in place).
        int64_t* slots = out + chunk->row0;
        for (int64_t r = 0; r < lr; ++r)
          slots[r] = std::bit_cast<int64_t>(static_cast<double>(slots[r]));
        for (int64_t r : col.missing_rows) slots[r] = std::bit_cast<int64_t>(kNaN);
        col.promoted = true;
      }
      out[row] = col.promoted ? std::bit_cast<int64_t>(t.d) : t.i;
    }
    ++lr;
  }
  chunk->rows = lr;
}

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

// Runs task(i) for i in [0, n) on `threads` threads (tasks taken in order).
void RunTasks(int threads, size_t n, const std::function<void(size_t)>& task) {
  if (threads <= 1 || n <= 1) {
    for (size_t i = 0; i < n; ++i) task(i);
    return;
  }
  std::atomic<size_t> next{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (size_t i = next++; i < n; i = next++) task(i);
    });
  }
  for (auto& th : pool) th.join();
}

// Parses the data lines text[begin, end); line_of(offset) is the file line
// number of a byte of `text` (called only to report an error).
Result<Table> ParseRows(std::string_view text, size_t begin, size_t end_of_rows, const Layout& lay,
                        const std::string& source, const CsvOptions& opt,
                        const std::function<int64_t(size_t)>& line_of) {
  const std::vector<std::string>& names = lay.names;
  const size_t n_sel = lay.sel_fields.size();
  const std::vector<ColumnType>& sel_types = lay.sel_types;
  const std::vector<std::string>& sel_names = lay.sel_names;
  int threads =
      opt.threads > 0 ? opt.threads : static_cast<int>(std::thread::hardware_concurrency());
  threads = std::max(1, threads);
  const size_t body = end_of_rows - begin;
  if (body < (1u << 20)) threads = 1;
  // Chunks of about 8 MB (at least one per thread), cut after a newline, so
  // that a busy core delays only a small share of the work.
  const size_t n_chunks =
      threads == 1
          ? 1
          : std::max<size_t>(static_cast<size_t>(threads),
                             std::min<size_t>(body >> 23, 64 * static_cast<size_t>(threads)));
  std::vector<Chunk> chunks(n_chunks);
  {
    size_t start = begin;
    for (size_t t = 0; t < n_chunks; ++t) {
      size_t end = (t == n_chunks - 1) ? end_of_rows : begin + body / n_chunks * (t + 1);
      if (end < start) end = start;
      if (t != n_chunks - 1 && end < end_of_rows) {
        const void* nl = std::memchr(text.data() + end, '\n', end_of_rows - end);
        end =
            nl ? static_cast<size_t>(static_cast<const char*>(nl) - text.data()) + 1 : end_of_rows;
      }
      chunks[t].begin = start;
      chunks[t].end = end;
      start = end;
    }
  }
  // Pass 1: lines per chunk (each line's row slot is known before parsing).
  RunTasks(threads, n_chunks, [&](size_t t) {
    Chunk& ch = chunks[t];
    const char* b = text.data() + ch.begin;
    const char* e = text.data() + ch.end;
    ch.capacity = std::count(b, e, '\n') + (e > b && e[-1] != '\n' ? 1 : 0);
  });
  int64_t slots = 0;
  for (auto& ch : chunks) {
    ch.row0 = slots;
    slots += ch.capacity;
  }
  std::vector<Column> out(n_sel);
  Sinks sinks;
  sinks.types = sel_types;
  sinks.i64.assign(n_sel, nullptr);
  sinks.f64.assign(n_sel, nullptr);
  sinks.codes.assign(n_sel, nullptr);
  // The columns are sized side by side (their first touch costs as much as
  // parsing into them).
  std::atomic<bool> no_memory{false};
  RunTasks(threads, n_sel, [&](size_t c) {
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
  // Pass 2: parse.
  RunTasks(threads, n_chunks, [&](size_t t) {
    Chunk& ch = chunks[t];
    // An exception must not leave a thread (std::terminate).
    try {
      ParseChunk(text, opt, lay.field_to_sel, lay.n_fields, sel_names, sinks, &ch);
    } catch (const std::exception& e) {
      ch.error = {ch.begin, "",
                  fmt::format("out of memory or internal error while parsing: {}", e.what()), true};
    }
  });
  for (const auto& ch : chunks) {
    if (ch.error.has) {
      const int64_t line = line_of(ch.error.offset);
      // column number: field position of the named column, if any
      std::string where = fmt::format("{}:{}", source, line);
      if (!ch.error.column.empty()) {
        const auto it = std::find(names.begin(), names.end(), ch.error.column);
        where += fmt::format(":{}", (it - names.begin()) + 1);
      }
      return Status::ParseError(fmt::format("{}: {}", where, ch.error.message));
    }
  }

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
      RunTasks(threads, n_chunks, [&](size_t t) {
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
    constexpr size_t kBlock = 1 << 24;
    std::string buf;
    int64_t count = 0;
    for (size_t pos = 0; pos < end; pos += kBlock) {
      buf.clear();
      RB_RETURN_IF_ERROR(Read(pos, std::min(end, pos + kBlock), &buf));
      count += std::count(buf.begin(), buf.end(), '\n');
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

// Part `opt.part` of a plain file: the head (header and inference rows) and
// the part's bytes are read, nothing else.
Result<Table> ReadPlainPart(const std::string& path, const CsvOptions& opt) {
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
  head.clear();
  head.shrink_to_fit();
  std::string text;
  RB_RETURN_IF_ERROR(file.Read(begin, end, &text));
  // Line numbers: newlines before the part are counted on demand.
  return ParseRows(text, 0, text.size(), lay, path, opt,
                   [&, begin = begin](size_t offset) -> int64_t {
                     auto before = file.CountNewlines(begin);
                     const int64_t in_part =
                         std::count(text.begin(), text.begin() + static_cast<long>(offset), '\n');
                     return 1 + (before.ok() ? *before : 0) + in_part;
                   });
}

}  // namespace

Result<Table> ReadCsv(const std::string& path, const CsvOptions& options) {
  if (options.parts > 1 && !IsGzipPath(path)) {
    RB_RETURN_IF_ERROR(options.Validate());
    size_t size = 0;
    RB_ASSIGN_OR_RETURN(const int fd, OpenRegularFile(path, &size));
    char magic[2] = {0, 0};
    const ssize_t got = ::pread(fd, magic, 2, 0);
    ::close(fd);
    if (!HasGzipMagic(std::string_view(magic, got == 2 ? 2 : 0)))
      return ReadPlainPart(path, options);
  }
  const int threads = options.threads > 0
                          ? options.threads
                          : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  RB_ASSIGN_OR_RETURN(FileBuffer bytes, ReadFileBuffer(path, threads));
  // A ".gz" name with other content is an error too (InflateGzip says so).
  if (HasGzipMagic(bytes.view()) || IsGzipPath(path)) {
    RB_ASSIGN_OR_RETURN(std::string text, InflateGzip(bytes.view(), path));
    bytes = FileBuffer();
    return ParseCsv(text, path, options);
  }
  return ParseCsv(bytes.view(), path, options);
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
  return ParseRows(text, begin, end, lay, source, opt,
                   [&](size_t offset) { return LineNumberAt(text, offset); });
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
