// Strict gzip and whole-file reading (data/file_read.h, issue 15): a gzip
// stream that ends early, a CRC or length mismatch, trailing garbage, an
// empty .gz, a second member cut short, and paths that are not regular files
// are errors naming the file (and the byte offset); concatenated members are
// read as `gzip -d` reads them. The last test truncates a real shared dataset
// at 100 random offsets.
#include "rebalance/data/file_read.h"

#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include <gtest/gtest.h>

#include "rebalance/data/csv.h"

namespace rebalance::data {
namespace {

namespace fs = std::filesystem;

// One gzip member of `text` (zlib, independent of the reader under test).
std::string Gzip(const std::string& text, int level = 6) {
  z_stream zs{};
  EXPECT_EQ(deflateInit2(&zs, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&zs, text.size()) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  zs.avail_in = static_cast<uInt>(text.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

std::string Rows(int n) {
  std::string text = "id,name,value\n";
  for (int i = 0; i < n; ++i) {
    text += std::to_string(i) + ",\"label " + std::to_string(i % 17) + "\"," +
            std::to_string(i * 0.25) + "\n";
  }
  return text;
}

std::string TempPath(const std::string& name) {
  return testing::TempDir() + "rebalance_file_read_" + name;
}

std::string WriteTemp(const std::string& name, const std::string& bytes) {
  const std::string path = TempPath(name);
  std::ofstream(path, std::ios::binary)
      .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return path;
}

TEST(Gzip, WholeMemberInflates) {
  const std::string text = Rows(500);
  auto r = InflateGzip(Gzip(text), "mem.gz");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, text);
}

TEST(Gzip, EveryTruncationIsAnErrorWithTheOffset) {
  // Cuts inside the header, inside the deflate data (mid-row, mid-quoted
  // field, mid-number: the text is all of those) and inside the trailer.
  const std::string gz = Gzip(Rows(300));
  for (size_t cut = 1; cut < gz.size(); cut += (cut < 40 || cut > gz.size() - 12) ? 1 : 37) {
    auto r = InflateGzip(std::string_view(gz).substr(0, cut), "cut.gz");
    ASSERT_FALSE(r.ok()) << "accepted a stream cut at byte " << cut << " of " << gz.size();
    EXPECT_NE(r.status().message().find("cut.gz"), std::string::npos) << r.status().message();
    EXPECT_NE(r.status().message().find("byte"), std::string::npos) << r.status().message();
  }
}

TEST(Gzip, TruncatedAtTheTrailerSaysTruncated) {
  const std::string gz = Gzip(Rows(300));
  auto r = InflateGzip(std::string_view(gz).substr(0, gz.size() - 8), "t.gz");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("truncated"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find(std::to_string(gz.size() - 8)), std::string::npos)
      << r.status().message();
}

TEST(Gzip, CrcAndLengthMismatchesAreErrors) {
  std::string gz = Gzip(Rows(100));
  std::string bad_crc = gz;
  bad_crc[gz.size() - 8] ^= 0x01;  // CRC-32, first byte
  auto r = InflateGzip(bad_crc, "crc.gz");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("incorrect data check"), std::string::npos)
      << r.status().message();
  std::string bad_len = gz;
  bad_len[gz.size() - 4] ^= 0x01;  // ISIZE, first byte
  r = InflateGzip(bad_len, "len.gz");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("incorrect length check"), std::string::npos)
      << r.status().message();
}

TEST(Gzip, TrailingGarbageIsAnError) {
  const std::string gz = Gzip(Rows(50));
  for (const std::string& tail :
       {std::string("x"), std::string("\0\0\n", 3), std::string("\x1f", 1)}) {
    auto r = InflateGzip(gz + tail, "tail.gz");
    ASSERT_FALSE(r.ok()) << "accepted " << tail.size() << " trailing byte(s)";
    EXPECT_NE(r.status().message().find(std::to_string(gz.size())), std::string::npos)
        << r.status().message();
  }
}

TEST(Gzip, ZeroPaddingAfterTheLastMemberIsIgnoredAsGzipDoes) {
  const std::string text = Rows(30);
  auto r = InflateGzip(Gzip(text) + std::string(512, '\0'), "padded.gz");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, text);
}

TEST(Gzip, ConcatenatedMembersAreReadAndASecondMemberCutShortIsNot) {
  const std::string a = Rows(40), b = "40,\"x\",1\n41,\"y\",2\n";
  const std::string two = Gzip(a) + Gzip(b);
  auto r = InflateGzip(two, "two.gz");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, a + b);
  for (size_t cut = Gzip(a).size() + 1; cut < two.size(); ++cut) {
    auto c = InflateGzip(std::string_view(two).substr(0, cut), "two.gz");
    ASSERT_FALSE(c.ok()) << "accepted a second member cut at byte " << cut;
  }
}

TEST(Gzip, EmptyAndNotGzipAreErrors) {
  auto r = InflateGzip("", "empty.gz");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("empty"), std::string::npos);
  r = InflateGzip("a,b\n1,2\n", "plain.gz");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("not gzip"), std::string::npos);
}

TEST(ReadFile, GzipSuffixOrMagicIsInflatedStrictly) {
  const std::string text = Rows(200);
  const std::string gz = Gzip(text);
  auto ok = ReadFileToString(WriteTemp("ok.csv.gz", gz));
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(*ok, text);
  // gzip data without the .gz name is recognised by its magic bytes.
  ok = ReadFileToString(WriteTemp("magic.csv", gz));
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, text);
  // A cut file fails through every entry point: ReadFileToString, ReadCsv
  // (also in parts), as before the fix it returned the rows before the cut.
  const std::string cut = WriteTemp("cut.csv.gz", gz.substr(0, gz.size() / 2));
  EXPECT_FALSE(ReadFileToString(cut).ok());
  EXPECT_FALSE(ReadCsv(cut).ok());
  CsvOptions parts;
  parts.parts = 2;
  EXPECT_FALSE(ReadCsv(cut, parts).ok());
  EXPECT_FALSE(ReadFileToString(WriteTemp("empty.csv.gz", "")).ok());
}

TEST(ReadFile, DirectoriesFifosAndDanglingLinksAreClearErrors) {
  const std::string dir = TempPath("dir");
  fs::create_directories(dir);
  const std::string link = TempPath("link_to_dir");
  fs::remove(link);
  fs::create_directory_symlink(dir, link);
  const std::string fifo = TempPath("fifo");
  fs::remove(fifo);
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const std::string dangling = TempPath("dangling");
  fs::remove(dangling);
  fs::create_symlink(TempPath("no_such_target"), dangling);
  struct Case {
    std::string path, want;
  };
  for (const Case& c : {Case{dir, "is a directory"}, Case{link, "is a directory"},
                        Case{fifo, "is a FIFO"}, Case{dangling, "symbolic link"}}) {
    // A FIFO without a writer must not block (the test would hang).
    auto r = ReadFileToString(c.path);
    ASSERT_FALSE(r.ok()) << c.path;
    EXPECT_NE(r.status().message().find(c.want), std::string::npos) << r.status().message();
    EXPECT_NE(r.status().message().find(c.path), std::string::npos) << r.status().message();
    auto t = ReadCsv(c.path);
    ASSERT_FALSE(t.ok());
    CsvOptions parts;
    parts.parts = 2;
    t = ReadCsv(c.path, parts);
    ASSERT_FALSE(t.ok()) << c.path;
    EXPECT_NE(t.status().message().find(c.want), std::string::npos) << t.status().message();
  }
  fs::remove(fifo);
}

// The dataset of the estimation examples, cut at 100 random byte offsets
// (fixed seed): no cut may read as a shorter table.
TEST(ReadFile, TruncatedSharedDatasetNeverReadsAsFewerRows) {
  const std::string src =
      std::string(REBALANCE_DATA_DIR) + "/yotov2016_agtpa/agtpa_applications.csv.gz";
  if (!fs::exists(src)) GTEST_SKIP() << src << " not found";
  auto bytes = ReadFileBytes(src);
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  // Reference row count from zlib's own gzip reader (an independent path).
  int64_t newlines = 0;
  {
    gzFile f = gzopen(src.c_str(), "rb");
    ASSERT_NE(f, nullptr);
    char buf[1 << 16];
    int n = 0;
    while ((n = gzread(f, buf, sizeof buf)) > 0) newlines += std::count(buf, buf + n, '\n');
    gzclose(f);
  }
  CsvOptions opt;
  opt.threads = 2;
  auto full = ReadCsv(src, opt);
  ASSERT_TRUE(full.ok()) << full.status().ToString();
  EXPECT_EQ(full->num_rows(), newlines - 1);  // the header line
  std::mt19937_64 rng(20261206);
  std::uniform_int_distribution<size_t> offset(0, bytes->size() - 1);
  const std::string path = TempPath("agtpa_cut.csv.gz");
  int errors = 0;
  for (int i = 0; i < 100; ++i) {
    const size_t cut = offset(rng);
    {
      std::ofstream out(path, std::ios::binary | std::ios::trunc);
      out.write(bytes->data(), static_cast<std::streamsize>(cut));
    }
    auto t = ReadCsv(path, opt);
    if (t.ok()) {
      ADD_FAILURE() << "cut at byte " << cut << " of " << bytes->size() << " read as "
                    << t->num_rows() << " rows of " << full->num_rows() << " without an error";
      continue;
    }
    ++errors;
    EXPECT_NE(t.status().message().find("byte"), std::string::npos) << t.status().message();
  }
  EXPECT_EQ(errors, 100);
  fs::remove(path);
}

// Issue 20: with ISA-L's igzip inflating (GzipInflaterName), members whose
// header zlib rejects stay errors with zlib's words (reserved flag bits, a
// method other than deflate, a header CRC that does not match), and large
// concatenated members are cut where each one ends.
TEST(Gzip, HeadersZlibRejectsStayErrorsWhateverTheInflater) {
  const std::string gz = Gzip(Rows(200));
  std::string reserved = gz;
  reserved[3] = static_cast<char>(reserved[3] | 0x20);
  auto r = InflateGzip(reserved, "flags.gz");
  ASSERT_FALSE(r.ok()) << GzipInflaterName();
  EXPECT_NE(r.status().message().find("unknown header flags set"), std::string::npos)
      << r.status().message();
  std::string method = gz;
  method[2] = 7;
  r = InflateGzip(method, "method.gz");
  ASSERT_FALSE(r.ok()) << GzipInflaterName();
  EXPECT_NE(r.status().message().find("unknown compression method"), std::string::npos)
      << r.status().message();
  // FHCRC: the header's CRC-16 (low half of the CRC-32 of bytes 0-9) after
  // the 10-byte header; a wrong one is an error, a right one is read.
  std::string with_hcrc = gz.substr(0, 10);
  with_hcrc[3] = static_cast<char>(with_hcrc[3] | 0x02);
  const uLong crc = crc32(0L, reinterpret_cast<const Bytef*>(with_hcrc.data()), 10);
  std::string good = with_hcrc;
  good += static_cast<char>(crc & 0xff);
  good += static_cast<char>((crc >> 8) & 0xff);
  good += gz.substr(10);
  r = InflateGzip(good, "hcrc.gz");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, Rows(200));
  std::string bad = good;
  bad[10] = static_cast<char>(bad[10] ^ 0x01);
  r = InflateGzip(bad, "hcrc_bad.gz");
  ASSERT_FALSE(r.ok()) << GzipInflaterName();
  EXPECT_NE(r.status().message().find("header crc mismatch"), std::string::npos)
      << r.status().message();
}

TEST(Gzip, LargeConcatenatedMembersAreReadWhole) {
  std::string a = Rows(60000), b = Rows(1), c = Rows(45000);
  for (char& ch : c)
    if (ch == '5') ch = '6';
  for (int level : {1, 9}) {
    const std::string gz = Gzip(a, level) + Gzip(b, level) + Gzip(c, level);
    auto r = InflateGzip(gz, "three.gz");
    ASSERT_TRUE(r.ok()) << r.status().ToString() << " " << GzipInflaterName();
    EXPECT_TRUE(*r == a + b + c) << "level " << level << ", " << r->size() << " bytes of "
                                 << (a + b + c).size();
    // A bit flipped in the last member's data or trailer is an error.
    for (size_t at : {gz.size() - 2, gz.size() - 6, gz.size() - 5000}) {
      std::string bad = gz;
      bad[at] = static_cast<char>(bad[at] ^ 0x10);
      EXPECT_FALSE(InflateGzip(bad, "three.gz").ok()) << "byte " << at;
    }
  }
}

}  // namespace
}  // namespace rebalance::data
