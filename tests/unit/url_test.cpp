#include <gtest/gtest.h>

#include "protocol/url.h"

namespace imchat::protocol {
namespace {

TEST(Url, SplitsHostPortAndTarget) {
  auto url = parse_url("http://127.0.0.1:8080/api/health?x=1#frag");
  ASSERT_TRUE(url) << url.error().describe();
  EXPECT_EQ(url->scheme, "http");
  EXPECT_EQ(url->host, "127.0.0.1");
  EXPECT_EQ(url->port, "8080");
  EXPECT_EQ(url->target, "/api/health?x=1");
}

TEST(Url, DefaultsPortAndPath) {
  auto url = parse_url("ws://localhost");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->port, "80");
  EXPECT_EQ(url->target, "/");
}

TEST(Url, KnowsTlsSchemes) {
  auto url = parse_url("https://api.openai.com/v1");
  ASSERT_TRUE(url);
  EXPECT_TRUE(url->tls());
  EXPECT_EQ(url->port, "443");
  EXPECT_EQ(url->target, "/v1");
  EXPECT_FALSE(parse_url("http://localhost:11434/v1")->tls());
}

TEST(Url, HandlesIpv6Literals) {
  auto url = parse_url("http://[::1]:9000/x");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->host, "::1");
  EXPECT_EQ(url->port, "9000");
}

TEST(Url, RejectsBadInput) {
  for (const char* bad :
       {"", "127.0.0.1:8080", "ftp://x/", "http://", "http://:80/", "http://host:0/",
        "http://host:99999/", "http://host:8o/", "http://user:pw@host/", "http://[::1/"}) {
    EXPECT_FALSE(parse_url(bad)) << bad;
  }
}

}  // namespace
}  // namespace imchat::protocol
