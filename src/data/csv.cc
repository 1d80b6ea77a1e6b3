// CSV reader: see include/rebalance/data/csv.h for the algorithm and limits.
#include "rebalance/data/csv.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <utility>

#include <fmt/format.h>

#include "rebalance/core/atomic_file.h"
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

struct ChunkColumn {
  ColumnType type = ColumnType::kF64;
  std::vector<double> f64;
  std::vector<int64_t> i64;
  std::vector<int32_t> codes;
  std::vector<std::string> dict;
  std::unordered_map<std::string, int32_t> index;
  std::vector<uint8_t> missing;
  bool any_missing = false;
};

struct ChunkError {
  size_t offset = std::numeric_limits<size_t>::max();
  std::string column;
  std::string message;
  bool has = false;
};

struct Chunk {
  size_t begin = 0, end = 0;
  std::vector<ChunkColumn> cols;
  int64_t rows = 0;
  ChunkError error;
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

void ParseChunk(std::string_view text, const CsvOptions& opt, const std::vector<int>& field_to_sel,
                int n_fields, const std::vector<ColumnType>& sel_types,
                const std::vector<std::string>& sel_names, Chunk* chunk) {
  const MissingSet missing(opt.missing_tokens);
  const size_t n_sel = sel_types.size();
  chunk->cols.resize(n_sel);
  for (size_t c = 0; c < n_sel; ++c) chunk->cols[c].type = sel_types[c];
  std::vector<std::string_view> fields;
  std::string scratch;
  std::vector<std::string> unquoted;
  unquoted.reserve(static_cast<size_t>(n_fields));
  std::string err;
  size_t pos = chunk->begin;
  while (pos < chunk->end) {
    const void* nl = std::memchr(text.data() + pos, '\n', chunk->end - pos);
    const size_t line_end =
        nl ? static_cast<size_t>(static_cast<const char*>(nl) - text.data()) : chunk->end;
    std::string_view line = text.substr(pos, line_end - pos);
    const size_t line_offset = pos;
    pos = line_end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (Trim(line).empty()) continue;  // blank lines are skipped
    if (!SplitLine(line, opt.delimiter, &fields, &scratch, &unquoted, &err)) {
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
    for (int f = 0; f < n_fields; ++f) {
      const int c = field_to_sel[static_cast<size_t>(f)];
      if (c < 0) continue;
      ChunkColumn& col = chunk->cols[static_cast<size_t>(c)];
      const std::string_view tok = fields[static_cast<size_t>(f)];
      if (col.type == ColumnType::kString) {
        if (missing.Contains(tok)) {
          col.codes.push_back(-1);
          col.missing.push_back(1);
          col.any_missing = true;
          continue;
        }
        auto it = col.index.find(std::string(tok));
        int32_t code;
        if (it == col.index.end()) {
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
          code = static_cast<int32_t>(col.dict.size());
          col.dict.emplace_back(tok);
          col.index.emplace(std::string(tok), code);
        } else {
          code = it->second;
        }
        col.codes.push_back(code);
        col.missing.push_back(0);
        continue;
      }
      const Token t = Classify(tok, missing);
      if (t.kind == TokenKind::kText) {
        chunk->error = {line_offset + static_cast<size_t>(tok.data() - line.data()),
                        sel_names[static_cast<size_t>(c)],
                        fmt::format("expected a number in column '{}' (column {}), found '{}'",
                                    sel_names[static_cast<size_t>(c)], f + 1, Abbrev(tok)),
                        true};
        chunk->error.offset = line_offset;
        return;
      }
      if (t.kind == TokenKind::kMissing) {
        col.any_missing = true;
        col.missing.push_back(1);
        if (col.type == ColumnType::kI64)
          col.i64.push_back(0);
        else
          col.f64.push_back(kNaN);
        continue;
      }
      col.missing.push_back(0);
      if (col.type == ColumnType::kI64) {
        if (t.kind == TokenKind::kInt) {
          col.i64.push_back(t.i);
        } else {
          // promote this chunk's column to f64
          col.f64.reserve(col.i64.size() + 1024);
          for (size_t r = 0; r < col.i64.size(); ++r)
            col.f64.push_back(col.missing[r] ? kNaN : static_cast<double>(col.i64[r]));
          col.i64.clear();
          col.i64.shrink_to_fit();
          col.type = ColumnType::kF64;
          col.f64.push_back(t.d);
        }
      } else {
        col.f64.push_back(t.d);
      }
    }
    ++chunk->rows;
  }
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
    const MissingSet missing(opt.missing_tokens);
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
        const Token t = Classify(fields[static_cast<size_t>(sel_fields[c])], missing);
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

// Parses the data lines text[begin, end); line_of(offset) is the file line
// number of a byte of `text` (called only to report an error).
Result<Table> ParseRows(std::string_view text, size_t begin, size_t end_of_rows, const Layout& lay,
                        const std::string& source, const CsvOptions& opt,
                        const std::function<int64_t(size_t)>& line_of) {
  const std::vector<std::string>& names = lay.names;
  const size_t n_sel = lay.sel_fields.size();
  const std::vector<ColumnType>& sel_types = lay.sel_types;
  const std::vector<std::string>& sel_names = lay.sel_names;
  // Chunking at line boundaries.
  int threads =
      opt.threads > 0 ? opt.threads : static_cast<int>(std::thread::hardware_concurrency());
  threads = std::max(1, threads);
  const size_t body = end_of_rows - begin;
  if (body < (1u << 20)) threads = 1;
  std::vector<Chunk> chunks(static_cast<size_t>(threads));
  {
    size_t start = begin;
    for (int t = 0; t < threads; ++t) {
      size_t end = (t == threads - 1)
                       ? end_of_rows
                       : begin + body * static_cast<size_t>(t + 1) / static_cast<size_t>(threads);
      if (end < start) end = start;
      if (t != threads - 1) {
        const size_t nl = text.substr(0, end_of_rows).find('\n', end);
        end = (nl == std::string_view::npos) ? end_of_rows : nl + 1;
      }
      chunks[static_cast<size_t>(t)].begin = start;
      chunks[static_cast<size_t>(t)].end = end;
      start = end;
    }
  }
  if (threads == 1) {
    ParseChunk(text, opt, lay.field_to_sel, lay.n_fields, sel_types, sel_names, &chunks[0]);
  } else {
    std::vector<std::thread> pool;
    for (auto& ch : chunks) {
      pool.emplace_back([&, chp = &ch] {
        // An exception must not leave a thread (std::terminate).
        try {
          ParseChunk(text, opt, lay.field_to_sel, lay.n_fields, sel_types, sel_names, chp);
        } catch (const std::exception& e) {
          chp->error = {chp->begin, "",
                        fmt::format("out of memory or internal error while parsing: {}", e.what()),
                        true};
        }
      });
    }
    for (auto& th : pool) th.join();
  }
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

  // Merge.
  Table table;
  table.source = source;
  int64_t total_rows = 0;
  for (const auto& ch : chunks) total_rows += ch.rows;
  for (size_t c = 0; c < n_sel; ++c) {
    Column col;
    col.name = sel_names[c];
    ColumnType type = sel_types[c];
    bool any_missing = false;
    for (const auto& ch : chunks) {
      if (ch.cols.empty()) continue;
      if (ch.cols[c].type == ColumnType::kF64 && type == ColumnType::kI64) type = ColumnType::kF64;
      any_missing |= ch.cols[c].any_missing;
    }
    col.type = type;
    if (any_missing) col.missing.reserve(static_cast<size_t>(total_rows));
    if (type == ColumnType::kString) {
      std::unordered_map<std::string, int32_t> global;
      col.codes.reserve(static_cast<size_t>(total_rows));
      for (auto& ch : chunks) {
        if (ch.cols.empty()) continue;
        auto& cc = ch.cols[c];
        std::vector<int32_t> remap(cc.dict.size());
        for (size_t k = 0; k < cc.dict.size(); ++k) {
          auto [it, ins] = global.emplace(cc.dict[k], static_cast<int32_t>(col.dictionary.size()));
          if (ins) col.dictionary.push_back(cc.dict[k]);
          remap[k] = it->second;
        }
        for (int32_t code : cc.codes)
          col.codes.push_back(code < 0 ? -1 : remap[static_cast<size_t>(code)]);
        if (any_missing)
          col.missing.insert(col.missing.end(), cc.missing.begin(), cc.missing.end());
        cc = ChunkColumn();
      }
    } else if (type == ColumnType::kI64) {
      col.i64.reserve(static_cast<size_t>(total_rows));
      for (auto& ch : chunks) {
        if (ch.cols.empty()) continue;
        auto& cc = ch.cols[c];
        col.i64.insert(col.i64.end(), cc.i64.begin(), cc.i64.end());
        if (any_missing)
          col.missing.insert(col.missing.end(), cc.missing.begin(), cc.missing.end());
        cc = ChunkColumn();
      }
    } else {
      col.f64.reserve(static_cast<size_t>(total_rows));
      for (auto& ch : chunks) {
        if (ch.cols.empty()) continue;
        auto& cc = ch.cols[c];
        if (cc.type == ColumnType::kI64) {
          for (size_t r = 0; r < cc.i64.size(); ++r)
            col.f64.push_back(cc.missing[r] ? kNaN : static_cast<double>(cc.i64[r]));
        } else {
          col.f64.insert(col.f64.end(), cc.f64.begin(), cc.f64.end());
        }
        if (any_missing)
          col.missing.insert(col.missing.end(), cc.missing.begin(), cc.missing.end());
        cc = ChunkColumn();
      }
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
  RB_ASSIGN_OR_RETURN(std::string text, ReadFileToString(path));
  return ParseCsv(text, path, options);
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
