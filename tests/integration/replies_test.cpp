// Assistant replies: the builtin model streamed over the WebSocket, stored at the end,
// replayable, cancellable. Real server, real sockets, real SQLite.
#include <gtest/gtest.h>

#include "support/api_fixture.h"
#include "support/ws_client.h"

namespace imchat {
namespace {

using protocol::Json;
using testing::Reply;
using testing::WsClient;

class RepliesTest : public testing::ApiTest {
 protected:
  struct Conversation {
    std::string user;
    std::string token;
    std::string id;
    std::unique_ptr<WsClient> ws;
  };

  Conversation open_ai_conversation(const std::string& name) {
    Conversation c;
    std::tie(c.user, c.token) = sign_up(name);
    c.id = create_conversation(c.token, "ask", {}, "AI");
    c.ws = std::make_unique<WsClient>(server_->port(), c.token);
    c.ws->send({{"type", "subscribe"}, {"channel", "Message:list:" + c.id}});
    EXPECT_EQ(c.ws->expect("subscribed")["type"], "subscribed");
    return c;
  }

  // After a send: reads the ack, the user's message and the assistant's draft, in whatever
  // order the ack and the user's update arrive. Returns {ack, user update, assistant update}.
  std::tuple<Json, Json, Json> read_send(WsClient& ws) {
    Json ack, user, assistant;
    while (assistant.is_null()) {
      auto frame = ws.next();
      if (!frame) {
        ADD_FAILURE() << "the send was not answered";
        break;
      }
      if ((*frame)["type"] == "ack") ack = *frame;
      if ((*frame)["type"] == "update" && (*frame)["data"]["data"]["role"] == "USER") user = *frame;
      if ((*frame)["type"] == "update" && (*frame)["data"]["data"]["role"] == "ASSISTANT") {
        assistant = *frame;
      }
    }
    return {ack, user, assistant};
  }

  // Reads frames until the assistant message's final update; returns {deltas joined, final}.
  std::pair<std::string, Json> read_reply(WsClient& ws, const std::string& assistant_id) {
    std::string streamed;
    while (auto frame = ws.next()) {
      if ((*frame)["type"] == "stream") {
        EXPECT_EQ((*frame)["data"]["messageId"], assistant_id);
        EXPECT_EQ((*frame)["data"]["offset"], streamed.size()) << "a gap or overlap in deltas";
        streamed += (*frame)["data"]["delta"].get<std::string>();
      } else if ((*frame)["type"] == "update" && (*frame)["data"]["type"] == "updated" &&
                 (*frame)["data"]["id"] == assistant_id) {
        return {streamed, (*frame)["data"]["data"]};
      }
    }
    ADD_FAILURE() << "the reply never finished";
    return {streamed, Json()};
  }
};

TEST_F(RepliesTest, AnAiConversationStreamsAReplyAndStoresItWithMetadata) {
  auto c = open_ai_conversation("quinn");
  c.ws->send({{"type", "send-message"},
              {"requestId", "q1"},
              {"conversationId", c.id},
              {"content", "hello model"},
              {"clientId", "quinn-1"}});
  auto [ack, user, assistant] = read_send(*c.ws);
  EXPECT_EQ(ack["requestId"], "q1");
  EXPECT_EQ(user["data"]["data"]["content"], "hello model");
  ASSERT_EQ(assistant["data"]["type"], "created");
  EXPECT_EQ(assistant["data"]["data"]["role"], "ASSISTANT");
  EXPECT_EQ(assistant["data"]["data"]["status"], "streaming");
  EXPECT_EQ(assistant["data"]["data"]["content"], "");
  EXPECT_EQ(assistant["data"]["seq"], user["data"]["seq"].get<int>() + 1);

  auto [streamed, final_message] = read_reply(*c.ws, assistant["data"]["id"]);
  EXPECT_EQ(final_message["status"], "complete");
  EXPECT_EQ(final_message["content"], streamed) << "the stored reply differs from the stream";
  EXPECT_NE(streamed.find("You wrote *2 words*: \"hello model\""), std::string::npos) << streamed;
  const Json& meta = final_message["metadata"];
  EXPECT_EQ(meta["provider"], "builtin");
  EXPECT_EQ(meta["model"], "builtin");
  EXPECT_EQ(meta["finishReason"], "stop");
  EXPECT_GE(meta["latency"].get<int>(), 0);
  EXPECT_GT(meta["usage"]["completionTokens"].get<int>(), 10);
  EXPECT_EQ(meta["usage"]["promptTokens"], 2);
  EXPECT_EQ(meta["usage"]["estimatedCost"], 0.0);  // the builtin model is free
  EXPECT_EQ(meta["usage"]["totalTokens"], meta["usage"]["promptTokens"].get<int>() +
                                              meta["usage"]["completionTokens"].get<int>());

  // The stored history says the same as the stream did.
  Reply list = call("GET", "/api/messages?where[conversationId][equals]=" + c.id, nullptr, c.token);
  ASSERT_EQ(list.body["data"].size(), 2u);
  EXPECT_EQ(list.body["data"][1]["content"], streamed);
  EXPECT_EQ(list.body["data"][1]["status"], "complete");
}

TEST_F(RepliesTest, AResentMessageDoesNotStartASecondReply) {
  auto c = open_ai_conversation("rae");
  const Json send = {{"type", "send-message"},
                     {"conversationId", c.id},
                     {"content", "once"},
                     {"clientId", "rae-1"}};
  c.ws->send(send);
  auto [ack, user, assistant] = read_send(*c.ws);
  read_reply(*c.ws, assistant["data"]["id"]);
  c.ws->send(send);
  c.ws->expect("ack");
  EXPECT_TRUE(c.ws->drain().empty()) << "the repeat started something";
  Reply list = call("GET", "/api/messages?where[conversationId][equals]=" + c.id, nullptr, c.token);
  EXPECT_EQ(list.body["data"].size(), 2u);
}

TEST_F(RepliesTest, OtherConversationTypesGetNoReply) {
  auto [user, token] = sign_up("sol");
  const std::string cid = create_conversation(token, "notes");  // GROUP
  WsClient ws(server_->port(), token);
  ws.send({{"type", "subscribe"}, {"channel", "Message:list:" + cid}});
  ws.expect("subscribed");
  ASSERT_EQ(post_message(token, cid, "just a note").status, 201);
  auto frames = ws.drain();
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0]["data"]["data"]["role"], "USER");
}

TEST_F(RepliesTest, AReconnectingClientReplaysTheFinishedReply) {
  auto c = open_ai_conversation("tao");
  ASSERT_EQ(post_message(c.token, c.id, "are you there").status, 201);  // over REST
  c.ws->expect("update");
  Json assistant = c.ws->expect("update");
  auto [streamed, final_message] = read_reply(*c.ws, assistant["data"]["id"]);
  c.ws.reset();  // gone

  WsClient again(server_->port(), c.token);
  again.send({{"type", "subscribe"}, {"channel", "Message:list:" + c.id}, {"since", 1}});
  std::vector<std::string> kinds;
  Json last;
  while (auto frame = again.next()) {
    if ((*frame)["type"] == "subscribed") break;
    kinds.push_back((*frame)["data"]["type"]);
    last = (*frame)["data"]["data"];
  }
  EXPECT_EQ(kinds, (std::vector<std::string>{"created", "created", "updated"}));
  EXPECT_EQ(last["content"], streamed);
  EXPECT_EQ(last["status"], "complete");
}

TEST_F(RepliesTest, CancelStopsTheReplyAndKeepsWhatWasWritten) {
  builtin_delay_ms_ = 40;  // slow enough to interrupt
  restart_server();
  auto c = open_ai_conversation("uma");
  c.ws->send({{"type", "send-message"}, {"conversationId", c.id}, {"content", "tell me more"}});
  auto [ack, user, assistant] = read_send(*c.ws);
  Json first = c.ws->expect("stream");
  ASSERT_EQ(first["type"], "stream");
  c.ws->send({{"type", "cancel"}, {"conversationId", c.id}});
  std::string streamed = first["data"]["delta"];
  Json final_message;
  while (auto frame = c.ws->next()) {
    if ((*frame)["type"] == "stream") streamed += (*frame)["data"]["delta"].get<std::string>();
    if ((*frame)["type"] == "update" && (*frame)["data"]["id"] == assistant["data"]["id"]) {
      final_message = (*frame)["data"]["data"];
      break;
    }
  }
  EXPECT_EQ(final_message["status"], "cancelled");
  EXPECT_EQ(final_message["metadata"]["finishReason"], "cancelled");
  EXPECT_EQ(final_message["content"], streamed);
  EXPECT_LT(streamed.size(), 100u) << "the whole reply arrived: the cancel did nothing";
  EXPECT_TRUE(c.ws->drain().empty()) << "deltas kept coming after the cancel";
  // The conversation carries on: a new message gets a new, complete reply.
  c.ws->send({{"type", "cancel"}, {"conversationId", "c_not_mine"}});
  EXPECT_EQ(c.ws->expect("error")["code"], "not_found");
}

// POST /api/chat/:id/message: the whole exchange in one request.
TEST_F(RepliesTest, ChatEndpointAnswersWithBothMessagesAndTheUsage) {
  auto [user, token] = sign_up("chet");
  const std::string cid = create_conversation(token, "one shot", {}, "AI");
  Reply r = call("POST", "/api/chat/" + cid + "/message", {{"content", "what is imchat?"}}, token);
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(r.body["userMessage"]["content"], "what is imchat?");
  EXPECT_EQ(r.body["userMessage"]["role"], "USER");
  const Json& ai = r.body["aiMessage"];
  EXPECT_EQ(ai["role"], "ASSISTANT");
  EXPECT_EQ(ai["status"], "complete");
  EXPECT_NE(ai["content"].get<std::string>().find("You wrote *3 words*"), std::string::npos);
  EXPECT_EQ(r.body["usage"], ai["metadata"]["usage"]);
  EXPECT_GT(r.body["usage"]["completionTokens"].get<int>(), 0);
  // Both are stored, in order.
  Reply page = call("GET", "/api/messages?where[conversationId][equals]=" + cid, nullptr, token);
  ASSERT_EQ(page.body["data"].size(), 2u);
  EXPECT_EQ(page.body["data"][0]["id"], r.body["userMessage"]["id"]);
  EXPECT_EQ(page.body["data"][1]["id"], ai["id"]);
}

TEST_F(RepliesTest, ChatEndpointRefusesWhatItCannotAnswer) {
  auto [user, token] = sign_up("dora");
  auto [other, other_token] = sign_up("eli");
  const std::string ai = create_conversation(token, "mine", {}, "AI");
  const std::string group = create_conversation(token, "people");
  auto chat = [&](const std::string& id, const Json& body, const std::string& t) {
    return call("POST", "/api/chat/" + id + "/message", body, t);
  };
  EXPECT_EQ(chat(ai, {{"content", "hi"}}, "").status, 401);
  EXPECT_EQ(chat(ai, {{"content", "hi"}}, other_token).status, 404);  // not theirs
  EXPECT_EQ(chat("c_nope", {{"content", "hi"}}, token).status, 404);
  Reply not_ai = chat(group, {{"content", "hi"}}, token);
  EXPECT_EQ(not_ai.status, 400);
  EXPECT_EQ(not_ai.body["details"]["field"], "conversationId");
  Reply empty = chat(ai, {{"content", ""}}, token);
  EXPECT_EQ(empty.status, 400);
  EXPECT_EQ(empty.body["details"]["field"], "content");
  EXPECT_EQ(chat(ai, {{"content", 5}}, token).status, 400);
  Reply bad_client_id = chat(ai, {{"content", "hi"}, {"clientId", ""}}, token);
  EXPECT_EQ(bad_client_id.status, 400);
  EXPECT_EQ(bad_client_id.body["details"]["field"], "clientId");
  EXPECT_EQ(call_raw("POST", "/api/chat/" + ai + "/message", "{not json", token).status, 400);
  EXPECT_EQ(chat(ai, {{"content", std::string(2000, 'x')}}, token).status, 413);
  // Nothing of that was stored.
  Reply page = call("GET", "/api/messages?where[conversationId][equals]=" + ai, nullptr, token);
  EXPECT_TRUE(page.body["data"].empty()) << page.raw;
}

TEST_F(RepliesTest, ChatEndpointWaitsItsTurnWhileAReplyIsStreaming) {
  builtin_delay_ms_ = 40;  // the first reply is still streaming when the second asks
  restart_server();
  auto [user, token] = sign_up("finn");
  const std::string cid = create_conversation(token, "busy", {}, "AI");
  ASSERT_EQ(post_message(token, cid, "first").status, 201);
  Reply busy = call("POST", "/api/chat/" + cid + "/message", {{"content", "second"}}, token);
  EXPECT_EQ(busy.status, 409) << busy.raw;
  // The refused question was not stored: the user message and the streaming reply only.
  Reply page = call("GET", "/api/messages?where[conversationId][equals]=" + cid, nullptr, token);
  EXPECT_EQ(page.body["data"].size(), 2u);
}

}  // namespace
}  // namespace imchat

namespace imchat {
namespace {

// Regenerate: the latest reply is replaced (a tombstone, then a new streamed reply from the
// same history); anything else is refused with a clear status and changes nothing.
TEST_F(RepliesTest, TheLatestReplyCanBeRegeneratedAndNothingElse) {
  auto c = open_ai_conversation("uma");
  c.ws->send({{"type", "send-message"},
              {"conversationId", c.id},
              {"content", "first try"},
              {"clientId", "u-1"}});
  auto [ack, user, assistant] = read_send(*c.ws);
  const std::string old_id = assistant["data"]["id"];
  read_reply(*c.ws, old_id);

  // Not a reply, not a message of this user's: refused.
  EXPECT_EQ(call("POST", "/api/messages/" + user["data"]["id"].get<std::string>() + "/regenerate",
                 nullptr, c.token)
                .status,
            400);
  auto [other, other_token] = sign_up("vic");
  EXPECT_EQ(call("POST", "/api/messages/" + old_id + "/regenerate", nullptr, other_token).status,
            404);

  Reply again = call("POST", "/api/messages/" + old_id + "/regenerate", nullptr, c.token);
  ASSERT_EQ(again.status, 204) << again.body.dump();
  // Subscribers see the old reply go, then a new one streamed in its place.
  auto gone = c.ws->expect("update");
  EXPECT_EQ(gone["data"]["type"], "deleted");
  EXPECT_EQ(gone["data"]["id"], old_id);
  auto created = c.ws->expect("update");
  ASSERT_EQ(created["data"]["type"], "created");
  EXPECT_EQ(created["data"]["data"]["role"], "ASSISTANT");
  const std::string new_id = created["data"]["id"];
  EXPECT_NE(new_id, old_id);
  auto [streamed, final_message] = read_reply(*c.ws, new_id);
  EXPECT_EQ(final_message["status"], "complete");
  EXPECT_NE(streamed.find("\"first try\""), std::string::npos)
      << "answers the same question: " << streamed;

  Reply list = call("GET", "/api/messages?where[conversationId][equals]=" + c.id, nullptr, c.token);
  ASSERT_EQ(list.body["data"].size(), 2u) << "the old reply is gone, not kept beside the new";
  EXPECT_EQ(list.body["data"][1]["id"], new_id);

  // Only the latest: after another exchange the earlier reply is history.
  ASSERT_EQ(post_message(c.token, c.id, "second").status, 201);
  c.ws->expect("update");                                          // the user's message
  const std::string third = c.ws->expect("update")["data"]["id"];  // the new reply's draft
  read_reply(*c.ws, third);
  EXPECT_EQ(call("POST", "/api/messages/" + new_id + "/regenerate", nullptr, c.token).status, 409);
}

}  // namespace
}  // namespace imchat
