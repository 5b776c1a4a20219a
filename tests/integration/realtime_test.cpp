// The WebSocket gateway end to end: real server, real sockets, real SQLite.
#include <gtest/gtest.h>

#include "support/api_fixture.h"
#include "support/ws_client.h"

namespace imchat {
namespace {

using protocol::Json;
using testing::Reply;
using testing::WsClient;

class RealtimeTest : public testing::ApiTest {
 protected:
  std::unique_ptr<WsClient> connect(const std::string& token) {
    auto client = std::make_unique<WsClient>(server_->port(), token);
    EXPECT_TRUE(client->connected());
    return client;
  }

  // Subscribes and returns the "subscribed" frame.
  Json subscribe(WsClient& ws, const std::string& channel, std::optional<int64_t> since = {}) {
    Json frame = {{"type", "subscribe"}, {"channel", channel}};
    if (since) frame["since"] = *since;
    ws.send(frame);
    return ws.expect("subscribed");
  }
};

TEST_F(RealtimeTest, ABadTokenClosesWith4401) {
  WsClient ws(server_->port(), "not-a-token");
  ASSERT_TRUE(ws.connected());
  EXPECT_FALSE(ws.next());
  EXPECT_EQ(ws.close_code(), 4401);
}

TEST_F(RealtimeTest, PingAnswersPongWithTheSameToken) {
  auto [id, token] = sign_up("ann");
  auto ws = connect(token);
  ws->send({{"type", "ping"}, {"t", 12345}});
  Json pong = ws->expect("pong");
  EXPECT_EQ(pong["t"], 12345);
}

TEST_F(RealtimeTest, RestWritesReachSubscribersAsUpdates) {
  auto [a, ta] = sign_up("bea");
  const std::string cid = create_conversation(ta, "live");
  auto ws = connect(ta);
  Json subscribed = subscribe(*ws, "Message:list:" + cid);
  EXPECT_EQ(subscribed["seq"], 1);  // the conversation's creation

  Reply posted = post_message(ta, cid, "hello");
  ASSERT_EQ(posted.status, 201);
  Json update = ws->expect("update");
  EXPECT_EQ(update["channel"], "Message:list:" + cid);
  EXPECT_EQ(update["data"]["type"], "created");
  EXPECT_EQ(update["data"]["seq"], 2);
  EXPECT_EQ(update["data"]["id"], posted.body["data"]["id"]);
  EXPECT_EQ(update["data"]["data"]["content"], "hello");

  const std::string mid = posted.body["data"]["id"];
  ASSERT_EQ(call("PATCH", "/api/messages/" + mid, {{"content", "hello!"}}, ta).status, 200);
  Json edited = ws->expect("update");
  EXPECT_EQ(edited["data"]["type"], "updated");
  EXPECT_EQ(edited["data"]["data"]["content"], "hello!");
  EXPECT_EQ(edited["data"]["seq"], 3);
  ASSERT_EQ(call("DELETE", "/api/messages/" + mid, nullptr, ta).status, 204);
  Json deleted = ws->expect("update");
  EXPECT_EQ(deleted["data"]["type"], "deleted");
  EXPECT_EQ(deleted["data"]["id"], mid);
}

TEST_F(RealtimeTest, SendMessageAcksAndIsIdempotentByClientId) {
  auto [a, ta] = sign_up("cal");
  auto [b, tb] = sign_up("dee");
  const std::string cid = create_conversation(ta, "pair", {b});
  auto wa = connect(ta);
  auto wb = connect(tb);
  subscribe(*wb, "Message:list:" + cid);

  const Json send = {{"type", "send-message"},
                     {"requestId", "r1"},
                     {"conversationId", cid},
                     {"content", "hi dee"},
                     {"clientId", "cal-1"}};
  wa->send(send);
  Json ack = wa->expect("ack");
  EXPECT_EQ(ack["requestId"], "r1");
  EXPECT_EQ(ack["data"]["content"], "hi dee");
  EXPECT_EQ(ack["data"]["clientId"], "cal-1");
  Json update = wb->expect("update");
  EXPECT_EQ(update["data"]["id"], ack["data"]["id"]);

  // The same send again (a retry after a lost ack): acked with the stored message, and
  // nobody sees a second one.
  Json again = send;
  again["requestId"] = "r2";
  wa->send(again);
  Json second = wa->expect("ack");
  EXPECT_EQ(second["requestId"], "r2");
  EXPECT_EQ(second["data"]["id"], ack["data"]["id"]);
  EXPECT_TRUE(wb->drain().empty()) << "a duplicate reached the other participant";
  Reply list = call("GET", "/api/messages?where[conversationId][equals]=" + cid, nullptr, ta);
  EXPECT_EQ(list.body["data"].size(), 1u);
}

TEST_F(RealtimeTest, OutsidersCannotSubscribeOrSendOrTypeInOthersConversations) {
  auto [a, ta] = sign_up("eve");
  auto [b, tb] = sign_up("fox");
  const std::string cid = create_conversation(ta, "private");
  auto wb = connect(tb);
  for (const std::string& channel : {"Message:list:" + cid, "Conversation:item:" + cid}) {
    wb->send({{"type", "subscribe"}, {"channel", channel}});
    Json error = wb->expect("error");
    EXPECT_EQ(error["code"], "not_found") << channel;
    EXPECT_EQ(error["channel"], channel);
  }
  wb->send({{"type", "send-message"}, {"requestId", 7}, {"conversationId", cid}, {"content", "x"}});
  Json refused = wb->expect("error");
  EXPECT_EQ(refused["code"], "not_found");
  EXPECT_EQ(refused["requestId"], 7);
  wb->send({{"type", "typing"}, {"conversationId", cid}, {"isTyping", true}});
  EXPECT_EQ(wb->expect("error")["code"], "not_found");

  ASSERT_EQ(post_message(ta, cid, "secret").status, 201);
  EXPECT_TRUE(wb->drain().empty()) << "an outsider received a private update";
  Reply list = call("GET", "/api/messages?where[conversationId][equals]=" + cid, nullptr, ta);
  EXPECT_EQ(list.body["data"].size(), 1u) << "the outsider's send was stored";
}

TEST_F(RealtimeTest, ReconnectWithSinceReplaysEverythingMissedInOrder) {
  auto [a, ta] = sign_up("gil");
  const std::string cid = create_conversation(ta, "replay");
  int64_t last_seen = 0;
  {
    auto ws = connect(ta);
    last_seen = subscribe(*ws, "Message:list:" + cid)["seq"];
  }  // the client goes away (network blip)
  const std::string m1 = post_message(ta, cid, "one").body["data"]["id"];
  const std::string m2 = post_message(ta, cid, "two").body["data"]["id"];
  ASSERT_EQ(call("PATCH", "/api/messages/" + m1, {{"content", "one (edited)"}}, ta).status, 200);
  ASSERT_EQ(call("DELETE", "/api/messages/" + m2, nullptr, ta).status, 204);
  ASSERT_EQ(call("PATCH", "/api/conversations/" + cid, {{"title", "renamed"}}, ta).status, 200);

  auto ws = connect(ta);
  ws->send({{"type", "subscribe"}, {"channel", "Message:list:" + cid}, {"since", last_seen}});
  std::vector<std::string> seen;
  int64_t previous = last_seen;
  while (true) {
    auto frame = ws->next();
    ASSERT_TRUE(frame);
    if ((*frame)["type"] == "subscribed") {
      EXPECT_EQ((*frame)["seq"], 6);  // the rename took 6; it is not a message event
      break;
    }
    ASSERT_EQ((*frame)["type"], "update") << frame->dump();
    const int64_t seq = (*frame)["data"]["seq"];
    EXPECT_GT(seq, previous);
    previous = seq;
    seen.push_back((*frame)["data"]["type"].get<std::string>() + ":" +
                   (*frame)["data"]["id"].get<std::string>());
  }
  // Every event keeps its place in the sequence, but shows what is: the deleted message's
  // creation replays as a tombstone (its text is gone from the log).
  EXPECT_EQ(seen, (std::vector<std::string>{"created:" + m1, "deleted:" + m2, "updated:" + m1,
                                            "deleted:" + m2}));
  // Live updates carry on after the replay without gaps.
  ASSERT_EQ(post_message(ta, cid, "three").status, 201);
  EXPECT_EQ(ws->expect("update")["data"]["seq"], 7);
}

TEST_F(RealtimeTest, ASinceFromTheFutureAsksForAResync) {
  auto [a, ta] = sign_up("hal");
  const std::string cid = create_conversation(ta, "resync");
  auto ws = connect(ta);
  ws->send({{"type", "subscribe"}, {"channel", "Message:list:" + cid}, {"since", 999}});
  Json error = ws->expect("error");
  EXPECT_EQ(error["code"], "resync");
  EXPECT_EQ(error["channel"], "Message:list:" + cid);
  EXPECT_EQ(ws->expect("subscribed")["seq"], 1);
}

TEST_F(RealtimeTest, ABurstArrivesCompleteAndInOrder) {
  auto [a, ta] = sign_up("ivy");
  const std::string cid = create_conversation(ta, "burst");
  auto ws = connect(ta);
  subscribe(*ws, "Message:list:" + cid);
  auto sender = connect(ta);
  constexpr int kCount = 300;
  for (int i = 0; i < kCount; ++i) {
    sender->send({{"type", "send-message"},
                  {"requestId", i},
                  {"conversationId", cid},
                  {"content", "burst " + std::to_string(i)}});
  }
  int64_t expected_seq = 2;
  for (int i = 0; i < kCount; ++i) {
    auto frame = ws->next();
    ASSERT_TRUE(frame) << "frame " << i << " never arrived";
    ASSERT_EQ((*frame)["type"], "update");
    EXPECT_EQ((*frame)["data"]["seq"], expected_seq++);
    // Stored in the order one socket sent them, not in whatever order workers ran.
    EXPECT_EQ((*frame)["data"]["data"]["content"], "burst " + std::to_string(i));
  }
  for (int i = 0; i < kCount; ++i) {
    Json ack = sender->expect("ack");
    ASSERT_EQ(ack["type"], "ack");
    EXPECT_EQ(ack["requestId"], i);
  }
}

TEST_F(RealtimeTest, FramesDueTogetherTravelAsBatches) {
  auto [a, ta] = sign_up("iris");
  auto ws = connect(ta);
  // Pongs are produced as fast as the pings are read: far more than one per flush interval.
  constexpr int kCount = 200;
  for (int i = 0; i < kCount; ++i)
    ws->send({{"type", "ping"}, {"t", i}});
  for (int i = 0; i < kCount; ++i) {
    auto pong = ws->next();
    ASSERT_TRUE(pong);
    ASSERT_EQ((*pong)["t"], i);
  }
  EXPECT_GT(ws->batches(), 0);
  EXPECT_LE(ws->batches(), kCount / 2) << "batches should carry several frames each";
}

TEST_F(RealtimeTest, SendsShareTheUsersWriteBudget) {
  write_burst_ = 2;
  writes_per_second_ = 0.01;
  restart_server();
  auto [a, ta] = sign_up("rio");
  const std::string cid = create_conversation(ta, "budget");  // REST write 1
  auto ws = connect(ta);
  ws->send(
      {{"type", "send-message"}, {"requestId", 1}, {"conversationId", cid}, {"content", "ok"}});
  EXPECT_EQ(ws->expect("ack")["requestId"], 1);  // write 2
  ws->send(
      {{"type", "send-message"}, {"requestId", 2}, {"conversationId", cid}, {"content", "no"}});
  Json limited = ws->expect("error");
  EXPECT_EQ(limited["code"], "rate_limited");
  EXPECT_EQ(limited["requestId"], 2);
  EXPECT_GE(limited["retryAfter"].get<int>(), 1);
}

TEST_F(RealtimeTest, ReadReceiptsReachOthersAndClearUnreadCounts) {
  auto [a, ta] = sign_up("sam");
  auto [b, tb] = sign_up("tess");
  const std::string cid = create_conversation(ta, "receipts", {b});
  const std::string m1 = post_message(tb, cid, "first").body["data"]["id"];
  const std::string m2 = post_message(tb, cid, "second").body["data"]["id"];
  auto unread = [&] {
    return call("GET", "/api/conversations", nullptr, ta).body["data"][0]["unreadCount"].get<int>();
  };
  ASSERT_EQ(unread(), 2);
  auto wa = connect(ta);
  auto wb = connect(tb);
  subscribe(*wb, "Message:list:" + cid);
  wa->send({{"type", "read"}, {"conversationId", cid}, {"messageId", m2}});
  Json receipt = wb->expect("read");
  EXPECT_EQ(receipt["userId"], a);
  EXPECT_EQ(receipt["messageId"], m2);
  EXPECT_EQ(unread(), 0);
  // Reading an older message never moves the position back.
  wa->send({{"type", "read"}, {"conversationId", cid}, {"messageId", m1}});
  EXPECT_EQ(wb->expect("read")["messageId"], m1);
  EXPECT_EQ(unread(), 0);
  // Only messages of a conversation the reader is in.
  wa->send({{"type", "read"}, {"conversationId", cid}, {"messageId", "m_nope"}});
  EXPECT_EQ(wa->expect("error")["code"], "not_found");
}

TEST_F(RealtimeTest, TypingReachesTheOthersButNotTheSender) {
  auto [a, ta] = sign_up("jay");
  auto [b, tb] = sign_up("kai");
  const std::string cid = create_conversation(ta, "typing", {b});
  auto wa = connect(ta);
  auto wb = connect(tb);
  subscribe(*wa, "Message:list:" + cid);
  subscribe(*wb, "Message:list:" + cid);
  wa->send({{"type", "typing"}, {"conversationId", cid}, {"isTyping", true}});
  Json typing = wb->expect("typing");
  EXPECT_EQ(typing["userId"], a);
  EXPECT_EQ(typing["isTyping"], true);
  EXPECT_TRUE(wa->drain().empty()) << "the sender saw its own typing";
}

TEST_F(RealtimeTest, ConversationListHearsAboutNewConversations) {
  auto [a, ta] = sign_up("lou");
  auto [b, tb] = sign_up("max");
  auto wb = connect(tb);
  subscribe(*wb, "Conversation:list");
  const std::string cid = create_conversation(ta, "with max", {b});
  Json created = wb->expect("update");
  EXPECT_EQ(created["channel"], "Conversation:list");
  EXPECT_EQ(created["data"]["type"], "created");
  EXPECT_EQ(created["data"]["id"], cid);
  EXPECT_EQ(created["data"]["data"]["title"], "with max");
  create_conversation(ta, "without max");
  EXPECT_TRUE(wb->drain().empty()) << "max heard about a conversation he is not in";
}

TEST_F(RealtimeTest, BadFramesGetErrorsAndTheConnectionKeepsWorking) {
  auto [a, ta] = sign_up("ned");
  auto ws = connect(ta);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{not json", "bad_request"},
      {"[1,2]", "bad_request"},
      {R"({"no":"type"})", "bad_request"},
      {R"({"type":"teleport"})", "bad_request"},
      {R"({"type":"subscribe"})", "bad_request"},
      {R"({"type":"subscribe","channel":"Nope:x"})", "bad_request"},
      {R"({"type":"subscribe","channel":"Message:list:c_1","since":-4})", "bad_request"},
      {R"({"type":"send-message","conversationId":"c","content":42})", "bad_request"},
      {R"({"type":"typing","conversationId":"c","isTyping":"yes"})", "bad_request"},
      {std::string(200, '[') + std::string(200, ']'), "bad_request"},
  };
  for (const auto& [text, code] : cases) {
    ws->send_text(text);
    Json error = ws->expect("error");
    EXPECT_EQ(error["code"], code) << text.substr(0, 60) << " → " << error.dump();
    EXPECT_TRUE(error["message"].is_string());
  }
  ws->send_text("binary?", false);
  EXPECT_EQ(ws->expect("error")["code"], "bad_request");
  ws->send({{"type", "ping"}, {"t", 1}});
  EXPECT_EQ(ws->expect("pong")["t"], 1);
}

TEST_F(RealtimeTest, InvalidUtf8ClosesThatConnectionOnly) {
  auto [a, ta] = sign_up("oda");
  auto bad = connect(ta);
  bad->send_text("{\"type\":\"ping\",\"t\":\"\xC3\x28\"}");
  EXPECT_FALSE(bad->next());
  EXPECT_EQ(bad->close_code(), 1007);  // invalid frame payload data
  auto good = connect(ta);
  good->send({{"type", "ping"}, {"t", 2}});
  EXPECT_EQ(good->expect("pong")["t"], 2);
}

TEST_F(RealtimeTest, OversizedFramesCloseWith1009) {
  auto [a, ta] = sign_up("pia");
  auto ws = connect(ta);
  ws->send({{"type", "ping"}, {"t", std::string(100 * 1024, 'x')}});
  EXPECT_FALSE(ws->next()) << "an oversized frame must end the connection";
  // 1009 (message too big) when the close frame wins the race with the rest of our own
  // 100 KiB; a reset (no code) when the server's kernel discards what it never read.
  EXPECT_TRUE(ws->close_code() == 1009 || ws->close_code() == 0) << ws->close_code();
  auto next = connect(ta);
  next->send({{"type", "ping"}, {"t", 3}});
  EXPECT_EQ(next->expect("pong")["t"], 3);
}

}  // namespace
}  // namespace imchat
