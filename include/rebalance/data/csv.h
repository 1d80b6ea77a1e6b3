// CSV and gzip-compressed CSV reading into a Table.
//
// Algorithm: a plain file is never held whole in memory: after its head
// (header and the rows used for type inference) it is read with pread in
// pieces of 256 KB into a buffer per thread, twice (no mmap, so a file cut
// while it is read is an error, never a crash; a file whose size or line
// count differs between the passes is an error too). On the project's VMs
// first touching fresh memory costs 2-4 ms per MB while reading the page
// cache again costs about 0.1 ms per MB, so the second read is far cheaper
// than a copy of the file. A gzip file is inflated whole (strict,
// data/file_read.h) and parsed in memory. The header and the first
// `infer_rows` rows give the column types unless given. The data lines are
// cut into chunks of about 4 MB, starting at the first line start at or
// after each nominal start, and parsed in two passes over a pool of
// `threads` threads: (1) the newlines of every chunk are counted (32 bytes
// at a time), which fixes the output row of each line, so (2) each chunk
// parses straight into the final column buffers (no per-chunk copies, no
// merge copy; blank lines leave slots that are closed up after).
// Each line goes first through a fused loop that finds the fields and reads
// the usual numbers as it scans; a line it does not take whole (a quote or
// blank at a field start, CR, missing tokens, a bad cell, a wrong field
// count) goes through the general splitter (quotes, trimming) and the
// previous reader's rules, which also give the errors.
// Integers of up to 18 digits are read by a digit loop, other numbers with
// std::from_chars (anything unusual with the exact rules of the previous
// reader: '+' prefix, int64 first, out-of-range to +-inf or 0); text cells
// are looked up in a per-chunk open-addressing dictionary keyed by views
// into the text (no allocation per field; a label is copied once per chunk),
// and the chunk dictionaries are merged in order of first appearance. A
// later cell that does not fit its column's type is an error naming file,
// line, column and what was expected; the first error in file order is the
// one reported, whatever the chunking. Results and messages are those of
// the reader before issue 20, bit for bit (src/data/csv_fingerprint_test.cc).
// Input forms: a UTF-8 byte-order mark is skipped; CRLF line ends are read;
// quoted fields may hold the delimiter and doubled quotes.
// Parts (CsvOptions::parts > 1, for distributed estimation): the data lines
// are split into `parts` byte shares of the (decompressed) text, cut at line
// starts (a line belongs to the part in which it begins), and only part
// `part` is parsed. Types are inferred from the first `infer_rows` rows of the
// file for every part, as for a whole read; the one way parts can still
// differ is an integer column promoted to f64 by a non-integer value in some
// part (a whole read promotes the column): agree on the types over the parts
// and apply them with UnifyColumnTypes. A plain file is read with pread:
// the head (header and the rows used for inference) and the part's own
// bytes, nothing else; a gzip file must be inflated whole, so every part
// pays the inflation and briefly holds the whole text. Error messages give
// the line number in the whole file (newlines before the part are counted
// only when an error is reported).
// Limits: quoted fields may contain the delimiter and doubled quotes, but not
// newlines (so cutting at newlines never splits a record).
#ifndef REBALANCE_DATA_CSV_H_
#define REBALANCE_DATA_CSV_H_

#include <map>
#include <string>
#include <vector>

#include "rebalance/core/status.h"
#include "rebalance/data/table.h"

namespace rebalance::data {

struct CsvOptions {
  // Field delimiter.
  char delimiter = ',';
  // Columns to keep, by header name; empty keeps all. Unknown names are an
  // error naming the nearest header.
  std::vector<std::string> select;
  // Forced column types by name; others are inferred.
  std::map<std::string, ColumnType> types;
  // Number of data rows used to infer column types.
  int64_t infer_rows = 10000;
  // Tokens read as missing (besides the empty field).
  std::vector<std::string> missing_tokens = {"NA", ".", "NaN", "nan"};
  // Parsing threads; 0 means all cores.
  int threads = 0;
  // Read only part `part` (0-based) of `parts` byte shares of the data lines
  // (see the banner); parts = 1 reads everything.
  int part = 0;
  int parts = 1;

  Status Validate() const;
};

// Reads `path` (".gz" suffix or gzip magic => decompressed).
Result<Table> ReadCsv(const std::string& path, const CsvOptions& options = {});

// Parses CSV text held in memory; `source` names it in messages.
Result<Table> ParseCsv(std::string_view text, const std::string& source,
                       const CsvOptions& options = {});

// Converts the columns of a table read in parts to the types agreed over all
// parts (types[c] for column c, in table order): an i64 column becomes f64
// where the agreed type is f64; any other difference is an error.
Status UnifyColumnTypes(Table& table, const std::vector<ColumnType>& types);

// Reads a whole file, inflating gzip, into a string (for other readers).
Result<std::string> ReadFileToString(const std::string& path);

// The writer is in csv_write.h.

}  // namespace rebalance::data

#endif  // REBALANCE_DATA_CSV_H_
