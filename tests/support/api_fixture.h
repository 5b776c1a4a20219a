// A fixture with a real server (in-process, real sockets on loopback, real SQLite in a
// temporary directory) and helpers to call its REST API through the native transport.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "protocol/json.h"
#include "server/server.h"
#include "support/server_fixture.h"
#include "support/temp_dir.h"

namespace imchat::testing {

using protocol::Json;

struct Reply {
  int status = 0;
  Json body;
  std::string raw;
};

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override { start_server(); }

  void start_server(bool guest = true) {
    server::Config config;
    config.port = 0;
    config.data_dir = data_.str();
    config.guest = guest;
    config.max_message_bytes = 1000;
    config.builtin_delay_ms = builtin_delay_ms_;
    config.write_burst = write_burst_;
    config.writes_per_second = writes_per_second_;
    config.kdf_iterations = kdf_iterations_;
    configure(config);
    server_ = std::make_unique<server::Server>(config);
    auto started = server_->start();
    ASSERT_TRUE(started) << started.error().describe();
    server_->run_in_background();
  }

  // Where requests go: the in-process server unless a test runs the real binary.
  virtual std::string base_url() const { return server_->url(); }

  // Tests that need more (AI vendors, limits) set it here.
  virtual void configure(server::Config&) {}

  void restart_server(bool guest = true) {
    server_.reset();
    start_server(guest);
  }

  Reply call_raw(const std::string& method, const std::string& path, std::string body,
                 const std::string& token = {}) {
    platform::HttpRequest request{.method = method, .url = base_url() + path};
    if (!token.empty()) request.headers.emplace_back("Authorization", "Bearer " + token);
    if (!body.empty()) request.headers.emplace_back("Content-Type", "application/json");
    request.body = std::move(body);
    std::optional<Result<platform::HttpResponse>> out;
    http_->send(std::move(request), [&](Result<platform::HttpResponse> r) { out = std::move(r); });
    EXPECT_TRUE(pump_.until([&] { return out.has_value(); })) << method << " " << path;
    Reply reply;
    if (!out || !*out) {
      ADD_FAILURE() << method << " " << path << ": "
                    << (out ? out->error().describe() : std::string("no answer"));
      return reply;
    }
    reply.status = (*out)->status;
    reply.raw = (*out)->body;
    if (!reply.raw.empty()) {
      auto json = protocol::parse_json(reply.raw);
      if (json) reply.body = std::move(*json);
    }
    return reply;
  }

  Reply call(const std::string& method, const std::string& path, const Json& body = nullptr,
             const std::string& token = {}) {
    return call_raw(method, path, body.is_null() ? std::string() : body.dump(), token);
  }

  // Registers a user and returns {id, token}.
  std::pair<std::string, std::string> sign_up(const std::string& name) {
    Reply r =
        call("POST", "/api/auth/register",
             {{"email", name + "@example.com"}, {"name", name}, {"password", "correct horse"}});
    EXPECT_EQ(r.status, 201) << r.raw;
    return {r.body["data"]["user"]["id"], r.body["data"]["token"]};
  }

  // GROUP by default: an AI conversation answers every message, which most tests do not want.
  std::string create_conversation(const std::string& token, const std::string& title,
                                  std::vector<std::string> participants = {},
                                  const std::string& type = "GROUP") {
    Json body = {{"title", title}, {"type", type}};
    if (!participants.empty()) body["participantIds"] = participants;
    Reply r = call("POST", "/api/conversations", body, token);
    EXPECT_EQ(r.status, 201) << r.raw;
    return r.body["data"]["id"];
  }

  Reply post_message(const std::string& token, const std::string& conversation,
                     const std::string& content, std::optional<std::string> client_id = {}) {
    Json body = {{"conversationId", conversation}, {"content", content}};
    if (client_id) body["clientId"] = *client_id;
    return call("POST", "/api/messages", body, token);
  }

  int builtin_delay_ms_ = 1;     // the builtin model streams fast unless a test slows it
  int kdf_iterations_ = 10000;   // sign-ups cost ms here, unless a test is about the KDF
  double write_burst_ = 100000;  // rate limits out of the way unless a test is about them
  double writes_per_second_ = 100000;
  TempDir data_;
  std::unique_ptr<server::Server> server_;
  std::unique_ptr<platform::HttpClient> http_ = platform::make_http_client();
  Pump pump_{*http_};
};

}  // namespace imchat::testing
