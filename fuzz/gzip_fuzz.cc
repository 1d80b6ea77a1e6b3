// Fuzz target: the strict gzip reader every file reader goes through
// (data::InflateGzip, data/file_read.h), then the CSV parser on its output.
// The first byte picks the mode:
//   0 raw: the bytes are a (possibly corrupt) gzip file. On success, the
//     file cut by its last byte and the file with a byte 'x' appended must
//     both be errors (no truncated or padded-with-garbage stream is
//     accepted), and the inflated text goes to data::ParseCsv.
//   1 deflate: the bytes are raw deflate data. Where zlib's raw inflate
//     reads them to a clean end, they are wrapped in a gzip header and a
//     correct trailer, and InflateGzip must return exactly zlib's output;
//     the same wrapping with a wrong CRC must be an error.
//   2 text: the bytes are text, compressed here (one or two members); the
//     whole file must read back exactly; a cut at any offset the next bytes
//     pick (but the end of the first of two members) must be an error naming
//     a byte offset; a flipped byte must be an
//     error or give the same text (CRC-32 detects every single-byte error in
//     the data; header fields like MTIME are not checked, by design).
// Every error must have a message that names the source.
#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_util.h"
#include "rebalance/data/csv.h"
#include "rebalance/data/file_read.h"

namespace {

using rebalance::fuzz::Check;
using rebalance::fuzz::CheckError;

constexpr const char* kSource = "fuzz.gz";

void CheckNamedError(const rebalance::Status& status) {
  CheckError(status);
  Check(status.message().find(kSource) != std::string::npos, "gzip error does not name the source");
}

std::string Gzip(std::string_view text) {
  z_stream zs{};
  deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&zs, text.size()) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  zs.avail_in = static_cast<uInt>(text.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  Check(deflate(&zs, Z_FINISH) == Z_STREAM_END, "deflate");
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

// zlib's raw inflate; true when the data ends cleanly (Z_STREAM_END) with no
// bytes left over.
bool RawInflate(std::string_view deflate, std::string* out) {
  z_stream zs{};
  if (inflateInit2(&zs, -MAX_WBITS) != Z_OK) return false;
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(deflate.data()));
  zs.avail_in = static_cast<uInt>(deflate.size());
  char buf[4096];
  int rc = Z_OK;
  while (rc == Z_OK) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    out->append(buf, sizeof buf - zs.avail_out);
    if (out->size() > (1u << 22)) break;  // a bomb: not this target's business
    if (rc == Z_BUF_ERROR) break;
  }
  const bool clean = rc == Z_STREAM_END && zs.avail_in == 0;
  inflateEnd(&zs);
  return clean;
}

void Le32(std::string* s, uint32_t v) {
  for (int i = 0; i < 4; ++i) s->push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

void ParseInflated(const std::string& text) {
  rebalance::data::CsvOptions opt;
  opt.threads = 1;
  opt.infer_rows = 3;
  auto table = rebalance::data::ParseCsv(text, kSource, opt);
  if (!table.ok()) {
    CheckError(table.status());
    return;
  }
  for (const auto& col : table->columns()) Check(col.size() == table->num_rows(), "ragged table");
}

void RawMode(std::string_view gz) {
  auto r = rebalance::data::InflateGzip(gz, kSource);
  if (!r.ok()) {
    CheckNamedError(r.status());
    return;
  }
  Check(!gz.empty(), "an empty file was accepted");
  // Zero bytes at the end are padding; cutting one of them is fine.
  if (gz.back() != '\0') {
    auto cut = rebalance::data::InflateGzip(gz.substr(0, gz.size() - 1), kSource);
    Check(!cut.ok(), "a gzip file cut by its last byte was accepted");
    CheckNamedError(cut.status());
  }
  auto padded = rebalance::data::InflateGzip(std::string(gz) + "x", kSource);
  Check(!padded.ok(), "trailing garbage was accepted");
  ParseInflated(*r);
}

void DeflateMode(std::string_view deflate) {
  std::string want;
  if (!RawInflate(deflate, &want)) return;
  std::string gz("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10);
  gz.append(deflate);
  const uint32_t crc = static_cast<uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(want.data()), static_cast<uInt>(want.size())));
  std::string bad = gz;
  Le32(&gz, crc);
  Le32(&gz, static_cast<uint32_t>(want.size()));
  auto r = rebalance::data::InflateGzip(gz, kSource);
  Check(r.ok(), "a valid gzip member around clean deflate data was refused");
  Check(*r == want, "InflateGzip differs from zlib's raw inflate");
  Le32(&bad, crc ^ 1u);
  Le32(&bad, static_cast<uint32_t>(want.size()));
  auto b = rebalance::data::InflateGzip(bad, kSource);
  Check(!b.ok(), "a wrong CRC was accepted");
  CheckNamedError(b.status());
  ParseInflated(*r);
}

void TextMode(std::string_view in) {
  if (in.size() < 4) return;
  const uint32_t pick = static_cast<uint32_t>(static_cast<uint8_t>(in[0])) |
                        static_cast<uint32_t>(static_cast<uint8_t>(in[1])) << 8 |
                        static_cast<uint32_t>(static_cast<uint8_t>(in[2])) << 16;
  const bool two_members = (in[3] & 1) != 0;
  const bool flip = (in[3] & 2) != 0;
  const std::string_view text = in.substr(4);
  std::string gz;
  size_t boundary = 0;  // end of the first member (a clean cut) with two
  if (two_members) {
    const size_t half = text.size() / 2;
    gz = Gzip(text.substr(0, half));
    boundary = gz.size();
    gz += Gzip(text.substr(half));
  } else {
    gz = Gzip(text);
  }
  auto whole = rebalance::data::InflateGzip(gz, kSource);
  Check(whole.ok(), "a gzip file made by zlib was refused");
  Check(*whole == text, "the inflated text differs from the original");
  const size_t at = pick % gz.size();
  if (flip) {
    std::string changed = gz;
    changed[at] = static_cast<char>(changed[at] ^ (1 + (in[3] >> 2 & 0x3F)));
    auto f = rebalance::data::InflateGzip(changed, kSource);
    if (f.ok()) {
      Check(*f == text, "a corrupted file was read as different text without an error");
    } else {
      CheckNamedError(f.status());
    }
  } else if (at != boundary) {
    auto cut = rebalance::data::InflateGzip(std::string_view(gz).substr(0, at), kSource);
    Check(!cut.ok(), "a truncated gzip file was accepted");
    CheckNamedError(cut.status());
    Check(cut.status().message().find("byte") != std::string::npos,
          "truncation error without a byte offset");
  }
  ParseInflated(*whole);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0:
      RawMode(bytes);
      break;
    case 1:
      DeflateMode(bytes);
      break;
    default:
      TextMode(bytes);
      break;
  }
  return 0;
}
