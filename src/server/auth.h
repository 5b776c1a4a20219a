// Passwords and tokens.
//  - Passwords: PBKDF2-HMAC-SHA256 (OpenSSL), 16-byte random salt, stored as
//    "pbkdf2-sha256$<iterations>$<salt hex>$<hash hex>"; compared in constant time.
//  - Tokens: JWT HS256 (libjwt) with sub = user id, iat and exp. Anything but HS256 signed
//    with our secret and unexpired is refused ("alg":"none" included).
#pragma once

#include <cstdint>
#include <string>

#include "model/result.h"

namespace imchat::server {

constexpr int kDefaultKdfIterations = 120000;

std::string hash_password(const std::string& password, int iterations = kDefaultKdfIterations);
bool verify_password(const std::string& password, const std::string& stored_hash);

class TokenIssuer {
 public:
  TokenIssuer(std::string secret, int64_t ttl_seconds)
      : secret_(std::move(secret)), ttl_(ttl_seconds) {}

  std::string issue(const std::string& user_id, int64_t now_seconds) const;
  // The user id, or kUnauthorized with the reason.
  Result<std::string> verify(const std::string& token, int64_t now_seconds) const;

 private:
  std::string secret_;
  int64_t ttl_;
};

// IMCHAT_JWT_SECRET if set; otherwise the secret kept in DATA_DIR/jwt-secret, created once
// (mode 0600) so tokens survive restarts.
Result<std::string> load_or_create_jwt_secret(const std::string& data_dir,
                                              const std::string& from_env);

}  // namespace imchat::server
