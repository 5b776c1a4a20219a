// The real server in-process on a loopback port with real SQLite in a temporary directory,
// reached through the real native transport (Boost.Beast) and the real SDK client.
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <filesystem>

#include "model/version.h"
#include "protocol/health.h"
#include "sdk/client.h"
#include "server/server.h"
#include "server/store/database.h"
#include "support/server_fixture.h"
#include "support/temp_dir.h"

namespace imchat {
namespace {

using testing::Pump;
using testing::TempDir;

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    web_.write("index.html", "<!doctype html><title>imchat test page</title>");
    web_.write("imchat.wasm", std::string("\0asm\1\0\0\0", 8));
    server::Config config;
    config.port = 0;
    config.data_dir = (data_.path() / "nested" / "data").string();
    config.web_root = web_.str();
    config.cors_origins = {"https://host.example"};
    config.frame_ancestors = {"https://host.example"};
    server_ = std::make_unique<server::Server>(config);
    auto started = server_->start();
    ASSERT_TRUE(started) << started.error().describe();
    server_->run_in_background();
  }

  Result<platform::HttpResponse> fetch(platform::HttpRequest request) {
    if (request.url.rfind("http", 0) != 0) request.url = server_->url() + request.url;
    std::optional<Result<platform::HttpResponse>> out;
    http_->send(std::move(request), [&](Result<platform::HttpResponse> r) { out = std::move(r); });
    EXPECT_TRUE(pump_.until([&] { return out.has_value(); })) << "no answer";
    return out ? std::move(*out) : make_error(ErrorCode::kNetwork, "no answer");
  }

  Result<platform::HttpResponse> get(const std::string& path) {
    return fetch(platform::HttpRequest{.url = path});
  }

  TempDir data_;
  TempDir web_;
  std::unique_ptr<server::Server> server_;
  std::unique_ptr<platform::HttpClient> http_ = platform::make_http_client();
  Pump pump_{*http_};
};

TEST_F(ServerTest, HealthAnswersOkWithVersionAndTime) {
  auto res = get("/api/health");
  ASSERT_TRUE(res) << res.error().describe();
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->content_type, "application/json");
  auto json = protocol::parse_json(res->body);
  ASSERT_TRUE(json);
  auto health = protocol::health_from_json(*json);
  ASSERT_TRUE(health) << health.error().describe() << " in " << res->body;
  EXPECT_EQ(health->status, "ok");
  EXPECT_EQ(health->version, kVersion);
  EXPECT_LT(std::abs(health->timestamp.ms - now_utc().ms), 60000);
}

TEST_F(ServerTest, SdkClientReportsConnectedWithServerVersion) {
  sdk::Client client(*http_, sdk::ClientOptions{.base_url = server_->url()});
  client.tick(0);
  ASSERT_TRUE(
      pump_.until([&] { return client.server().state != sdk::ConnectionState::kConnecting; }));
  EXPECT_EQ(client.server().state, sdk::ConnectionState::kConnected) << client.server().last_error;
  EXPECT_EQ(client.server().version, kVersion);
}

TEST_F(ServerTest, SdkClientReportsUnreachableServer) {
  // A port nobody listens on: bind one, note it, close it.
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor probe(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  const auto port = probe.local_endpoint().port();
  probe.close();
  sdk::Client client(*http_,
                     sdk::ClientOptions{.base_url = "http://127.0.0.1:" + std::to_string(port)});
  client.tick(0);
  ASSERT_TRUE(
      pump_.until([&] { return client.server().state != sdk::ConnectionState::kConnecting; }));
  EXPECT_EQ(client.server().state, sdk::ConnectionState::kUnreachable);
  EXPECT_NE(client.server().last_error.find("connect"), std::string::npos)
      << client.server().last_error;
}

TEST_F(ServerTest, ServesTheWebClientWithTheRightTypes) {
  auto index = get("/");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->status, 200);
  EXPECT_EQ(index->content_type, "text/html; charset=utf-8");
  EXPECT_NE(index->body.find("imchat test page"), std::string::npos);
  auto wasm = get("/imchat.wasm");
  ASSERT_TRUE(wasm);
  EXPECT_EQ(wasm->content_type, "application/wasm");
  EXPECT_EQ(wasm->body.size(), 8u);
}

TEST_F(ServerTest, UnknownRoutesAnswerJsonErrors) {
  // Every /api route but health needs a token, so an unknown one asks for it first.
  auto api = get("/api/nothing-here");
  ASSERT_TRUE(api);
  EXPECT_EQ(api->status, 401);
  auto json = protocol::parse_json(api->body);
  ASSERT_TRUE(json);
  EXPECT_EQ((*json)["error"], "Unauthorized");

  auto file = get("/missing.js");
  ASSERT_TRUE(file);
  EXPECT_EQ(file->status, 404);
  auto traversal = get("/../../etc/passwd");
  ASSERT_TRUE(traversal);
  EXPECT_EQ(traversal->status, 404);

  auto post = fetch({.method = "POST", .url = "/api/health", .body = "{}"});
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 405);
}

TEST_F(ServerTest, AllowsOnlyListedCorsOrigins) {
  auto allowed = fetch({.url = "/api/health", .headers = {{"Origin", "https://host.example"}}});
  ASSERT_TRUE(allowed);
  EXPECT_EQ(allowed->status, 200);
  // The native transport does not expose headers; check with a raw request below instead.
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), server_->port()});
  const std::string request =
      "GET /api/health HTTP/1.1\r\nHost: x\r\nOrigin: https://evil.example\r\n"
      "Connection: close\r\n\r\n"
      "GET /api/health HTTP/1.1\r\nHost: x\r\nOrigin: https://host.example\r\n"
      "Connection: close\r\n\r\n";
  boost::asio::write(socket, boost::asio::buffer(request));
  std::string reply;
  boost::system::error_code ec;
  boost::asio::read(socket, boost::asio::dynamic_buffer(reply), ec);
  EXPECT_EQ(reply.find("Access-Control-Allow-Origin: https://evil.example"), std::string::npos);
  // The first request closes the connection, so the allowed origin is checked separately.
  boost::asio::ip::tcp::socket second(io);
  second.connect({boost::asio::ip::make_address("127.0.0.1"), server_->port()});
  boost::asio::write(second, boost::asio::buffer(request.substr(request.find("GET", 10))));
  std::string reply2;
  boost::asio::read(second, boost::asio::dynamic_buffer(reply2), ec);
  EXPECT_NE(reply2.find("Access-Control-Allow-Origin: https://host.example"), std::string::npos)
      << reply2;
}

// The web client may be framed by the server's own pages and the configured origins only,
// runs only its own scripts and talks only to its own server; the API (JSON) carries no
// such policy (it is not a page), but nothing is ever sniffed.
TEST_F(ServerTest, StaticFilesNameWhoMayFrameThem) {
  auto raw_get = [&](const std::string& path) {
    boost::asio::io_context io;
    boost::asio::ip::tcp::socket socket(io);
    socket.connect({boost::asio::ip::make_address("127.0.0.1"), server_->port()});
    const std::string request = "GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    boost::asio::write(socket, boost::asio::buffer(request));
    std::string reply;
    boost::system::error_code ec;
    boost::asio::read(socket, boost::asio::dynamic_buffer(reply), ec);
    return reply;
  };
  const std::string page = raw_get("/");
  const size_t csp = page.find("Content-Security-Policy: ");
  ASSERT_NE(csp, std::string::npos) << page;
  const std::string policy = page.substr(csp, page.find("\r\n", csp) - csp);
  for (const char* part :
       {"default-src 'self'", "script-src 'self' 'wasm-unsafe-eval';", "connect-src 'self';",
        "object-src 'none'", "base-uri 'none'", "frame-ancestors 'self' https://host.example"}) {
    EXPECT_NE(policy.find(part), std::string::npos) << part << " in " << policy;
  }
  EXPECT_EQ(policy.find("'unsafe-eval'"), std::string::npos) << "no eval: " << policy;
  EXPECT_NE(page.find("X-Content-Type-Options: nosniff\r\n"), std::string::npos);
  EXPECT_NE(page.find("Referrer-Policy: no-referrer\r\n"), std::string::npos);
  const std::string health = raw_get("/api/health");
  EXPECT_EQ(health.find("Content-Security-Policy"), std::string::npos);
  EXPECT_NE(health.find("X-Content-Type-Options: nosniff\r\n"), std::string::npos);
}

TEST_F(ServerTest, MalformedHttpGetsA400AndTheServerStaysUp) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), server_->port()});
  boost::asio::write(socket, boost::asio::buffer(std::string("NOT HTTP AT ALL\r\n\r\n")));
  std::string reply;
  boost::system::error_code ec;
  boost::asio::read(socket, boost::asio::dynamic_buffer(reply), ec);
  EXPECT_EQ(reply.rfind("HTTP/1.1 400", 0), 0u) << reply;
  auto health = get("/api/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
}

TEST_F(ServerTest, CreatesTheDatabaseWithTheLatestSchema) {
  const auto db_path = data_.path() / "nested" / "data" / "imchat.db";
  EXPECT_TRUE(std::filesystem::exists(db_path));
  size_t count = 0;
  server::migrations(count);
  // Opening again (as a restart would) applies nothing new and keeps the version.
  auto reopened = server::Database::open((data_.path() / "nested" / "data").string());
  ASSERT_TRUE(reopened) << reopened.error().describe();
  EXPECT_EQ((*reopened)->schema_version(), static_cast<int>(count));
  auto mode = (*reopened)->prepare("PRAGMA journal_mode");
  ASSERT_TRUE(mode);
  ASSERT_TRUE(mode->step());
  EXPECT_EQ(mode->column_text(0), "wal");
}

TEST(ServerStart, ReportsAPortInUse) {
  TempDir data;
  server::Config first_config;
  first_config.port = 0;
  first_config.data_dir = data.str();
  server::Server first(first_config);
  ASSERT_TRUE(first.start());
  server::Config second_config = first_config;
  second_config.port = first.port();
  server::Server second(second_config);
  auto started = second.start();
  ASSERT_FALSE(started);
  EXPECT_NE(started.error().message.find("cannot listen"), std::string::npos);
}

}  // namespace
}  // namespace imchat
