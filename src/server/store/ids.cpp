// Unguessable ids (ids.h): a type prefix and 100 bits of base32 from OpenSSL's CSPRNG.
#include "server/store/ids.h"

#include <openssl/rand.h>

#include <stdexcept>
#include <vector>

namespace imchat::server {
namespace {

std::vector<unsigned char> random_bytes(size_t n) {
  std::vector<unsigned char> bytes(n);
  // A CSPRNG that cannot produce bytes is a broken system, not a recoverable condition.
  if (RAND_bytes(bytes.data(), static_cast<int>(n)) != 1) {
    throw std::runtime_error("RAND_bytes failed");
  }
  return bytes;
}

}  // namespace

std::string new_id(std::string_view prefix) {
  static constexpr char kAlphabet[] = "abcdefghijkmnpqrstuvwxyz23456789";  // 32, no l/o/0/1
  const auto bytes = random_bytes(20);
  std::string id(prefix);
  id += '_';
  for (unsigned char b : bytes)
    id += kAlphabet[b & 31];
  return id;
}

std::string random_hex(size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  const auto bytes = random_bytes(n);
  std::string out;
  out.reserve(n * 2);
  for (unsigned char b : bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

}  // namespace imchat::server
