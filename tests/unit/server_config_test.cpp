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
  for (const char* option : {"--port", "--bind", "--data-dir", "--web-root", "--cors-origin",
                             "--threads", "PORT", "DATA_DIR"}) {
    EXPECT_NE(help.find(option), std::string::npos) << option;
  }
}

}  // namespace
}  // namespace imchat::server
