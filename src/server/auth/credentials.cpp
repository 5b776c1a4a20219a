// Passwords (PBKDF2, OpenSSL) and tokens (JWT HS256, libjwt): credentials.h.
#include "server/auth/credentials.h"

#include <fcntl.h>
#include <jwt.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <vector>

#include "server/store/ids.h"

namespace imchat::server {
namespace {

std::string to_hex(const unsigned char* data, size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    out += kHex[data[i] >> 4];
    out += kHex[data[i] & 15];
  }
  return out;
}

std::vector<unsigned char> derive(const std::string& password, const std::string& salt,
                                  int iterations) {
  std::vector<unsigned char> key(32);
  PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                    reinterpret_cast<const unsigned char*>(salt.data()),
                    static_cast<int>(salt.size()), iterations, EVP_sha256(),
                    static_cast<int>(key.size()), key.data());
  return key;
}

struct JwtDeleter {
  void operator()(jwt_t* jwt) const { jwt_free(jwt); }
};
using JwtPtr = std::unique_ptr<jwt_t, JwtDeleter>;

}  // namespace

std::string hash_password(const std::string& password, int iterations) {
  const std::string salt = random_hex(16);
  const auto key = derive(password, salt, iterations);
  return "pbkdf2-sha256$" + std::to_string(iterations) + "$" + salt + "$" +
         to_hex(key.data(), key.size());
}

namespace {

struct StoredHash {
  int iterations = 0;
  std::string salt;
  std::string hash;
};

// pbkdf2-sha256$<iterations>$<salt>$<hash>
std::optional<StoredHash> parse_stored(const std::string& stored) {
  const size_t a = stored.find('$');
  const size_t b = a == std::string::npos ? a : stored.find('$', a + 1);
  const size_t c = b == std::string::npos ? b : stored.find('$', b + 1);
  if (c == std::string::npos || stored.substr(0, a) != "pbkdf2-sha256") return std::nullopt;
  const int iterations = std::atoi(stored.substr(a + 1, b - a - 1).c_str());
  if (iterations < 1 || iterations > 10'000'000) return std::nullopt;
  return StoredHash{iterations, stored.substr(b + 1, c - b - 1), stored.substr(c + 1)};
}

}  // namespace

int hash_iterations(const std::string& stored) {
  const auto parsed = parse_stored(stored);
  return parsed ? parsed->iterations : 0;
}

void spend_kdf(int iterations) {
  if (iterations > 0) (void)derive("", "spent", iterations);
}

bool needs_rehash(const std::string& stored, int iterations) {
  const auto parsed = parse_stored(stored);
  return !parsed || parsed->iterations < iterations;
}

bool verify_password(const std::string& password, const std::string& stored) {
  const auto parsed = parse_stored(stored);
  if (!parsed) return false;
  const std::string& expected = parsed->hash;
  const auto key = derive(password, parsed->salt, parsed->iterations);
  const std::string actual = to_hex(key.data(), key.size());
  return actual.size() == expected.size() &&
         CRYPTO_memcmp(actual.data(), expected.data(), actual.size()) == 0;
}

std::string TokenIssuer::issue(const std::string& user_id, const std::string& session_id,
                               int64_t now) const {
  jwt_t* raw = nullptr;
  jwt_new(&raw);
  JwtPtr jwt(raw);
  jwt_add_grant(jwt.get(), "sub", user_id.c_str());
  jwt_add_grant(jwt.get(), "sid", session_id.c_str());
  jwt_add_grant_int(jwt.get(), "iat", now);
  jwt_add_grant_int(jwt.get(), "exp", now + ttl_);
  jwt_set_alg(jwt.get(), JWT_ALG_HS256, reinterpret_cast<const unsigned char*>(secret_.data()),
              static_cast<int>(secret_.size()));
  char* encoded = jwt_encode_str(jwt.get());
  std::string token = encoded ? encoded : "";
  free(encoded);  // libjwt 1.10 allocates with malloc (no jwt_free_str yet)
  return token;
}

Result<TokenClaims> TokenIssuer::verify(const std::string& token, int64_t now) const {
  auto unauthorized = [](const char* why) { return make_error(ErrorCode::kUnauthorized, why); };
  if (token.empty() || token.size() > 4096) return unauthorized("missing or oversized token");
  jwt_t* raw = nullptr;
  if (jwt_decode(&raw, token.c_str(), reinterpret_cast<const unsigned char*>(secret_.data()),
                 static_cast<int>(secret_.size())) != 0 ||
      !raw) {
    if (raw) jwt_free(raw);
    return unauthorized("invalid token");
  }
  JwtPtr jwt(raw);
  if (jwt_get_alg(jwt.get()) != JWT_ALG_HS256) return unauthorized("invalid token algorithm");
  const long exp = jwt_get_grant_int(jwt.get(), "exp");
  if (exp <= 0 || exp <= now) return unauthorized("token expired");
  const char* sub = jwt_get_grant(jwt.get(), "sub");
  if (!sub || !*sub) return unauthorized("token has no subject");
  const char* sid = jwt_get_grant(jwt.get(), "sid");
  return TokenClaims{sub, sid ? sid : "", jwt_get_grant_int(jwt.get(), "iat"), exp};
}

Result<std::string> load_or_create_jwt_secret(const std::string& data_dir,
                                              const std::string& from_env) {
  if (!from_env.empty()) {
    if (from_env.size() < 32) {
      return make_error(ErrorCode::kValidation, "IMCHAT_JWT_SECRET must be at least 32 characters");
    }
    return from_env;
  }
  const auto path = std::filesystem::path(data_dir) / "jwt-secret";
  if (std::ifstream in(path); in) {
    std::string secret;
    std::getline(in, secret);
    if (secret.size() >= 32) return secret;
    return make_error(ErrorCode::kStorage,
                      path.string() + " is too short; delete it to regenerate");
  }
  const std::string secret = random_hex(32);
  const auto tmp = path.string() + ".tmp";
  {
    // Created 0600, never readable by others for a moment (a chmod after would be late).
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return make_error(ErrorCode::kStorage, "cannot write " + tmp);
    const std::string line = secret + "\n";
    const bool written = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
    ::close(fd);
    if (!written) return make_error(ErrorCode::kStorage, "cannot write " + tmp);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec)
    return make_error(ErrorCode::kStorage, "cannot create " + path.string() + ": " + ec.message());
  return secret;
}

}  // namespace imchat::server
