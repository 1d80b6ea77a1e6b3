// SHA-256 (FIPS PUB 180-4, Secure Hash Standard, section 6.2) of strings and
// files, as lowercase hex: the checksums the report's provenance prints so a
// reader can check that the inputs are the ones named, without the report
// carrying the machine's paths. Files are hashed in 1 MiB blocks (a 40 MB
// WIOD archive is never read whole).
#ifndef REBALANCE_CORE_SHA256_H_
#define REBALANCE_CORE_SHA256_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "rebalance/core/status.h"

namespace rebalance::core {

// Incremental hashing: Update() any number of times, then HexDigest() once.
class Sha256 {
 public:
  Sha256();
  void Update(std::string_view bytes);
  // The 64-character lowercase hex digest; the object must not be updated
  // afterwards.
  std::string HexDigest();

 private:
  void Block(const unsigned char* p);
  std::array<uint32_t, 8> h_;
  std::array<unsigned char, 64> buffer_{};
  size_t buffered_ = 0;
  uint64_t length_ = 0;  // bytes hashed so far
};

// The digest of `bytes`.
std::string Sha256Hex(std::string_view bytes);

// The digest of a file's bytes, or an error naming the file.
Result<std::string> Sha256File(const std::string& path);

}  // namespace rebalance::core

#endif  // REBALANCE_CORE_SHA256_H_
