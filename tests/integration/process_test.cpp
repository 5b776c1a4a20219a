// The real imchat-server binary as its own process: what only a process can show. A kill -9
// in the middle of traffic loses nothing that was acknowledged (WAL + synchronous=FULL:
// an acknowledged write is on disk), stores nothing twice, and a reply cut off by the kill
// is not left "streaming" for ever. SIGTERM stops cleanly.
#include <gtest/gtest.h>

#include <set>

#include "support/api_fixture.h"
#include "support/server_process.h"
#include "support/ws_client.h"

namespace imchat {
namespace {

using protocol::Json;
using testing::Reply;
using testing::ServerProcess;

class ProcessTest : public testing::ApiTest {
 protected:
  void SetUp() override {}  // no in-process server: the binary serves
  std::string base_url() const override { return process_ ? process_->url() : std::string(); }

  void start_process() {
    process_.reset();
    process_ = std::make_unique<ServerProcess>(
        IMCHAT_SERVER_BIN,
        std::vector<std::string>{"--data-dir", data_.str(), "--builtin-delay-ms", "200",
                                 "--write-burst", "100000", "--writes-per-second", "100000"});
    ASSERT_TRUE(process_->started()) << "the server binary did not start";
  }

  std::unique_ptr<ServerProcess> process_;
};

TEST_F(ProcessTest, AKillNineLosesNothingAcknowledgedAndStoresNothingTwice) {
  start_process();
  Reply guest = call("POST", "/api/auth/guest");
  ASSERT_EQ(guest.status, 201) << guest.raw;
  const std::string token = guest.body["data"]["token"];
  const std::string cid = create_conversation(token, "survives", {}, "AI");

  // Acknowledged writes, over REST and over the WebSocket.
  std::vector<std::string> acked;
  for (int i = 0; i < 30; ++i) {
    Reply r = post_message(token, cid, "rest " + std::to_string(i), "rest-" + std::to_string(i));
    ASSERT_EQ(r.status, 201) << r.raw;
    acked.push_back(r.body["data"]["id"]);
  }
  testing::WsClient ws(process_->port(), token);
  ASSERT_TRUE(ws.connected());
  for (int i = 0; i < 20; ++i) {
    ws.send({{"type", "send-message"},
             {"requestId", "r" + std::to_string(i)},
             {"conversationId", cid},
             {"content", "ws " + std::to_string(i)},
             {"clientId", "ws-" + std::to_string(i)}});
  }
  int acks = 0;
  while (acks < 20) {
    auto frame = ws.next();
    ASSERT_TRUE(frame) << "missing acks";
    if ((*frame)["type"] == "ack") {
      acked.push_back((*frame)["data"]["id"]);
      ++acks;
    }
  }
  // The builtin model is still writing its reply (200 ms a token, some 60 tokens) when the
  // process dies.
  EXPECT_EQ(process_->stop(SIGKILL), -SIGKILL);

  start_process();
  // The signing secret was kept: the same token still works.
  Reply page = call(
      "GET",
      "/api/messages?where[conversationId][equals]=" + cid + "&orderBy[createdAt]=asc&take=100",
      nullptr, token);
  ASSERT_EQ(page.status, 200) << page.raw;
  std::set<std::string> stored_ids;
  std::vector<std::string> user_contents;
  int64_t last_seq = 0;
  int interrupted = 0;
  for (const auto& m : page.body["data"]) {
    EXPECT_TRUE(stored_ids.insert(m["id"].get<std::string>()).second) << "stored twice";
    EXPECT_GT(m["seq"].get<int64_t>(), last_seq);
    last_seq = m["seq"];
    if (m["role"] == "USER") user_contents.push_back(m["content"]);
    // Nothing is left streaming: the cut reply says what happened.
    EXPECT_NE(m["status"], "streaming") << m.dump();
    if (m["role"] == "ASSISTANT" && m["status"] == "error") {
      EXPECT_NE(m["content"].get<std::string>().find("The reply was interrupted"),
                std::string::npos);
      EXPECT_EQ(m["metadata"]["finishReason"], "interrupted");
      ++interrupted;
    }
  }
  for (const auto& id : acked)
    EXPECT_TRUE(stored_ids.count(id)) << "acknowledged message " << id << " was lost";
  EXPECT_EQ(interrupted, 1) << "the reply cut by the kill";
  ASSERT_EQ(user_contents.size(), 50u);
  EXPECT_EQ(user_contents.front(), "rest 0");
  EXPECT_EQ(user_contents.back(), "ws 19");

  // A client that resends after the crash (it never knew) does not store a second copy.
  Reply again = post_message(token, cid, "rest 7", "rest-7");
  EXPECT_EQ(again.status, 200) << again.raw;
  EXPECT_EQ(again.body["data"]["id"], acked[7]);

  // And one that reconnects with `since` gets every event after it, in order.
  testing::WsClient back(process_->port(), token);
  back.send({{"type", "subscribe"}, {"channel", "Message:list:" + cid}, {"since", 40}});
  int64_t seq = 40;
  while (true) {
    auto frame = back.next();
    ASSERT_TRUE(frame) << "the replay stopped";
    if ((*frame)["type"] == "subscribed") break;
    if ((*frame)["type"] != "update") continue;
    EXPECT_GT((*frame)["data"]["seq"].get<int64_t>(), seq);
    seq = (*frame)["data"]["seq"];
  }
  EXPECT_GE(seq, 50);
}

TEST_F(ProcessTest, SigtermStopsCleanly) {
  start_process();
  EXPECT_EQ(call("GET", "/api/health").status, 200);
  EXPECT_EQ(process_->stop(SIGTERM), 0);
}

TEST_F(ProcessTest, BadFlagsFailWithAMessageNotACrash) {
  ServerProcess bad(IMCHAT_SERVER_BIN, {"--threads", "zero"});
  EXPECT_FALSE(bad.started());
  EXPECT_EQ(bad.stop(SIGTERM), 2);  // it had already exited, with the usage-error code
}

}  // namespace
}  // namespace imchat
