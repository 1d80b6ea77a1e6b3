// Separator option parsing and detection from the header line (csv_sniff.h).
#include "rebalance/data/csv_sniff.h"

#include <fmt/format.h>
#include <zlib.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace rebalance::data {
namespace {

std::string_view StripHeader(std::string_view header) {
  if (header.substr(0, 3) == "\xEF\xBB\xBF") header.remove_prefix(3);
  if (!header.empty() && header.back() == '\r') header.remove_suffix(1);
  return header;
}

// Occurrences of each candidate outside double quotes.
std::array<int, 4> Counts(std::string_view header) {
  std::array<int, 4> n{};
  bool quoted = false;
  for (char c : header) {
    if (c == '"') quoted = !quoted;
    if (quoted) continue;
    for (size_t k = 0; k < 4; ++k) n[k] += c == kSeparatorCandidates[k];
  }
  return n;
}

}  // namespace

Result<char> ParseSeparator(std::string_view text) {
  if (text.empty() || text == "auto") return '\0';
  if (text == "," || text == "comma") return ',';
  if (text == ";" || text == "semicolon") return ';';
  if (text == "\t" || text == "tab" || text == "\\t") return '\t';
  if (text == "|" || text == "pipe") return '|';
  return Status::InvalidArgument(fmt::format(
      "separator '{}': expected ',' (comma), ';' (semicolon), tab, '|' (pipe) or auto", text));
}

std::string SeparatorName(char separator) {
  if (separator == '\t') return "tab";
  return fmt::format("'{}'", separator);
}

char DetectSeparator(std::string_view header) {
  const std::array<int, 4> n = Counts(StripHeader(header));
  size_t best = 0;
  for (size_t k = 1; k < 4; ++k) {
    if (n[k] > n[best]) best = k;
  }
  return kSeparatorCandidates[best];
}

Status CheckHeaderSeparator(std::string_view header, char separator, const std::string& source) {
  header = StripHeader(header);
  const std::array<int, 4> n = Counts(header);
  for (size_t k = 0; k < 4; ++k) {
    if (kSeparatorCandidates[k] == separator && n[k] > 0) return Status::Ok();
  }
  if (n[0] + n[1] + n[2] + n[3] == 0) return Status::Ok();  // one column, no other candidate
  const char found = DetectSeparator(header);
  const std::string shown =
      header.size() > 60 ? std::string(header.substr(0, 57)) + "..." : std::string(header);
  return Status::InvalidArgument(fmt::format(
      "{}: line 1: the header '{}' has no {} separator, so it would be read as one "
      "column, but it contains {}: the file looks {}-separated (give that separator, "
      "or auto to detect it)",
      source, shown, SeparatorName(separator), SeparatorName(found), SeparatorName(found)));
}

Result<std::string> ReadHeaderLine(const std::string& path) {
  // gzopen reads uncompressed files as they are.
  gzFile f = gzopen(path.c_str(), "rb");
  if (f == nullptr) {
    return Status::IoError(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  }
  std::string line;
  constexpr size_t kMax = size_t{1} << 20;
  char buf[4096];
  while (line.size() < kMax) {
    const int got = gzread(f, buf, sizeof(buf));
    if (got < 0) {
      int err = 0;
      const std::string msg = gzerror(f, &err);
      gzclose(f);
      return Status::IoError(fmt::format("{}: cannot read: {}", path, msg));
    }
    if (got == 0) break;
    const char* nl = static_cast<const char*>(std::memchr(buf, '\n', static_cast<size_t>(got)));
    if (nl != nullptr) {
      line.append(buf, static_cast<size_t>(nl - buf));
      break;
    }
    line.append(buf, static_cast<size_t>(got));
  }
  gzclose(f);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

Result<char> ResolveSeparator(const std::string& path, std::string_view option) {
  RB_ASSIGN_OR_RETURN(char sep, ParseSeparator(option));
  // Only a regular file is looked at (a FIFO would be consumed); anything
  // else, or a file that cannot be read, is left to the reader to report.
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return sep == '\0' ? ',' : sep;
  auto read = ReadHeaderLine(path);
  if (!read.ok()) return sep == '\0' ? ',' : sep;
  const std::string& header = *read;
  if (sep == '\0') return DetectSeparator(header);
  RB_RETURN_IF_ERROR(CheckHeaderSeparator(header, sep, path));
  return sep;
}

}  // namespace rebalance::data
