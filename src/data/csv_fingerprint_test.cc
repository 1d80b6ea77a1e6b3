// The CSV reader gives exactly what the reader before issue 20 gave: the
// same column names, types, values (bit for bit), missing masks and
// dictionaries, and the same error messages, on
//   - every file under REBALANCE_DATA_DIR (the shared datasets), read with
//     1 and 2 threads, in 2 parts, and tab-separated for .txt files;
//   - every file of the bad-input catalogue (tests/bad_inputs/*/);
//   - a list of small corrupt and unusual texts below (quotes, CRLF, BOM,
//     blank lines, bad UTF-8, overflow, ...), each also placed after a 1.2 MB
//     valid body so that it lands in the second of two parsing chunks.
// The reference is tests/golden/csv_reader/fingerprints.tsv, written by the
// previous reader (see its SOURCE.md). To rewrite it (only when a change of
// results is intended and reviewed):
//   REBALANCE_WRITE_CSV_FINGERPRINTS=$PWD/tests/golden/csv_reader/fingerprints.tsv
//   build/rebalance_data_test --gtest_filter=CsvFingerprint.*   (one command line)
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "rebalance/data/csv.h"

namespace rebalance::data {
namespace {

namespace fs = std::filesystem;

struct Fnv {
  uint64_t h = 1469598103934665603ULL;
  void Bytes(const void* p, size_t n) {
    const auto* b = static_cast<const unsigned char*>(p);
    for (size_t i = 0; i < n; ++i) {
      h ^= b[i];
      h *= 1099511628211ULL;
    }
  }
  template <class T>
  void Value(const T& v) {
    Bytes(&v, sizeof(v));
  }
  void Text(const std::string& s) {
    Value(s.size());
    Bytes(s.data(), s.size());
  }
};

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  if (from.empty()) return s;
  for (size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size()))
    s.replace(p, from.size(), to);
  return s;
}

// One line describing a read: the table's fingerprint or the error.
std::string Describe(const Result<Table>& t) {
  if (!t.ok()) {
    std::string m = t.status().ToString();
    std::replace(m.begin(), m.end(), '\n', ' ');
    std::replace(m.begin(), m.end(), '\t', ' ');
    return "error: " + m;
  }
  std::string out = fmt::format("rows={}", t->num_rows());
  for (const Column& c : t->columns()) {
    Fnv h;
    h.Text(c.name);
    h.Value(static_cast<int>(c.type));
    for (double v : c.f64) h.Value(v);
    for (int64_t v : c.i64) h.Value(v);
    for (int32_t v : c.codes) h.Value(v);
    h.Value(c.dictionary.size());
    for (const auto& s : c.dictionary) h.Text(s);
    h.Value(c.missing.size());
    for (uint8_t m : c.missing) h.Value(m);
    fmt::format_to(std::back_inserter(out), " | {}:{}:{:016x}", c.name, ToString(c.type), h.h);
  }
  return out;
}

// Small texts: each is parsed alone and after a large valid body.
std::vector<std::pair<std::string, std::string>> SyntheticCases() {
  return {
      {"plain", "a,b,c\n1,2.5,x\n2,NA,y\n,3,x\n"},
      {"crlf", "a,b\r\n1,2\r\n3,4\r\n"},
      {"bom",
       "\xEF\xBB\xBF"
       "a,b\n1,2\n"},
      {"bom_crlf_quoted", "\xEF\xBB\xBF\"a\",b\r\n\"x, y\",1\r\n\"say \"\"hi\"\"\",2\r\n"},
      {"quoted_numbers", "a,b\n\"1\",\" 2.5\"\n\"3\",4\n"},
      {"quoted_spaces", "a,b\n  \"q\"  ,1\n\"r\" ,2\n"},
      {"quoted_empty", "a,b\n\"\",1\nx,2\n"},
      {"unclosed_quote", "a,b\n\"abc,1\n"},
      {"text_after_quote", "a,b\n\"abc\"d,1\n"},
      {"ragged_short", "a,b,c\n1,2,3\n4,5\n"},
      {"ragged_long", "a,b\n1,2\n3,4,5\n"},
      {"trailing_delim", "a,b\n1,2,\n"},
      {"blank_lines", "a,b\n\n1,2\n   \n\t\n3,4\n\n"},
      {"no_final_newline", "a,b\n1,2\n3,4"},
      {"only_cr_line", "a,b\n1,2\n\r\n3,4\n"},
      {"spaces_around", "a , b\n 1 , 2.5 \n\t3\t,\t4\t\n"},
      {"text_in_number", "x,y\n1,2\n3,abc\n"},
      {"text_after_infer", "x,y\n1,2\n3,4\n5,6e\n"},
      {"int_then_float", "x\n1\n2\n3.5\n"},
      {"int_overflow", "x\n1\n99999999999999999999\n"},
      {"float_overflow", "x\n1.5\n1e999\n-1e999\n1e-999\n"},
      {"plus_sign", "x\n+5\n+2.5\n"},
      {"plus_minus", "x\n+-5\n"},
      {"inf_nan_words", "x\n1\ninf\n-inf\nnan\nNaN\nNA\n.\n-nan\ninfinity\n"},
      {"hex_and_junk", "x\n1\n0x10\n"},
      {"leading_zeros_dot", "x\n007\n.5\n5.\n-.5\n1e5\n1E+05\n"},
      {"missing_tokens", "a,b\nNA,x\n.,NA\nNaN,.\nnan,y\n"},
      {"all_missing", "a,b\nNA,1\n,2\n"},
      {"strings_missing", "s,v\nx,1\nNA,2\n,3\ny,4\n"},
      {"latin1_label", "s,v\ncaf\xE9,1\n"},
      {"latin1_header", "s\xE9,v\n1,2\n"},
      {"empty_header_name", "a,,c\n1,2,3\n"},
      {"duplicate_header", "a,b,a\n1,2,3\n"},
      {"empty", ""},
      {"only_blank", "  \n\r\n"},
      {"header_only", "a,b\n"},
      {"header_unclosed", "\"a,b\n1,2\n"},
      {"semicolon_text", "a;b\n1;2\n"},
      {"nul_byte", std::string("a,b\n1,2\n3,\0x\n", 14)},
      {"long_cell", "a\n1\n" + std::string(100, 'z') + "\n"},
      {"utf8_labels", "s,v\n\xC3\xA9t\xC3\xA9,1\n\xE6\x97\xA5,2\n"},
      {"negative_zero", "x\n-0\n-0.0\n0\n"},
      {"big_ints", "x\n9223372036854775807\n-9223372036854775808\n"},
      {"many_digits", "x\n0.1000000000000000055511151231257827021181583404541015625\n"},
      {"subnormal", "x\n4.9406564584124654e-324\n2.2250738585072014e-308\n"},
      {"quote_in_unquoted", "a,b\nx\"y,1\n"},
      {"cr_inside", "a,b\n1\r2,3\n"},
      {"tab_in_quotes", "a,b\n\"\tx\t\",1\n"},
  };
}

// About 1.2 MB of valid rows with the same columns as `header`'s first line,
// so the case's own rows fall in the second of two chunks.
std::string BigPrefix(const std::string& text) {
  const size_t nl = text.find('\n');
  if (nl == std::string::npos) return text;
  const std::string header = text.substr(0, nl + 1);
  size_t fields = 1;
  for (size_t i = 0; i < nl; ++i)
    if (text[i] == ',') ++fields;
  std::string row;
  for (size_t f = 0; f < fields; ++f) row += f ? ",7" : "7";
  row += '\n';
  std::string out = header;
  while (out.size() < (size_t{1} << 20) + 200000) out += row;
  return out + text.substr(nl + 1);
}

std::vector<std::string> Observe() {
  std::vector<std::string> lines;
  const std::string data_dir = REBALANCE_DATA_DIR;
  const std::string src_dir = REBALANCE_SOURCE_DIR;
  auto add = [&](const std::string& name, const std::string& mode, const Result<Table>& t) {
    std::string d = Describe(t);
    d = Replace(d, data_dir, "{data}");
    d = Replace(d, src_dir, "{src}");
    lines.push_back(name + "\t" + mode + "\t" + d);
  };
  auto read_modes = [&](const std::string& path, const std::string& name) {
    for (int threads : {1, 2}) {
      CsvOptions o;
      o.threads = threads;
      add(name, fmt::format("threads={}", threads), ReadCsv(path, o));
    }
    for (int part = 0; part < 2; ++part) {
      CsvOptions o;
      o.threads = 2;
      o.parts = 2;
      o.part = part;
      add(name, fmt::format("part={}/2", part), ReadCsv(path, o));
    }
    if (path.find(".txt") != std::string::npos || path.find(".tsv") != std::string::npos) {
      CsvOptions o;
      o.delimiter = '\t';
      add(name, "tab", ReadCsv(path, o));
    }
  };
  std::vector<std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(data_dir))
    if (e.is_regular_file()) files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) read_modes(f, "data/" + f.substr(data_dir.size() + 1));
  const std::string bad = src_dir + "/tests/bad_inputs";
  files.clear();
  for (const auto& e : fs::recursive_directory_iterator(bad))
    if (e.is_regular_file() && e.path().filename() != "cases.tsv")
      files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) read_modes(f, "bad/" + f.substr(bad.size() + 1));
  for (const auto& [name, text] : SyntheticCases()) {
    CsvOptions one;
    one.threads = 1;
    add("text/" + name, "threads=1", ParseCsv(text, name + ".csv", one));
    CsvOptions two;
    two.threads = 2;
    add("text/" + name, "big,threads=2", ParseCsv(BigPrefix(text), name + ".csv", two));
    CsvOptions sel = two;
    sel.select = {"b"};
    add("text/" + name, "big,select=b", ParseCsv(BigPrefix(text), name + ".csv", sel));
    // First column forced to text, last to f64 (names from the header).
    const auto header = ParseCsv(text.substr(0, text.find('\n') + 1), name + ".csv", one);
    if (header.ok() && header->num_columns() > 1) {
      CsvOptions forced = two;
      forced.types = {{header->columns().front().name, ColumnType::kString},
                      {header->columns().back().name, ColumnType::kF64}};
      add("text/" + name, "types", ParseCsv(text, name + ".csv", forced));
      add("text/" + name, "big,types", ParseCsv(BigPrefix(text), name + ".csv", forced));
    }
  }
  return lines;
}

// A file is streamed from disk in pieces (ReadCsv on a plain file) while a
// text in memory is parsed in place (ParseCsv): every synthetic case, alone,
// after the 1.2 MB body, and (1 thread) after a 4.8 MB body (two 4 MB
// chunks and many 256 KB pieces even with 1 thread), gives the same table or error message
// through both.
TEST(CsvFingerprint, FilesStreamedFromDiskReadAsTheirTextParses) {
  const std::string dir = testing::TempDir() + "rebalance_csv_stream";
  fs::create_directories(dir);
  const auto huge_prefix = [](const std::string& text) {
    std::string big = BigPrefix(text);
    const size_t nl = big.find('\n');
    if (nl == std::string::npos) return big;
    const size_t body_end = big.size() - (text.size() - std::min(text.size(), text.find('\n') + 1));
    std::string rows = big.substr(nl + 1, body_end - nl - 1);
    std::string out = big.substr(0, nl + 1);
    for (int i = 0; i < 4; ++i) out += rows;
    return out + big.substr(body_end);
  };
  int compared = 0;
  for (const auto& [name, text] : SyntheticCases()) {
    for (const auto& [form, body] : std::vector<std::pair<std::string, std::string>>{
             {"alone", text}, {"big", BigPrefix(text)}, {"huge", huge_prefix(text)}}) {
      const std::string path = dir + "/" + name + "_" + form + ".csv";
      std::ofstream(path, std::ios::binary)
          .write(body.data(), static_cast<std::streamsize>(body.size()));
      for (int threads : {1, 2}) {
        if (form == "huge" && threads == 2) continue;
        CsvOptions o;
        o.threads = threads;
        EXPECT_EQ(Describe(ReadCsv(path, o)), Describe(ParseCsv(body, path, o)))
            << name << " " << form << " threads=" << threads;
        ++compared;
      }
      fs::remove(path);
    }
  }
  EXPECT_EQ(compared, static_cast<int>(SyntheticCases().size()) * 5);
}

// A line longer than the 256 KB piece of the file reader (the piece grows
// to hold it), with its error reported at its own line.
TEST(CsvFingerprint, LinesLongerThanAReadPiece) {
  std::string text = "id,label,v\n";
  for (int i = 0; i < 30000; ++i) text += fmt::format("{},p{},{}.5\n", i, i % 7, i);
  text += "30000," + std::string(700000, 'q') + ",1.5\n";
  for (int i = 30001; i < 60000; ++i) text += fmt::format("{},p{},{}.5\n", i, i % 7, i);
  const std::string bad = text + "60000,x," + std::string(300000, '9') + "z\n";
  const std::string dir = testing::TempDir() + "rebalance_csv_stream";
  fs::create_directories(dir);
  for (const auto& [name, body] : std::vector<std::pair<std::string, std::string>>{
           {"long.csv", text}, {"long_bad.csv", bad}}) {
    const std::string path = dir + "/" + name;
    std::ofstream(path, std::ios::binary)
        .write(body.data(), static_cast<std::streamsize>(body.size()));
    for (int threads : {1, 2}) {
      CsvOptions o;
      o.threads = threads;
      const auto from_file = ReadCsv(path, o);
      EXPECT_EQ(Describe(from_file), Describe(ParseCsv(body, path, o))) << name;
      if (name == std::string("long.csv")) {
        ASSERT_TRUE(from_file.ok()) << from_file.status().ToString();
        EXPECT_EQ(from_file->num_rows(), 60000);
        EXPECT_EQ(from_file->columns()[1].dictionary.size(), 8u);
      } else {
        ASSERT_FALSE(from_file.ok());
        EXPECT_NE(from_file.status().message().find(path + ":60002:3: expected a number"),
                  std::string::npos)
            << from_file.status().message();
      }
    }
    fs::remove(path);
  }
}

TEST(CsvFingerprint, SameTablesAndErrorsAsTheReferenceReader) {
  const std::vector<std::string> got = Observe();
  if (const char* out = std::getenv("REBALANCE_WRITE_CSV_FINGERPRINTS")) {
    std::ofstream f(out);
    for (const auto& l : got) f << l << '\n';
    GTEST_SKIP() << "wrote " << got.size() << " lines to " << out;
  }
  std::ifstream f(std::string(REBALANCE_SOURCE_DIR) + "/tests/golden/csv_reader/fingerprints.tsv");
  ASSERT_TRUE(f) << "no tests/golden/csv_reader/fingerprints.tsv";
  std::vector<std::string> want;
  for (std::string l; std::getline(f, l);) want.push_back(l);
  // Datasets absent on this machine are compared only where present.
  const auto key = [](const std::string& l) { return l.substr(0, l.rfind('\t')); };
  std::map<std::string, std::string> reference;
  for (const auto& l : want) reference[key(l)] = l;
  size_t compared = 0;
  for (const auto& l : got) {
    const auto it = reference.find(key(l));
    if (it == reference.end()) {
      ADD_FAILURE() << "not in the reference: " << l;
      continue;
    }
    EXPECT_EQ(l, it->second);
    ++compared;
  }
  EXPECT_GE(compared, want.size() * 9 / 10) << "most reference lines must be compared";
}

}  // namespace
}  // namespace rebalance::data
