// Passwords and tokens.
//  - Passwords: PBKDF2-HMAC-SHA256 (OpenSSL), 16-byte random salt, stored as
//    "pbkdf2-sha256$<iterations>$<salt hex>$<hash hex>"; compared in constant time. 600,000
//    iterations (OWASP's figure for SHA-256); a hash with fewer is redone at the next login.
//    Slow on purpose, so it runs on the KdfPool, never on the shared workers.
//  - Tokens: JWT HS256 (libjwt) with sub = user id, sid = session id, iat and exp. Anything
//    but HS256 signed with our secret and unexpired is refused ("alg":"none" included); a
//    valid one still needs its session to exist (Authenticator).
#pragma once

#include <cstdint>
#include <string>

#include "model/result.h"

namespace imchat::server {

constexpr int kDefaultKdfIterations = 600000;

std::string hash_password(const std::string& password, int iterations = kDefaultKdfIterations);
bool verify_password(const std::string& password, const std::string& stored_hash);
// A stored hash made with fewer iterations than asked (or unreadable): hash it again.
bool needs_rehash(const std::string& stored_hash, int iterations);
// The iterations a stored hash was made with (0 when unreadable).
int hash_iterations(const std::string& stored_hash);
// Spends what `iterations` rounds of the KDF cost, for nothing: a login checked against a
// weaker stored hash takes as long as one against today's (timing reveals no account).
void spend_kdf(int iterations);

struct TokenClaims {
  std::string user_id;
  std::string session_id;  // empty: a token from before sessions (see Authenticator)
  int64_t issued_at = 0;   // seconds since the epoch
  int64_t expires_at = 0;
};

class TokenIssuer {
 public:
  TokenIssuer(std::string secret, int64_t ttl_seconds)
      : secret_(std::move(secret)), ttl_(ttl_seconds) {}

  std::string issue(const std::string& user_id, const std::string& session_id,
                    int64_t now_seconds) const;
  // The claims, or kUnauthorized with the reason.
  Result<TokenClaims> verify(const std::string& token, int64_t now_seconds) const;
  int64_t ttl_seconds() const { return ttl_; }

 private:
  std::string secret_;
  int64_t ttl_;
};

// IMCHAT_JWT_SECRET if set; otherwise the secret kept in DATA_DIR/jwt-secret, created once
// (mode 0600) so tokens survive restarts.
Result<std::string> load_or_create_jwt_secret(const std::string& data_dir,
                                              const std::string& from_env);

}  // namespace imchat::server
