#include <gtest/gtest.h>

#include <jwt.h>
#include <sys/stat.h>

#include <cstdlib>

#include "server/api/query_string.h"
#include "server/auth/credentials.h"
#include "support/temp_dir.h"

namespace imchat::server {
namespace {

constexpr int kFast = 1000;  // the KDF cost is not what these tests are about

TEST(Passwords, VerifyAcceptsOnlyTheRightPassword) {
  const std::string stored = hash_password("correct horse", kFast);
  EXPECT_EQ(stored.rfind("pbkdf2-sha256$1000$", 0), 0u);
  EXPECT_TRUE(verify_password("correct horse", stored));
  EXPECT_FALSE(verify_password("correct horsE", stored));
  EXPECT_FALSE(verify_password("", stored));
}

TEST(Passwords, SaltMakesEveryHashDifferent) {
  EXPECT_NE(hash_password("same", kFast), hash_password("same", kFast));
}

TEST(Passwords, DefaultCostIsAtLeastOwaspsFigure) {
  EXPECT_GE(kDefaultKdfIterations, 600000);  // OWASP 2023, PBKDF2-HMAC-SHA256
  const std::string stored = hash_password("x");
  EXPECT_NE(stored.find("$" + std::to_string(kDefaultKdfIterations) + "$"), std::string::npos);
}

TEST(Passwords, MalformedStoredHashesNeverVerify) {
  for (const char* bad : {"", "plain", "md5$1$aa$bb", "pbkdf2-sha256$0$aa$bb",
                          "pbkdf2-sha256$abc$aa$bb", "pbkdf2-sha256$1000$aa"}) {
    EXPECT_FALSE(verify_password("x", bad)) << bad;
  }
}

TEST(Passwords, AWeakerStoredHashIsRedone) {
  const std::string weak = hash_password("pw", kFast);
  EXPECT_TRUE(needs_rehash(weak, 2 * kFast));
  EXPECT_FALSE(needs_rehash(weak, kFast));
  EXPECT_FALSE(needs_rehash(hash_password("pw", 2 * kFast), kFast));
  EXPECT_TRUE(needs_rehash("garbage", kFast));
}

const std::string kSecret(40, 's');

TEST(Tokens, RoundTripToTheUserAndSession) {
  TokenIssuer issuer(kSecret, 3600);
  auto claims = issuer.verify(issuer.issue("u_abc", "s_1", 1000), 1001);
  ASSERT_TRUE(claims) << claims.error().describe();
  EXPECT_EQ(claims->user_id, "u_abc");
  EXPECT_EQ(claims->session_id, "s_1");
  EXPECT_EQ(claims->expires_at, 4600);
}

TEST(Tokens, ATokenFromBeforeSessionsReadsWithoutASession) {
  // What this server issued before sessions existed: sub, iat, exp — validly signed.
  jwt_t* raw = nullptr;
  ASSERT_EQ(jwt_new(&raw), 0);
  jwt_add_grant(raw, "sub", "u_abc");
  jwt_add_grant_int(raw, "iat", 1000);
  jwt_add_grant_int(raw, "exp", 4600);
  jwt_set_alg(raw, JWT_ALG_HS256, reinterpret_cast<const unsigned char*>(kSecret.data()),
              static_cast<int>(kSecret.size()));
  char* encoded = jwt_encode_str(raw);
  const std::string legacy = encoded;
  free(encoded);
  jwt_free(raw);
  TokenIssuer issuer(kSecret, 3600);
  // Its signature stands; the Authenticator decides what a session-less token may do.
  auto claims = issuer.verify(legacy, 1001);
  ASSERT_TRUE(claims) << claims.error().describe();
  EXPECT_EQ(claims->user_id, "u_abc");
  EXPECT_EQ(claims->session_id, "");
  EXPECT_EQ(claims->issued_at, 1000);
}

TEST(Tokens, ExpireAfterTheirLifetime) {
  TokenIssuer issuer(kSecret, 3600);
  const std::string token = issuer.issue("u_abc", "s_1", 1000);
  EXPECT_TRUE(issuer.verify(token, 4599));
  auto expired = issuer.verify(token, 4600);
  ASSERT_FALSE(expired);
  EXPECT_EQ(expired.error().code, ErrorCode::kUnauthorized);
}

TEST(Tokens, RefuseAnotherSecretATamperedPayloadAndAlgNone) {
  TokenIssuer issuer(kSecret, 3600);
  TokenIssuer other(std::string(40, 'x'), 3600);
  const std::string token = issuer.issue("u_abc", "s_1", 1000);
  EXPECT_FALSE(other.verify(token, 1001));
  // Swap the payload for one naming another user, keeping the signature.
  const size_t dot1 = token.find('.'), dot2 = token.rfind('.');
  const std::string forged_payload = other.issue("u_evil", "s_1", 1000);
  const std::string forged =
      token.substr(0, dot1) +
      forged_payload.substr(forged_payload.find('.'),
                            forged_payload.rfind('.') - forged_payload.find('.')) +
      token.substr(dot2);
  EXPECT_FALSE(issuer.verify(forged, 1001));
  // {"alg":"none","typ":"JWT"} . {"sub":"u_evil","exp":9999999999} . (no signature)
  const std::string none =
      "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJ1X2V2aWwiLCJleHAiOjk5OTk5OTk5OTl9.";
  EXPECT_FALSE(issuer.verify(none, 1001));
  EXPECT_FALSE(issuer.verify("", 1001));
  EXPECT_FALSE(issuer.verify("a.b.c", 1001));
  EXPECT_FALSE(issuer.verify(std::string(5000, 'a'), 1001));
}

TEST(JwtSecret, GeneratedOnceKeptPrivateAndReused) {
  testing::TempDir dir;
  auto first = load_or_create_jwt_secret(dir.str(), "");
  ASSERT_TRUE(first) << first.error().describe();
  EXPECT_GE(first->size(), 32u);
  struct stat st {};
  ASSERT_EQ(::stat((dir.path() / "jwt-secret").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto second = load_or_create_jwt_secret(dir.str(), "");
  ASSERT_TRUE(second);
  EXPECT_EQ(*first, *second);
  EXPECT_EQ(*load_or_create_jwt_secret(dir.str(), std::string(32, 'e')), std::string(32, 'e'));
  EXPECT_FALSE(load_or_create_jwt_secret(dir.str(), "too-short"));
}

TEST(QueryStrings, DecodeKeysAndValues) {
  auto q = QueryString::parse("/api/x?where%5Btitle%5D%5Bcontains%5D=a+b%21&take=5&take=7&flag");
  ASSERT_TRUE(q);
  EXPECT_EQ(q->get("where[title][contains]"), "a b!");
  EXPECT_EQ(q->get("take"), "7");
  EXPECT_EQ(q->get("flag"), "");
  EXPECT_FALSE(q->get("missing"));
  EXPECT_TRUE(QueryString::parse("/no-query"));
}

TEST(QueryStrings, RejectMalformedEscapes) {
  for (const char* bad : {"/x?a=%", "/x?a=%4", "/x?a=%zz", "/x?a=%00", "/x?%G1=1"}) {
    EXPECT_FALSE(QueryString::parse(bad)) << bad;
  }
}

}  // namespace
}  // namespace imchat::server

#include "server/chat/rate_limiter.h"

namespace imchat::server {
namespace {

TEST(RateLimiter, AllowsABurstThenRefillsOverTime) {
  RateLimiter limiter(3, 2);  // 3 at once, 2 per second
  const auto t0 = RateLimiter::Clock::time_point{} + std::chrono::hours(1);
  EXPECT_FALSE(limiter.acquire("u", t0));
  EXPECT_FALSE(limiter.acquire("u", t0));
  EXPECT_FALSE(limiter.acquire("u", t0));
  auto wait = limiter.acquire("u", t0);
  ASSERT_TRUE(wait);
  EXPECT_EQ(*wait, 1);
  EXPECT_FALSE(limiter.acquire("other", t0)) << "buckets are per key";
  EXPECT_FALSE(limiter.acquire("u", t0 + std::chrono::milliseconds(500)));  // one refilled
  EXPECT_TRUE(limiter.acquire("u", t0 + std::chrono::milliseconds(500)));
  // Never more than the burst, however long the pause.
  const auto later = t0 + std::chrono::hours(1);
  for (int i = 0; i < 3; ++i)
    EXPECT_FALSE(limiter.acquire("u", later));
  EXPECT_TRUE(limiter.acquire("u", later));
}

TEST(RateLimiter, KeysFromOutsideCannotGrowItWithoutBound) {
  RateLimiter limiter(2, 1, 100);  // at most ~100 keys
  const auto t0 = RateLimiter::Clock::time_point{} + std::chrono::hours(1);
  for (int i = 0; i < 10000; ++i)
    limiter.acquire("email" + std::to_string(i), t0 + std::chrono::milliseconds(i));
  EXPECT_LE(limiter.size(), 100u);
  // The newest keys keep their state: a key just used twice is still limited.
  const auto now = t0 + std::chrono::milliseconds(10000);
  limiter.acquire("hot", now);
  limiter.acquire("hot", now);
  EXPECT_TRUE(limiter.acquire("hot", now));
}

TEST(FailureBackoff, FreeFailuresThenADoublingWaitThatSuccessForgets) {
  FailureBackoff backoff(3, 60);
  const auto t0 = FailureBackoff::Clock::time_point{} + std::chrono::hours(1);
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(backoff.blocked("ada", t0)) << "three free failures";
    backoff.failed("ada", t0);
  }
  EXPECT_EQ(backoff.blocked("ada", t0), 1) << "the fourth attempt waits a second";
  EXPECT_FALSE(backoff.blocked("ada", t0 + std::chrono::seconds(1)));
  backoff.failed("ada", t0 + std::chrono::seconds(1));  // then 2 s
  EXPECT_EQ(backoff.blocked("ada", t0 + std::chrono::seconds(1)), 2);
  for (int i = 0; i < 20; ++i)
    backoff.failed("ada", t0 + std::chrono::seconds(2));
  EXPECT_EQ(backoff.blocked("ada", t0 + std::chrono::seconds(2)), 60) << "capped";
  EXPECT_FALSE(backoff.blocked("bob", t0)) << "per key";
  backoff.succeeded("ada");
  EXPECT_FALSE(backoff.blocked("ada", t0 + std::chrono::seconds(2)));
}

TEST(AddressKey, Ipv6HostsAreOneKeyPerSlash64) {
  EXPECT_EQ(address_key("203.0.113.7"), "203.0.113.7");
  EXPECT_EQ(address_key("2001:db8:1:2:aaaa::1"), address_key("2001:db8:1:2:bbbb::2"));
  EXPECT_NE(address_key("2001:db8:1:2::1"), address_key("2001:db8:1:3::1"));
  EXPECT_EQ(address_key("::ffff:203.0.113.7"), "203.0.113.7");
  EXPECT_EQ(address_key("not an address"), "not an address");
}

}  // namespace
}  // namespace imchat::server
