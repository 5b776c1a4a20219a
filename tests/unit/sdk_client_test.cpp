#include <gtest/gtest.h>

#include "sdk/client.h"
#include "support/fake_http_client.h"

namespace imchat::sdk {
namespace {

using testing::FakeHttpClient;

const char* kHealthy =
    R"({"status":"ok","version":"1.2.3","timestamp":"2026-11-23T21:00:00.000Z"})";

class ClientTest : public ::testing::Test {
 protected:
  FakeHttpClient http_;
  Client client_{http_, ClientOptions{.base_url = "http://server:8080"}};
  int64_t now_ = 1000;

  // Runs one frame's worth of work: deliver results, then let the client start what is due.
  void frame() {
    http_.poll();
    client_.tick(now_);
  }
  platform::RequestId last_id() const { return http_.sent().back().id; }
};

TEST_F(ClientTest, StartsConnectingAndAsksForHealth) {
  EXPECT_EQ(client_.server().state, ConnectionState::kConnecting);
  frame();
  ASSERT_EQ(http_.sent().size(), 1u);
  EXPECT_EQ(http_.sent()[0].request.url, "http://server:8080/api/health");
  EXPECT_EQ(http_.sent()[0].request.method, "GET");
}

TEST_F(ClientTest, HealthyAnswerConnectsAndShowsVersion) {
  frame();
  http_.respond(last_id(), 200, kHealthy);
  frame();
  EXPECT_EQ(client_.server().state, ConnectionState::kConnected);
  EXPECT_EQ(client_.server().version, "1.2.3");
  EXPECT_TRUE(client_.server().last_error.empty());
}

TEST_F(ClientTest, OneRequestAtATime) {
  frame();
  frame();
  now_ += 60000;
  frame();
  EXPECT_EQ(http_.sent().size(), 1u);  // still waiting for the first answer
}

TEST_F(ClientTest, RetriesWithDoublingBackoffCappedAt30s) {
  frame();
  const int64_t expected_delays[] = {1000, 2000, 4000, 8000, 16000, 30000, 30000};
  for (int64_t delay : expected_delays) {
    const int64_t started = now_;
    http_.answer(last_id(), make_error(ErrorCode::kNetwork, "connection refused"));
    frame();
    EXPECT_EQ(client_.server().state, ConnectionState::kUnreachable);
    const size_t before = http_.sent().size();
    now_ = started + delay - 1;
    frame();
    EXPECT_EQ(http_.sent().size(), before) << "retried before " << delay << " ms";
    now_ = started + delay;
    frame();
    EXPECT_EQ(http_.sent().size(), before + 1) << "no retry at " << delay << " ms";
  }
  EXPECT_NE(client_.server().last_error.find("connection refused"), std::string::npos);
}

TEST_F(ClientTest, RecoversAfterFailureAndResetsBackoff) {
  frame();
  http_.answer(last_id(), make_error(ErrorCode::kNetwork, "refused"));
  frame();
  now_ += 1000;
  frame();
  http_.respond(last_id(), 200, kHealthy);
  frame();
  EXPECT_EQ(client_.server().state, ConnectionState::kConnected);
  EXPECT_EQ(client_.server().failed_attempts, 0);
}

TEST_F(ClientTest, RechecksPeriodicallyWhileConnected) {
  frame();
  const int64_t started = now_;
  http_.respond(last_id(), 200, kHealthy);
  frame();
  now_ = started + 29999;
  frame();
  EXPECT_EQ(http_.sent().size(), 1u);
  now_ = started + 30000;
  frame();
  EXPECT_EQ(http_.sent().size(), 2u);
}

struct BadAnswer {
  int status;
  const char* body;
  const char* mentions;
};

class ClientBadAnswer : public ClientTest, public ::testing::WithParamInterface<BadAnswer> {};

TEST_P(ClientBadAnswer, IsUnreachableWithAClearReason) {
  frame();
  http_.respond(last_id(), GetParam().status, GetParam().body);
  frame();
  EXPECT_EQ(client_.server().state, ConnectionState::kUnreachable);
  EXPECT_NE(client_.server().last_error.find(GetParam().mentions), std::string::npos)
      << client_.server().last_error;
  EXPECT_TRUE(client_.server().version.empty());
}

INSTANTIATE_TEST_SUITE_P(
    Sdk, ClientBadAnswer,
    ::testing::Values(
        BadAnswer{500, R"({"error":"Internal Server Error"})", "http 500"},
        BadAnswer{200, "<html>proxy error</html>", "malformed JSON"},
        BadAnswer{200, R"({"status":"ok"})", "Health.version: missing"},
        BadAnswer{200, R"({"status":"degraded","version":"1","timestamp":"2026-11-23T21:00:00Z"})",
                  "degraded"},
        BadAnswer{200, R"({"status":"ok","version":7,"timestamp":"x"})",
                  "Health.version: expected a string"}));

TEST(ClientLifetime, CancelsItsRequestWhenDestroyed) {
  FakeHttpClient http;
  {
    Client client(http, ClientOptions{});
    client.tick(0);
    ASSERT_EQ(http.open_requests(), 1u);
  }
  ASSERT_EQ(http.cancelled().size(), 1u);
  EXPECT_EQ(http.open_requests(), 0u);
  http.answer(http.sent().back().id, make_error(ErrorCode::kNetwork, "late"));
  http.poll();  // a late answer must not reach the destroyed client (ASan/valgrind would tell)
}

}  // namespace
}  // namespace imchat::sdk
