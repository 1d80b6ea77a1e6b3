// SHA-256 against the examples of FIPS PUB 180-4 (NIST's "Example
// Algorithms" document: one block, two blocks) and the long-message check of
// FIPS 180-2 (a million 'a'), fed whole and in uneven pieces; files against
// strings.
#include "rebalance/core/sha256.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace rebalance::core {
namespace {

TEST(Sha256, StandardExamples) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(Sha256Hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, PiecesGiveTheSameDigest) {
  std::string msg;
  for (int i = 0; i < 1000; ++i) msg += static_cast<char>((i * 37) & 0xff);
  const std::string whole = Sha256Hex(msg);
  for (size_t piece : {1u, 3u, 55u, 56u, 63u, 64u, 65u, 200u}) {
    Sha256 s;
    for (size_t p = 0; p < msg.size(); p += piece) s.Update(std::string_view(msg).substr(p, piece));
    EXPECT_EQ(s.HexDigest(), whole) << "pieces of " << piece;
  }
  // Lengths around the padding boundary (55, 56, 64 bytes) differ from each other.
  EXPECT_NE(Sha256Hex(std::string(55, 'x')), Sha256Hex(std::string(56, 'x')));
}

TEST(Sha256, FileEqualsItsBytes) {
  const auto path = std::filesystem::temp_directory_path() / "rebalance_sha256_test.bin";
  std::string bytes(3 * 1024 * 1024 + 17, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>((i * 131 + 7) & 0xff);
  { std::ofstream(path, std::ios::binary) << bytes; }
  auto digest = Sha256File(path.string());
  ASSERT_TRUE(digest.ok()) << digest.status().message();
  EXPECT_EQ(*digest, Sha256Hex(bytes));
  std::filesystem::remove(path);
  auto missing = Sha256File(path.string());
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("rebalance_sha256_test.bin"), std::string::npos);
}

}  // namespace
}  // namespace rebalance::core
