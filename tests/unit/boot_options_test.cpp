// Where the web app may connect (app/boot_options.cpp): the one rule behind ?server=.
#include <gtest/gtest.h>

#include "app/boot_options.h"
#include "protocol/json.h"

namespace imchat::app {
namespace {

using protocol::Json;

Result<AppOptions> read(const Json& config, const std::string& server = "",
                        const std::string& origin = "https://chat.example") {
  Json boot = {{"config", config}, {"query", {{"server", server}}}, {"origin", origin}};
  return read_boot_options(boot.dump());
}

TEST(BootOptions, OriginsAreSchemeHostAndPortOnly) {
  EXPECT_EQ(origin_of("https://Chat.Example:443/x?y"), "https://chat.example");
  EXPECT_EQ(origin_of("http://127.0.0.1:08080/"), "http://127.0.0.1:8080");
  EXPECT_EQ(origin_of("http://[::1]:9000"), "http://[::1]:9000");
  for (const char* bad : {"", "chat.example", "ftp://chat.example", "https://", "javascript:1",
                          "https://user@chat.example", "https://a b.example"})
    EXPECT_EQ(origin_of(bad), "") << bad;
}

TEST(BootOptions, TheConfiguredServerNeedsNoPermission) {
  auto same_origin = read(Json::object());
  ASSERT_TRUE(same_origin);
  EXPECT_EQ(same_origin->server_url, "");
  EXPECT_EQ(same_origin->store_scope, "");
  auto configured = read({{"server", "https://api.example/"}});
  ASSERT_TRUE(configured);
  EXPECT_EQ(configured->server_url, "https://api.example");
  // Naming the configured server (or the page's own origin) again changes nothing.
  auto again = read({{"server", "https://api.example"}}, "https://api.example");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->store_scope, "");
  auto own = read(Json::object(), "https://chat.example/");
  ASSERT_TRUE(own);
  EXPECT_EQ(own->store_scope, "");
}

TEST(BootOptions, ALinkToAnUnlistedServerIsRefused) {
  for (const char* evil : {"https://evil.example", "https://api.example.evil.example",
                           "http://api.example", "https://api.example:8443"}) {
    auto refused = read({{"server", "https://api.example"}}, evil);
    ASSERT_FALSE(refused) << evil;
    EXPECT_EQ(refused.error().code, ErrorCode::kForbidden);
    EXPECT_NE(refused.error().message.find("does not use"), std::string::npos);
  }
  auto junk = read(Json::object(), "javascript:alert(1)");
  ASSERT_FALSE(junk);
  EXPECT_EQ(junk.error().code, ErrorCode::kValidation);
  auto bad_config = read({{"server", "not a url"}});
  EXPECT_FALSE(bad_config);
}

TEST(BootOptions, AListedServerGetsAStoreOfItsOwn) {
  auto listed = read({{"server", "https://api.example"},
                      {"servers", {"https://eu.example/", 42, "https://us.example"}}},
                     "https://EU.example/");
  ASSERT_TRUE(listed) << listed.error().message;
  EXPECT_EQ(listed->server_url, "https://EU.example");
  EXPECT_EQ(listed->store_scope, "https://eu.example");
}

TEST(BootOptions, WhateverThePageSendsIsReadDefensively) {
  for (const char* text : {"", "null", "[1]", "{\"config\":7,\"query\":\"x\",\"theme\":3}",
                           "{\"touch\":\"yes\",\"auth\":[]}"}) {
    auto options = read_boot_options(text);
    ASSERT_TRUE(options) << text;
    EXPECT_EQ(options->server_url, "");
    EXPECT_FALSE(options->touch);
    EXPECT_FALSE(options->token_from_host);
  }
  Json boot = {{"theme", "light"}, {"conversation", "c_1"}, {"auth", "host"}, {"touch", true}};
  auto options = read_boot_options(boot.dump());
  ASSERT_TRUE(options);
  EXPECT_EQ(options->theme, "light");
  EXPECT_EQ(options->conversation, "c_1");
  EXPECT_TRUE(options->token_from_host);
  EXPECT_TRUE(options->touch);
}

}  // namespace
}  // namespace imchat::app
