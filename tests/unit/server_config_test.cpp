#include <gtest/gtest.h>

#include <map>

#include "server/config.h"

namespace imchat::server {
namespace {

struct Env {
  std::map<std::string, std::string> values;
  EnvLookup lookup() const {
    return [this](const char* name) -> std::optional<std::string> {
      auto it = values.find(name);
      if (it == values.end()) return std::nullopt;
      return it->second;
    };
  }
};

Result<ParsedArgs> parse(std::vector<const char*> args, const Env& env = {}) {
  args.insert(args.begin(), "imchat-server");
  return parse_args(static_cast<int>(args.size()), args.data(), env.lookup());
}

TEST(ServerConfig, DefaultsAreLoopback8080AndData) {
  auto parsed = parse({});
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->config.bind, "127.0.0.1");
  EXPECT_EQ(parsed->config.port, 8080);
  EXPECT_EQ(parsed->config.data_dir, "./data");
}

TEST(ServerConfig, EnvironmentThenFlagsWin) {
  Env env{{{"PORT", "9000"},
           {"DATA_DIR", "/srv/imchat"},
           {"CORS_ORIGINS", "https://a.example,https://b.example"}}};
  auto from_env = parse({}, env);
  ASSERT_TRUE(from_env);
  EXPECT_EQ(from_env->config.port, 9000);
  EXPECT_EQ(from_env->config.data_dir, "/srv/imchat");
  EXPECT_EQ(from_env->config.cors_origins.size(), 2u);

  auto flags =
      parse({"--port", "9100", "--data-dir=/tmp/x", "--cors-origin", "https://c.example"}, env);
  ASSERT_TRUE(flags);
  EXPECT_EQ(flags->config.port, 9100);
  EXPECT_EQ(flags->config.data_dir, "/tmp/x");
  EXPECT_EQ(flags->config.cors_origins.back(), "https://c.example");
}

TEST(ServerConfig, FrameAncestorsAreOriginsNeverWildcardsOrPolicyText) {
  Env env{{{"FRAME_ANCESTORS", "https://a.example,http://127.0.0.1:9000"}}};
  auto parsed = parse({"--frame-ancestors", "https://b.example"}, env);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->config.frame_ancestors,
            (std::vector<std::string>{"https://a.example", "http://127.0.0.1:9000",
                                      "https://b.example"}));
  for (const char* bad : {"*", "https://*.example", "example.com",
                          "https://a.example; script-src *", "https://a.example/", "'none'"}) {
    auto refused = parse({"--frame-ancestors", bad});
    ASSERT_FALSE(refused) << bad;
    EXPECT_NE(refused.error().message.find("--frame-ancestors"), std::string::npos);
  }
}

TEST(ServerConfig, VendorKeysComeFromTheEnvironmentAndTuningFromFlags) {
  Env env{{{"OPENAI_API_KEY", "sk-1"},
           {"OPENAI_BASE_URL", "http://127.0.0.1:11434/v1"},
           {"ANTHROPIC_API_KEY", "sk-ant"},
           {"GEMINI_API_KEY", "gm"},
           {"DEFAULT_MODEL", "gpt-4o"}}};
  auto parsed = parse(
      {"--provider-timeout-ms", "1500", "--provider-retries", "0", "--provider-retry-base-ms", "20",
       "--context-messages", "8", "--default-model", "claude-sonnet-4", "--ws-flush-ms", "0"},
      env);
  ASSERT_TRUE(parsed) << parsed.error().message;
  const Config& c = parsed->config;
  EXPECT_EQ(c.providers.openai_api_key, "sk-1");
  EXPECT_EQ(c.providers.openai_base_url, "http://127.0.0.1:11434/v1");
  EXPECT_EQ(c.providers.anthropic_api_key, "sk-ant");
  EXPECT_EQ(c.providers.gemini_api_key, "gm");
  EXPECT_EQ(c.providers.idle_timeout, std::chrono::milliseconds(1500));
  EXPECT_EQ(c.providers.max_retries, 0);
  EXPECT_EQ(c.providers.retry_base, std::chrono::milliseconds(20));
  EXPECT_EQ(c.context_messages, 8);
  EXPECT_EQ(c.default_model, "claude-sonnet-4") << "the flag wins over DEFAULT_MODEL";
  EXPECT_EQ(c.ws_flush_ms, 0);
}

TEST(ServerConfig, PortZeroMeansAnyFreePort) {
  auto parsed = parse({"--port", "0"});
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->config.port, 0);
}

TEST(ServerConfig, RejectsBadValuesClearly) {
  struct Case {
    std::vector<const char*> args;
    Env env;
    const char* mentions;
  };
  const Case cases[] = {
      {{"--port", "http"}, {}, "is not a port"},
      {{"--port", "70000"}, {}, "over 65535"},
      {{}, Env{{{"PORT", "-1"}}}, "PORT"},
      {{"--port"}, {}, "needs a value"},
      {{"--frobnicate"}, {}, "unknown option --frobnicate"},
      {{"--threads", "0"}, {}, "--threads"},
      {{"--bind", ""}, {}, "--bind is empty"},
      {{"--provider-retries", "11"}, {}, "--provider-retries must be within 0..10"},
      {{"--provider-timeout-ms", "soon"}, {}, "--provider-timeout-ms"},
      {{"--context-messages", "0"}, {}, "--context-messages"},
      {{"--ws-flush-ms", "-1"}, {}, "--ws-flush-ms"},
  };
  for (const Case& c : cases) {
    auto parsed = parse(c.args, c.env);
    ASSERT_FALSE(parsed) << c.mentions;
    EXPECT_NE(parsed.error().message.find(c.mentions), std::string::npos) << parsed.error().message;
  }
}

TEST(ServerConfig, HelpDocumentsEveryOption) {
  auto parsed = parse({"--help"});
  ASSERT_TRUE(parsed);
  EXPECT_TRUE(parsed->show_help);
  const std::string help = help_text();
  for (const char* option : {"--port",
                             "--bind",
                             "--data-dir",
                             "--web-root",
                             "--cors-origin",
                             "--threads",
                             "PORT",
                             "DATA_DIR",
                             "OPENAI_API_KEY",
                             "OPENAI_BASE_URL",
                             "ANTHROPIC_API_KEY",
                             "ANTHROPIC_BASE_URL",
                             "GEMINI_API_KEY",
                             "GEMINI_BASE_URL",
                             "--default-model",
                             "--context-messages",
                             "--provider-timeout-ms",
                             "--provider-retries",
                             "--provider-ca-file",
                             "--ws-flush-ms"}) {
    EXPECT_NE(help.find(option), std::string::npos) << option;
  }
}

}  // namespace
}  // namespace imchat::server

#include "server/transport/router.h"

namespace imchat::server {
namespace {

TEST(ClientAddress, OnlyATrustedProxyNamesTheClientAndOnlyItsOwnEntryCounts) {
  Router router(RouterOptions{.trusted_proxies = {"10.0.0.1"}});
  Request req{http::verb::get, "/api/health", 11};
  req.insert("X-Forwarded-For", "6.6.6.6");               // what the client claimed
  req.insert("X-Forwarded-For", "1.2.3.4, 203.0.113.9");  // the proxy's line comes last
  EXPECT_EQ(router.client_address(req, "10.0.0.1"), "203.0.113.9");
  EXPECT_EQ(router.client_address(req, "::ffff:10.0.0.1"), "203.0.113.9")
      << "a dual-stack socket's spelling of the proxy";
  EXPECT_EQ(router.client_address(req, "10.0.0.2"), "10.0.0.2") << "not a trusted proxy";
  Request junk{http::verb::get, "/", 11};
  junk.insert("X-Forwarded-For", "not-an-address");
  EXPECT_EQ(router.client_address(junk, "10.0.0.1"), "10.0.0.1");
}

}  // namespace
}  // namespace imchat::server
