// ChatSync on scripted transports: REST answered by the test, the socket played by the
// test, the clock moved by hand. Each test is one rule of issue 4: events patch the cache,
// seq dedup, stream deltas at offsets, events during a refetch, the outbox (optimistic,
// ack, failure, retry, order, idempotent resend, persistence, bound), infinite paging
// with a cap, and optimistic conversation mutations rolled back on error.
#include <gtest/gtest.h>

#include "sdk/chat_sync.h"
#include "support/fake_http_client.h"
#include "support/fake_websocket.h"

namespace imchat::sdk {
namespace {

using protocol::Json;

Json message(const std::string& id, int64_t seq, const std::string& content,
             const std::string& role = "USER") {
  return {{"id", id},
          {"content", content},
          {"role", role},
          {"conversationId", "c1"},
          {"createdAt", "2026-11-24T10:00:00.000Z"},
          {"seq", seq},
          {"status", "complete"}};
}

// A page as GET /api/messages answers it: data newest first (orderBy desc).
std::string page(std::vector<Json> newest_first, bool has_more) {
  Json data = Json::array();
  for (auto& m : newest_first)
    data.push_back(m);
  return Json{{"data", data},
              {"meta", {{"total", 0}, {"skip", 0}, {"take", 50}, {"hasMore", has_more}}}}
      .dump();
}

Json update(const std::string& kind, const Json& body, int64_t seq) {
  return {{"type", "update"},
          {"channel", "Message:list:c1"},
          {"data", {{"type", kind}, {"data", body}, {"id", body["id"]}, {"seq", seq}}}};
}

Json stream(const std::string& id, int64_t seq, size_t offset, const std::string& delta) {
  return {{"type", "stream"},
          {"channel", "Message:list:c1"},
          {"data", {{"messageId", id}, {"delta", delta}, {"offset", offset}, {"seq", seq}}}};
}

class ChatSyncTest : public ::testing::Test {
 protected:
  int64_t now_ = 1'000'000;
  int next_client_id_ = 1;
  testing::FakeHttpClient http_;
  testing::FakeWebSocketClient sockets_;
  std::unique_ptr<platform::LocalStore> store_ = platform::make_memory_store();
  QueryCache cache_{{[this] { return now_; }, [] { return 0.5; }, true}};
  Api api_{http_, "http://127.0.0.1:1"};
  Realtime link_{sockets_,
                 RealtimeOptions{"ws://127.0.0.1:1/ws"},
                 {[this] { return now_; }, [] { return 0.5; }}};
  std::unique_ptr<ChatSync> sync_ = make_sync();

  std::unique_ptr<ChatSync> make_sync(ChatSyncOptions options = {}) {
    options.page_size = 3;
    options.max_pages = 2;
    return std::make_unique<ChatSync>(
        cache_, api_, link_, store_.get(), options,
        ChatSync::Hooks{[this] { return now_; },
                        [this] { return "k" + std::to_string(next_client_id_++); }});
  }

  void pump() {
    for (int i = 0; i < 3; ++i) {
      http_.poll();
      sockets_.poll();
    }
  }
  platform::SocketId open_link() {
    link_.set_token("tok");
    const auto socket = sockets_.latest();
    sockets_.accept(socket);
    pump();
    return socket;
  }
  void lose_link(platform::SocketId socket) {
    sockets_.drop(socket);
    pump();
    now_ = link_.status().retry_at_ms;
    link_.tick();
  }
  // The last REST request's target and id.
  std::pair<platform::RequestId, std::string> last_request() const {
    const auto& sent = http_.sent().back();
    return {sent.id, sent.request.url};
  }
  void answer_last(const std::string& body) {
    http_.respond(last_request().first, 200, body);
    pump();
  }
  std::vector<std::string> contents() const {
    std::vector<std::string> out;
    if (auto list = sync_->messages("c1"))
      for (auto& m : list->items)
        out.push_back(m->content);
    return out;
  }
  std::vector<Json> sent(platform::SocketId socket, const std::string& type) {
    std::vector<Json> out;
    for (auto& frame : sockets_.take_sent(socket))
      if (frame["type"] == type) out.push_back(frame);
    return out;
  }
  // Opens the link, watches c1 and answers its first page with messages 1..3 (seq 1..3).
  ChatSync::Watch watch_with_three(platform::SocketId socket) {
    auto watch = sync_->watch_messages("c1");
    EXPECT_NE(last_request().second.find("orderBy[createdAt]=desc&take=3"), std::string::npos);
    answer_last(
        page({message("m3", 3, "three"), message("m2", 2, "two"), message("m1", 1, "one")}, false));
    std::vector<Json> subs;
    for (auto& frame : sent(socket, "subscribe"))
      if (frame["channel"] == "Message:list:c1") subs.push_back(frame);
    EXPECT_EQ(subs.size(), 1u);
    if (!subs.empty()) {
      EXPECT_EQ(subs[0]["since"], 3);
    }
    return watch;
  }
};

TEST_F(ChatSyncTest, FetchesTheNewestPageThenSubscribesSinceItsNewestSeq) {
  const auto socket = open_link();
  auto watch = watch_with_three(socket);
  EXPECT_EQ(contents(), (std::vector<std::string>{"one", "two", "three"}));
  EXPECT_FALSE(sync_->messages("c1")->has_older);
}

TEST_F(ChatSyncTest, UpdatesPatchTheListOnceEachAndKeepUnchangedItems) {
  const auto socket = open_link();
  auto watch = watch_with_three(socket);
  const auto before = sync_->messages("c1");
  const auto* first = before->items[0].get();
  const size_t requests = http_.sent().size();

  sockets_.push(socket, update("created", message("m4", 4, "four"), 4));
  sockets_.push(socket, update("created", message("m4", 4, "four"), 4));  // seen: dropped
  sockets_.push(socket, update("updated", message("m2", 2, "two, edited"), 5));
  pump();
  EXPECT_EQ(contents(), (std::vector<std::string>{"one", "two, edited", "three", "four"}));
  auto after = sync_->messages("c1");
  EXPECT_EQ(after->items[0].get(), first) << "an unchanged message keeps its identity";
  EXPECT_GT(after->version, before->version);
  // What a view needs to pay only for the change: the edit reached index 1.
  EXPECT_EQ(after->unchanged_prefix(before->version), 1u);
  EXPECT_EQ(after->unchanged_prefix(after->version), 4u);

  sockets_.push(socket, update("deleted", Json{{"id", "m3"}}, 6));
  pump();
  EXPECT_EQ(contents(), (std::vector<std::string>{"one", "two, edited", "four"}));
  EXPECT_EQ(http_.sent().size(), requests) << "no refetch to show one message";
}

TEST_F(ChatSyncTest, StreamDeltasGrowTheReplyAtTheirOffsetOnce) {
  const auto socket = open_link();
  auto watch = watch_with_three(socket);
  Json reply = message("a4", 4, "", "ASSISTANT");
  reply["status"] = "streaming";
  sockets_.push(socket, update("created", reply, 4));
  pump();
  const uint64_t created = sync_->messages("c1")->version;
  sockets_.push(socket, stream("a4", 4, 0, "Hello"));
  sockets_.push(socket, stream("a4", 4, 5, ", wor"));
  sockets_.push(socket, stream("a4", 4, 5, ", wor"));  // twice: ignored
  sockets_.push(socket, stream("a4", 4, 7, "world"));  // overlaps: only "ld" is new
  sockets_.push(socket, stream("a4", 4, 30, "gap"));   // a hole: wait for the final text
  pump();
  EXPECT_EQ(contents().back(), "Hello, world");
  EXPECT_EQ(sync_->messages("c1")->unchanged_prefix(created), 3u) << "only the reply changed";
  EXPECT_EQ(sync_->messages("c1")->unchanged_prefix(0), 0u) << "too old to tell";
  Json final_reply = message("a4", 4, "Hello, world!", "ASSISTANT");
  sockets_.push(socket, update("updated", final_reply, 5));
  sockets_.push(socket, stream("a4", 4, 13, "late"));  // after the final update: ignored
  pump();
  EXPECT_EQ(contents().back(), "Hello, world!");
  EXPECT_EQ(sync_->messages("c1")->items.back()->status, MessageStatus::kComplete);
}

TEST_F(ChatSyncTest, EventsDuringARefetchAreNotLostWhenThePageLands) {
  const auto socket = open_link();
  auto watch = watch_with_three(socket);
  // The server cannot replay a gap: refetch. Meanwhile events keep coming.
  sockets_.push(socket,
                Json{{"type", "error"}, {"code", "resync"}, {"channel", "Message:list:c1"}});
  pump();
  const auto [refetch, url] = last_request();
  EXPECT_NE(url.find("orderBy[createdAt]=desc"), std::string::npos);
  Json reply = message("a5", 5, "", "ASSISTANT");
  reply["status"] = "streaming";
  sockets_.push(socket, update("created", message("m4", 4, "four"), 4));
  sockets_.push(socket, update("created", reply, 5));
  sockets_.push(socket, stream("a5", 5, 0, "Hi"));
  pump();
  EXPECT_EQ(contents().back(), "Hi") << "shown at once, not held back for the page";
  // The page was read before those events: it must not take them away.
  http_.respond(refetch, 200, page({message("m3", 3, "three"), message("m2", 2, "two")}, true));
  pump();
  EXPECT_EQ(contents(), (std::vector<std::string>{"one", "two", "three", "four", "Hi"}));
}

TEST_F(ChatSyncTest, SendingShowsAtOnceThenSentOnAck) {
  const auto socket = open_link();
  auto watch = watch_with_three(socket);
  auto client_id = sync_->send_message("c1", "hello there");
  ASSERT_TRUE(client_id.ok());
  auto list = sync_->messages("c1");
  ASSERT_EQ(list->items.size(), 4u);
  EXPECT_EQ(list->items.back()->content, "hello there");
  EXPECT_EQ(sync_->delivery(*list->items.back()), Delivery::kSending);
  auto frames = sent(socket, "send-message");
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0]["clientId"], *client_id);
  EXPECT_EQ(frames[0]["conversationId"], "c1");

  Json stored = message("m4", 4, "hello there");
  stored["clientId"] = *client_id;
  sockets_.push(socket,
                Json{{"type", "ack"}, {"requestId", frames[0]["requestId"]}, {"data", stored}});
  sockets_.push(socket, update("created", stored, 4));  // its own update: no duplicate
  pump();
  EXPECT_EQ(contents(), (std::vector<std::string>{"one", "two", "three", "hello there"}));
  EXPECT_EQ(sync_->delivery(*sync_->messages("c1")->items.back()), Delivery::kSent);
  EXPECT_TRUE(sync_->outbox().empty());
  EXPECT_FALSE(store_->get("imchat.outbox"));
}

TEST_F(ChatSyncTest, ARefusedMessageIsFailedThenRetried) {
  const auto socket = open_link();
  auto watch = watch_with_three(socket);
  auto client_id = sync_->send_message("c1", "refused");
  ASSERT_TRUE(client_id.ok());
  auto frames = sent(socket, "send-message");
  sockets_.push(socket, Json{{"type", "error"},
                             {"requestId", frames[0]["requestId"]},
                             {"code", "not_found"},
                             {"message", "no such conversation"}});
  pump();
  ASSERT_EQ(sync_->outbox().size(), 1u);
  EXPECT_EQ(sync_->outbox()[0].delivery, Delivery::kFailed);
  EXPECT_EQ(sync_->outbox()[0].error, "no such conversation");
  EXPECT_EQ(sync_->delivery(*sync_->messages("c1")->items.back()), Delivery::kFailed);
  EXPECT_TRUE(sent(socket, "send-message").empty()) << "a refusal is not retried by itself";

  sync_->retry(*client_id);
  frames = sent(socket, "send-message");
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0]["clientId"], *client_id);
  EXPECT_EQ(sync_->delivery(*sync_->messages("c1")->items.back()), Delivery::kSending);

  sync_->discard(*client_id);  // only failed ones can be discarded
  EXPECT_EQ(sync_->outbox().size(), 1u);
}

TEST_F(ChatSyncTest, OfflineMessagesGoInOrderAndAResendAfterALostAckIsTheSameMessage) {
  auto watch = sync_->watch_messages("c1");
  answer_last(page({message("m1", 1, "one")}, false));
  ASSERT_TRUE(sync_->send_message("c1", "first").ok());
  ASSERT_TRUE(sync_->send_message("c1", "second").ok());
  EXPECT_EQ(contents(), (std::vector<std::string>{"one", "first", "second"}));

  auto socket = open_link();
  auto frames = sent(socket, "send-message");
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0]["content"], "first");
  EXPECT_EQ(frames[1]["content"], "second");
  // The first is acked; the connection dies before the second's ack.
  Json first = message("m2", 2, "first");
  first["clientId"] = frames[0]["clientId"];
  sockets_.push(socket,
                Json{{"type", "ack"}, {"requestId", frames[0]["requestId"]}, {"data", first}});
  pump();
  lose_link(socket);
  socket = sockets_.latest();
  sockets_.accept(socket);
  pump();
  auto again = sent(socket, "send-message");
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0]["clientId"], frames[1]["clientId"]) << "same clientId: the server dedups";
  Json second = message("m3", 3, "second");
  second["clientId"] = frames[1]["clientId"];
  sockets_.push(socket,
                Json{{"type", "ack"}, {"requestId", again[0]["requestId"]}, {"data", second}});
  pump();
  EXPECT_EQ(contents(), (std::vector<std::string>{"one", "first", "second"}));
  EXPECT_TRUE(sync_->outbox().empty());
}

TEST_F(ChatSyncTest, TheOutboxSurvivesARestartAndIsSentThen) {
  {
    auto watch = sync_->watch_messages("c1");
    answer_last(page({}, false));
    ASSERT_TRUE(sync_->send_message("c1", "kept").ok());
  }
  ASSERT_TRUE(store_->get("imchat.outbox"));
  sync_.reset();
  cache_.invalidate({"messages"});
  sync_ = make_sync();
  ASSERT_EQ(sync_->outbox().size(), 1u);
  const auto socket = open_link();
  auto frames = sent(socket, "send-message");
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0]["content"], "kept");
}

TEST_F(ChatSyncTest, TheOutboxIsBoundedAndRefusesRatherThanDrops) {
  ChatSyncOptions options;
  options.outbox_limit = 2;
  sync_ = make_sync(options);
  EXPECT_TRUE(sync_->send_message("c1", "a").ok());
  EXPECT_TRUE(sync_->send_message("c1", "b").ok());
  auto third = sync_->send_message("c1", "c");
  ASSERT_FALSE(third.ok());
  EXPECT_NE(third.error().message.find("waiting to be sent"), std::string::npos);
  EXPECT_EQ(sync_->send_message("c1", "  \n").error().code, ErrorCode::kValidation);
  EXPECT_EQ(sync_->outbox().size(), 2u);
}

TEST_F(ChatSyncTest, GivesUpAfterTooManyAttemptsAndSaysSo) {
  auto watch = sync_->watch_messages("c1");
  answer_last(page({}, false));
  ASSERT_TRUE(sync_->send_message("c1", "unlucky").ok());
  for (int i = 0; i < 5; ++i) {
    auto socket = sockets_.latest();
    if (link_.status().state != LinkState::kConnecting) {
      link_.set_token("tok");
      socket = sockets_.latest();
    }
    sockets_.accept(socket);
    pump();
    ASSERT_EQ(sent(socket, "send-message").size(), 1u);
    lose_link(socket);
  }
  EXPECT_EQ(sync_->outbox()[0].delivery, Delivery::kFailed);
  EXPECT_NE(sync_->outbox()[0].error.find("5 attempts"), std::string::npos);
}

TEST_F(ChatSyncTest, OlderPagesLoadByCursorAndTheCapLetsTheNewestGo) {
  const auto socket = open_link();
  auto watch = sync_->watch_messages("c1");
  answer_last(page({message("m9", 9, "9"), message("m8", 8, "8"), message("m7", 7, "7")}, true));
  EXPECT_TRUE(sync_->messages("c1")->has_older);
  ASSERT_TRUE(sync_->load_older("c1"));
  EXPECT_FALSE(sync_->load_older("c1")) << "one page load at a time";
  EXPECT_NE(last_request().second.find("before=7"), std::string::npos);
  answer_last(page({message("m6", 6, "6"), message("m5", 5, "5"), message("m4", 4, "4")}, true));
  EXPECT_EQ(contents(), (std::vector<std::string>{"4", "5", "6", "7", "8", "9"}));
  // Two pages is the cap here: a third older page lets the newest go.
  ASSERT_TRUE(sync_->load_older("c1"));
  answer_last(page({message("m3", 3, "3"), message("m2", 2, "2"), message("m1", 1, "1")}, false));
  EXPECT_EQ(contents(), (std::vector<std::string>{"1", "2", "3", "4", "5", "6"}));
  auto list = sync_->messages("c1");
  EXPECT_FALSE(list->has_older);
  EXPECT_TRUE(list->has_newer);
  // A live message beyond the window is not appended after a hole…
  sockets_.push(socket, update("created", message("m10", 10, "10"), 10));
  pump();
  EXPECT_EQ(contents().back(), "6");
  // …it comes with the newer pages.
  ASSERT_TRUE(sync_->load_newer("c1"));
  EXPECT_NE(last_request().second.find("after=6"), std::string::npos);
  answer_last(Json{{"data", {message("m7", 7, "7"), message("m8", 8, "8"), message("m9", 9, "9")}},
                   {"meta", {{"hasMore", true}}}}
                  .dump());
  EXPECT_EQ(contents(), (std::vector<std::string>{"4", "5", "6", "7", "8", "9"}));
  EXPECT_TRUE(sync_->messages("c1")->has_older);
  EXPECT_TRUE(sync_->messages("c1")->has_newer);
}

TEST_F(ChatSyncTest, RenameIsOptimisticAndRolledBackOnError) {
  const QueryKey list_key = conversations_key();
  auto observer = cache_.observe(list_key, fetch_conversations(api_, {}));
  Json conversation = {{"id", "c1"},
                       {"title", "Old"},
                       {"type", "AI"},
                       {"participants", Json::array()},
                       {"createdAt", "2026-11-24T10:00:00.000Z"},
                       {"updatedAt", "2026-11-24T10:00:00.000Z"}};
  answer_last(Json{{"data", {conversation}}, {"meta", {{"total", 1}, {"hasMore", false}}}}.dump());
  auto title = [&] {
    return cache_.data<Page<ConversationSummary>>(list_key)->data.at(0).conversation.title;
  };
  ASSERT_EQ(title(), "Old");

  ConversationPatch patch;
  patch.title = "New";
  std::optional<Result<Conversation>> outcome;
  sync_->update_conversation("c1", patch, [&](Result<Conversation> r) { outcome = std::move(r); });
  EXPECT_EQ(title(), "New") << "shown before the server answers";
  http_.respond(last_request().first, 500, R"({"error":"Internal","message":"disk full"})");
  pump();
  ASSERT_TRUE(outcome && !outcome->ok());
  EXPECT_EQ(title(), "Old") << "rolled back";
  EXPECT_NE(last_request().second.find("/api/conversations"), std::string::npos)
      << "and refetched on settle";
}

// A message in a conversation not on screen (the list channel): the sidebar row changes in
// the cache — last message, unread, first place — without refetching the list; a change
// the cache cannot apply (a conversation it does not hold) refetches.
TEST_F(ChatSyncTest, MessagesOnTheListChannelPatchTheRowsWithoutARefetch) {
  const auto socket = open_link();
  sync_->set_self("me");
  const QueryKey list_key = conversations_key();
  auto observer = cache_.observe(list_key, fetch_conversations(api_, {}));
  auto conversation = [](const std::string& id) {
    return Json{{"id", id},
                {"title", id},
                {"type", "GROUP"},
                {"participants", Json::array()},
                {"createdAt", "2026-11-24T10:00:00.000Z"},
                {"updatedAt", "2026-11-24T10:00:00.000Z"}};
  };
  answer_last(Json{{"data", {conversation("c0"), conversation("c1")}},
                   {"meta", {{"total", 2}, {"hasMore", false}}}}
                  .dump());
  const size_t requests = http_.sent().size();
  auto on_list = [&](const std::string& kind, Json body) {
    sockets_.push(socket,
                  {{"type", "update"},
                   {"channel", "Conversation:list"},
                   {"data", {{"type", kind}, {"data", body}, {"id", body["id"]}, {"seq", 0}}}});
    pump();
  };
  auto rows = [&] { return cache_.data<Page<ConversationSummary>>(list_key)->data; };

  Json from_ada = message("m7", 7, "Lunch?");
  from_ada["authorId"] = "ada";
  on_list("created", from_ada);
  ASSERT_EQ(rows().size(), 2u);
  EXPECT_EQ(rows()[0].conversation.id, "c1") << "the busiest conversation comes first";
  EXPECT_EQ(rows()[0].unread_count, 1);
  EXPECT_EQ(rows()[0].last_message->content, "Lunch?");
  Json mine = message("m8", 8, "Sure");
  mine["authorId"] = "me";
  on_list("created", mine);
  EXPECT_EQ(rows()[0].unread_count, 1) << "one's own message is not unread";
  EXPECT_EQ(rows()[0].last_message->content, "Sure");
  EXPECT_EQ(http_.sent().size(), requests) << "no refetch";
  // A reply finished: its event carries the whole conversation's totals, and the row takes
  // them (the header shows them, whatever page of the chat is loaded).
  Json reply = message("m9", 9, "Done");
  reply["role"] = "ASSISTANT";
  sockets_.push(socket, {{"type", "update"},
                         {"channel", "Conversation:list"},
                         {"data",
                          {{"type", "created"},
                           {"data", reply},
                           {"id", "m9"},
                           {"seq", 0},
                           {"totals", {{"messages", 5000}, {"tokens", 252500}, {"cost", 1.25}}}}}});
  pump();
  ASSERT_TRUE(rows()[0].conversation.totals);
  EXPECT_EQ(*rows()[0].conversation.totals, (ConversationTotals{5000, 252500, 1.25}));
  EXPECT_EQ(http_.sent().size(), requests) << "no refetch";

  Json elsewhere = message("m10", 10, "Hi");
  elsewhere["conversationId"] = "c-new";
  on_list("created", elsewhere);
  EXPECT_EQ(http_.sent().size(), requests + 1) << "a conversation not in the cache: refetched";
  EXPECT_NE(last_request().second.find("/api/conversations"), std::string::npos);
}

TEST_F(ChatSyncTest, DeleteIsOptimisticAndKeptOnSuccess) {
  const QueryKey list_key = conversations_key();
  auto observer = cache_.observe(list_key, fetch_conversations(api_, {}));
  Json conversation = {{"id", "c1"},
                       {"title", "Gone soon"},
                       {"type", "AI"},
                       {"participants", Json::array()},
                       {"createdAt", "2026-11-24T10:00:00.000Z"},
                       {"updatedAt", "2026-11-24T10:00:00.000Z"}};
  answer_last(Json{{"data", {conversation}}, {"meta", {{"total", 1}, {"hasMore", false}}}}.dump());
  bool done = false;
  sync_->delete_conversation("c1", [&](Result<Ok> r) { done = r.ok(); });
  EXPECT_TRUE(cache_.data<Page<ConversationSummary>>(list_key)->data.empty());
  http_.respond(last_request().first, 204, "");
  pump();
  EXPECT_TRUE(done);
}

}  // namespace
}  // namespace imchat::sdk

namespace imchat::sdk {
namespace {

TEST_F(ChatSyncTest, OthersTypingShowsUntilTheyStopOrItExpiresAndReadsAreKept) {
  const auto socket = open_link();
  auto watch = watch_with_three(socket);
  sockets_.push(
      socket,
      Json{{"type", "typing"}, {"conversationId", "c1"}, {"userId", "u_ada"}, {"isTyping", true}});
  sockets_.push(
      socket,
      Json{{"type", "typing"}, {"conversationId", "c1"}, {"userId", "u_bob"}, {"isTyping", true}});
  sockets_.push(socket, Json{{"type", "typing"},
                             {"conversationId", "c1"},
                             {"userId", 7},
                             {"isTyping", true}});  // malformed
  pump();
  EXPECT_EQ(sync_->typing("c1"), (std::vector<std::string>{"u_ada", "u_bob"}));
  sockets_.push(
      socket,
      Json{{"type", "typing"}, {"conversationId", "c1"}, {"userId", "u_bob"}, {"isTyping", false}});
  pump();
  EXPECT_EQ(sync_->typing("c1"), (std::vector<std::string>{"u_ada"}));
  now_ += ChatSync::kTypingExpiryMs + 1;  // a client that vanished mid-word
  EXPECT_TRUE(sync_->typing("c1").empty());

  EXPECT_EQ(sync_->read_positions("c1"), nullptr);
  sockets_.push(
      socket,
      Json{{"type", "read"}, {"conversationId", "c1"}, {"userId", "u_ada"}, {"messageId", "m3"}});
  pump();
  ASSERT_NE(sync_->read_positions("c1"), nullptr);
  EXPECT_EQ(sync_->read_positions("c1")->at("u_ada"), "m3");
}

TEST_F(ChatSyncTest, OwnTypingIsThrottledAndReadIsSentOncePerNewerMessage) {
  const auto socket = open_link();
  auto watch = watch_with_three(socket);
  sync_->set_typing("c1", true);
  sync_->set_typing("c1", true);  // a keystroke later: nothing new to say
  now_ += ChatSync::kTypingRepeatMs;
  sync_->set_typing("c1", true);  // still typing: said again before others' expiry
  sync_->set_typing("c1", false);
  sync_->set_typing("c1", false);
  auto typing = sent(socket, "typing");
  ASSERT_EQ(typing.size(), 3u);
  EXPECT_EQ(typing[0]["isTyping"], true);
  EXPECT_EQ(typing[1]["isTyping"], true);
  EXPECT_EQ(typing[2]["isTyping"], false);

  const auto list = sync_->messages("c1");
  sync_->mark_read("c1", *list->items[2]);
  sync_->mark_read("c1", *list->items[2]);
  sync_->mark_read("c1", *list->items[1]);  // older: never backwards
  auto reads = sent(socket, "read");
  ASSERT_EQ(reads.size(), 1u);
  EXPECT_EQ(reads[0]["messageId"], "m3");
}

// The list comes over HTTP, the read went over the socket: a list the server built before it
// took the read still counts the message. What this client has read stays read; a newer
// message than that is still unread.
TEST_F(ChatSyncTest, AListBuiltBeforeOurReadDoesNotBringTheBadgeBack) {
  const auto socket = open_link();
  auto watch = watch_with_three(socket);
  sync_->mark_read("c1", *sync_->messages("c1")->items[2]);  // m3, seq 3
  auto observer = cache_.observe(conversations_key(), sync_->fetch_conversations({}));
  auto row = [](const std::string& id, int64_t last_seq, int unread) {
    return Json{
        {"id", id},
        {"title", id},
        {"type", "AI"},
        {"participants", Json::array()},
        {"createdAt", "2026-11-24T10:00:00.000Z"},
        {"updatedAt", "2026-11-24T10:00:00.000Z"},
        {"lastMessage", message("m" + std::to_string(last_seq), last_seq, "reply", "ASSISTANT")},
        {"unreadCount", unread}};
  };
  auto unread = [&] {
    std::vector<int> out;
    for (const auto& r : cache_.data<Page<ConversationSummary>>(conversations_key())->data)
      out.push_back(r.unread_count);
    return out;
  };
  answer_last(Json{{"data", {row("c1", 3, 1), row("c2", 3, 2)}},
                   {"meta", {{"total", 2}, {"hasMore", false}}}}
                  .dump());
  EXPECT_EQ(unread(), (std::vector<int>{0, 2})) << "c1 was read up to seq 3 here; c2 never";

  cache_.invalidate(conversations_key());
  answer_last(Json{{"data", {row("c1", 4, 1), row("c2", 3, 2)}},
                   {"meta", {{"total", 2}, {"hasMore", false}}}}
                  .dump());
  EXPECT_EQ(unread(), (std::vector<int>{1, 2})) << "seq 4 came after the read";
}

}  // namespace
}  // namespace imchat::sdk
