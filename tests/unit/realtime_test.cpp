// The realtime link's rules on a scripted socket and a clock the test moves by hand:
// backoff bounds and reset, ping/pong, resubscribe with since, seq dedup, requests.
#include <gtest/gtest.h>

#include "sdk/realtime.h"
#include "support/fake_websocket.h"

namespace imchat::sdk {
namespace {

using protocol::Json;

class RealtimeTest : public ::testing::Test {
 protected:
  int64_t now_ = 1'000'000;
  double random_ = 0.5;  // no jitter unless a test sets it
  testing::FakeWebSocketClient sockets_;
  Realtime link_{sockets_,
                 RealtimeOptions{"ws://127.0.0.1:1/ws"},
                 {[this] { return now_; }, [this] { return random_; }}};
  std::vector<std::pair<std::string, Json>> updates_;
  std::vector<std::string> resyncs_;
  int opens_ = 0, reopens_ = 0;

  void SetUp() override {
    RealtimeListener listener;
    listener.on_open = [this](bool reconnect) { (reconnect ? reopens_ : opens_)++; };
    listener.on_update = [this](const std::string& c, const Json& d) {
      updates_.emplace_back(c, d);
    };
    listener.on_resync = [this](const std::string& c) { resyncs_.push_back(c); };
    link_.set_listener(listener);
  }

  void advance(int64_t ms) {
    now_ += ms;
    link_.tick();
    sockets_.poll();
  }
  // Connects and lets the server accept.
  platform::SocketId connect_and_open() {
    if (link_.status().state != LinkState::kConnecting) link_.set_token("tok");
    const auto socket = sockets_.latest();
    sockets_.accept(socket);
    sockets_.poll();
    return socket;
  }
  void lose(platform::SocketId socket, int code = 1006) {
    sockets_.drop(socket, code);
    sockets_.poll();
  }
  static Json update(const std::string& channel, int64_t seq, const std::string& id) {
    return {{"type", "update"},
            {"channel", channel},
            {"data", {{"type", "created"}, {"id", id}, {"seq", seq}, {"data", {{"id", id}}}}}};
  }
  std::vector<Json> sent_of_type(platform::SocketId socket, const std::string& type) {
    std::vector<Json> out;
    for (auto& frame : sockets_.take_sent(socket))
      if (frame["type"] == type) out.push_back(frame);
    return out;
  }
};

TEST_F(RealtimeTest, ConnectsWithTheTokenAndOpens) {
  EXPECT_EQ(link_.status().state, LinkState::kIdle);
  link_.set_token("abc");
  EXPECT_EQ(link_.status().state, LinkState::kConnecting);
  EXPECT_EQ(sockets_.socket(sockets_.latest()).url, "ws://127.0.0.1:1/ws?token=abc");
  connect_and_open();
  EXPECT_EQ(link_.status().state, LinkState::kOpen);
  EXPECT_EQ(opens_, 1);
}

TEST_F(RealtimeTest, BackoffDoublesFromOneSecondToThirtyWithinJitterBounds) {
  link_.set_token("tok");
  const int64_t bases[] = {1000, 2000, 4000, 8000, 16000, 30000, 30000};
  for (int64_t base : bases) {
    lose(sockets_.latest());
    ASSERT_EQ(link_.status().state, LinkState::kBackoff);
    const int64_t wait = link_.status().retry_at_ms - now_;
    // random 0.5 → exactly the base; the bounds come from random at its extremes below.
    EXPECT_EQ(wait, base);
    advance(wait - 1);
    EXPECT_EQ(link_.status().state, LinkState::kBackoff) << "retried early";
    advance(1);
    ASSERT_EQ(link_.status().state, LinkState::kConnecting);
  }
  random_ = 0.0;
  lose(sockets_.latest());
  EXPECT_EQ(link_.status().retry_at_ms - now_, 15000);  // -50 %
  advance(15000);
  random_ = 0.999999;
  lose(sockets_.latest());
  EXPECT_NEAR(static_cast<double>(link_.status().retry_at_ms - now_), 45000, 1);  // +50 %
}

TEST_F(RealtimeTest, BackoffStartsOverAfterAStableMinute) {
  link_.set_token("tok");
  for (int i = 0; i < 4; ++i) {
    lose(sockets_.latest());
    advance(link_.status().retry_at_ms - now_);
  }
  auto socket = connect_and_open();
  advance(30000);
  sockets_.push(socket, Json{{"type", "pong"}}.dump());  // keep it alive past the ping
  sockets_.poll();
  lose(socket);
  EXPECT_EQ(link_.status().retry_at_ms - now_, 16000) << "a short-lived connection still counts";
  advance(16000);
  socket = connect_and_open();
  for (int i = 0; i < 3; ++i) {
    advance(25000);
    sockets_.push(socket, Json{{"type", "pong"}}.dump());
    sockets_.poll();
  }
  EXPECT_EQ(link_.status().failures, 0);
  lose(socket);
  EXPECT_EQ(link_.status().retry_at_ms - now_, 1000);
}

TEST_F(RealtimeTest, WakeUpSkipsTheWait) {
  link_.set_token("tok");
  for (int i = 0; i < 5; ++i) {
    lose(sockets_.latest());
    advance(link_.status().retry_at_ms - now_);
  }
  lose(sockets_.latest());
  const int opened = sockets_.opened();
  link_.wake_up();
  EXPECT_EQ(link_.status().state, LinkState::kConnecting);
  EXPECT_EQ(sockets_.opened(), opened + 1);
}

TEST_F(RealtimeTest, PingsEvery25SecondsAndDropsAConnectionSilentFor10) {
  const auto socket = connect_and_open();
  advance(24999);
  EXPECT_TRUE(sent_of_type(socket, "ping").empty());
  advance(1);
  auto pings = sent_of_type(socket, "ping");
  ASSERT_EQ(pings.size(), 1u);
  EXPECT_EQ(pings[0]["t"], now_);
  sockets_.push(socket, Json{{"type", "pong"}, {"t", now_}}.dump());
  sockets_.poll();
  advance(25000);
  ASSERT_EQ(sent_of_type(socket, "ping").size(), 1u);
  advance(9999);
  EXPECT_EQ(link_.status().state, LinkState::kOpen);
  advance(1);
  EXPECT_EQ(link_.status().state, LinkState::kBackoff);
  EXPECT_EQ(link_.status().last_error, "no answer to ping");
  EXPECT_TRUE(sockets_.socket(socket).closed_by_client);
}

TEST_F(RealtimeTest, ResubscribesWithTheLastSeqSeenAndDropsSeenEvents) {
  link_.subscribe("Message:list:c1");
  auto socket = connect_and_open();
  auto subs = sent_of_type(socket, "subscribe");
  ASSERT_EQ(subs.size(), 1u);
  EXPECT_FALSE(subs[0].contains("since"));
  sockets_.push(socket,
                Json{{"type", "subscribed"}, {"channel", "Message:list:c1"}, {"seq", 4}}.dump());
  sockets_.push(socket, update("Message:list:c1", 5, "m5").dump());
  sockets_.push(socket, update("Message:list:c1", 6, "m6").dump());
  sockets_.push(socket, update("Message:list:c1", 5, "m5").dump());  // again: dropped
  sockets_.poll();
  ASSERT_EQ(updates_.size(), 2u);
  EXPECT_EQ(link_.last_seq("Message:list:c1"), 6);

  lose(socket);
  advance(link_.status().retry_at_ms - now_);
  socket = connect_and_open();
  EXPECT_EQ(reopens_, 1);
  subs = sent_of_type(socket, "subscribe");
  ASSERT_EQ(subs.size(), 1u);
  EXPECT_EQ(subs[0]["since"], 6);
  // The replay overlaps what was seen: only the new events pass.
  const Json batch = {
      {"type", "batch"},
      {"frames", {update("Message:list:c1", 6, "m6"), update("Message:list:c1", 7, "m7")}}};
  sockets_.push(socket, batch.dump());
  sockets_.poll();
  ASSERT_EQ(updates_.size(), 3u);
  EXPECT_EQ(updates_[2].second["id"], "m7");
}

TEST_F(RealtimeTest, SubscribeWithSinceFromFetchedData) {
  auto socket = connect_and_open();
  link_.subscribe("Message:list:c2", 41);
  auto subs = sent_of_type(socket, "subscribe");
  ASSERT_EQ(subs.size(), 1u);
  EXPECT_EQ(subs[0]["since"], 41);
  sockets_.push(socket, update("Message:list:c2", 41, "old").dump());
  sockets_.poll();
  EXPECT_TRUE(updates_.empty());
}

TEST_F(RealtimeTest, UnsequencedChannelsNeitherDedupNorReplay) {
  link_.subscribe("Conversation:list", 0, false);
  auto socket = connect_and_open();
  sockets_.push(socket, update("Conversation:list", 9, "c9").dump());
  sockets_.push(socket, update("Conversation:list", 2, "c2").dump());  // another conversation
  sockets_.poll();
  EXPECT_EQ(updates_.size(), 2u);
  lose(socket);
  advance(link_.status().retry_at_ms - now_);
  socket = connect_and_open();
  auto subs = sent_of_type(socket, "subscribe");
  ASSERT_EQ(subs.size(), 1u);
  EXPECT_FALSE(subs[0].contains("since"));
}

TEST_F(RealtimeTest, ResyncIsReported) {
  link_.subscribe("Message:list:c1", 3);
  auto socket = connect_and_open();
  sockets_.push(socket,
                Json{{"type", "error"}, {"code", "resync"}, {"channel", "Message:list:c1"}}.dump());
  sockets_.poll();
  ASSERT_EQ(resyncs_.size(), 1u);
  EXPECT_EQ(resyncs_[0], "Message:list:c1");
}

TEST_F(RealtimeTest, RequestsCompleteByRequestIdAndFailWhenTheLinkDrops) {
  Json frame = {{"type", "send-message"}, {"content", "hi"}};
  EXPECT_FALSE(link_.request(frame, [](Result<Json>) { FAIL() << "not sent, no answer"; }));
  auto socket = connect_and_open();
  std::vector<Result<Json>> answers;
  auto record = [&](Result<Json> r) { answers.push_back(std::move(r)); };
  ASSERT_TRUE(link_.request(frame, record));
  ASSERT_TRUE(link_.request(frame, record));
  ASSERT_TRUE(link_.request(frame, record));
  auto sent = sent_of_type(socket, "send-message");
  ASSERT_EQ(sent.size(), 3u);
  sockets_.push(
      socket,
      Json{{"type", "ack"}, {"requestId", sent[1]["requestId"]}, {"data", {{"id", "m1"}}}}.dump());
  sockets_.push(socket, Json{{"type", "error"},
                             {"requestId", sent[0]["requestId"]},
                             {"code", "rate_limited"},
                             {"retryAfter", 7},
                             {"message", "slow down"}}
                            .dump());
  sockets_.poll();
  ASSERT_EQ(answers.size(), 2u);
  EXPECT_EQ((*answers[0])["id"], "m1");
  EXPECT_EQ(answers[1].error().code, ErrorCode::kRateLimited);
  EXPECT_EQ(answers[1].error().retry_after_s, 7);
  lose(socket);
  ASSERT_EQ(answers.size(), 3u);
  EXPECT_EQ(answers[2].error().code, ErrorCode::kNetwork);
}

TEST_F(RealtimeTest, BadTokenStopsReconnectingUntilANewOne) {
  auto socket = connect_and_open();
  lose(socket, 4401);
  EXPECT_EQ(link_.status().state, LinkState::kIdle);
  EXPECT_TRUE(link_.status().unauthorized);
  advance(120000);
  EXPECT_EQ(sockets_.opened(), 1);
  link_.set_token("fresh");
  EXPECT_EQ(link_.status().state, LinkState::kConnecting);
  EXPECT_FALSE(link_.status().unauthorized);
}

TEST_F(RealtimeTest, GarbageFramesAreIgnored) {
  link_.subscribe("Message:list:c1");
  auto socket = connect_and_open();
  for (const char* text : {"", "{", "[]", "42", "{\"type\":7}", "{\"type\":\"update\"}",
                           "{\"type\":\"update\",\"channel\":\"Message:list:c1\",\"data\":5}",
                           "{\"type\":\"batch\",\"frames\":[1,\"x\",null]}",
                           "{\"type\":\"ack\",\"requestId\":\"nope\"}"}) {
    sockets_.push(socket, std::string(text));
  }
  sockets_.poll();
  EXPECT_TRUE(updates_.empty());
  EXPECT_EQ(link_.status().state, LinkState::kOpen);
}

TEST_F(RealtimeTest, ConnectingTooLongCountsAsAFailure) {
  link_.set_token("tok");
  advance(14999);
  EXPECT_EQ(link_.status().state, LinkState::kConnecting);
  advance(1);
  EXPECT_EQ(link_.status().state, LinkState::kBackoff);
  EXPECT_TRUE(sockets_.socket(1).closed_by_client);
}

}  // namespace
}  // namespace imchat::sdk
