// What /ws frames mean (server/ws_api.cpp), without a socket: a real store and hub, and a
// fake peer that runs the connection's work inline.
#include <gtest/gtest.h>

#include "server/api/ws_api.h"
#include "server/chat/messages.h"
#include "server/realtime/hub.h"
#include "server/realtime/local_bus.h"
#include "server/store/database.h"
#include "server/store/storage.h"
#include "support/fake_ws_peer.h"
#include "support/temp_dir.h"

namespace imchat::server {
namespace {

using protocol::Json;
using testing::FakeWsPeer;

class WsApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = Database::open(dir_.str());
    ASSERT_TRUE(db) << db.error().describe();
    db_ = std::move(*db);
    storage_ = make_sqlite_storage(*db_);
    messages_ = std::make_unique<Messages>(*storage_, MessagesOptions{});
    storage_->set_change_listener(
        [this](const ChangeEvent& e, const Audience& a) { bus_.publish_change(e, a); });
    ada_ = storage_->create_user({"ada@example.com", "Ada", "", false})->id;
    bob_ = storage_->create_user({"bob@example.com", "Bob", "", false})->id;
    NewConversation c;
    c.title = "group";
    c.type = ConversationType::kGroup;
    c.participant_ids = {bob_};
    conversation_ = storage_->create_conversation(ada_, c)->id;
  }

  struct Connection {
    std::shared_ptr<FakeWsPeer> peer;
    std::unique_ptr<WsApi> api;
    void text(const Json& frame) { api->on_text(frame.dump()); }
  };
  Connection connect(const std::string& user) {
    Connection c{std::make_shared<FakeWsPeer>(user), nullptr};
    c.api = std::make_unique<WsApi>(WsApiContext{hub_, bus_, *storage_, *messages_}, *c.peer, user);
    c.peer->attach(c.api.get());
    return c;
  }

  testing::TempDir dir_;
  std::unique_ptr<Database> db_;
  std::unique_ptr<Storage> storage_;
  Hub hub_;
  LocalBus bus_{hub_};
  std::unique_ptr<Messages> messages_;
  std::string ada_, bob_, conversation_;
};

TEST_F(WsApiTest, EchoedFieldsAreSmallOrRefused) {
  auto c = connect(ada_);
  c.text({{"type", "ping"}, {"t", 7}});
  c.text({{"type", "ping"}, {"t", std::string(64, 'x')}});
  ASSERT_EQ(c.peer->of_type("pong").size(), 2u);
  // A ping that would make the server echo 60 KiB, and a requestId of any shape, get a short
  // error that echoes nothing back.
  c.text({{"type", "ping"}, {"t", std::string(60 * 1024, 'x')}});
  c.text({{"type", "ping"}, {"t", {{"nested", std::string(1000, 'y')}}}});
  c.text({{"type", "send-message"},
          {"requestId", std::string(1000, 'r')},
          {"conversationId", conversation_},
          {"content", "hi"}});
  auto errors = c.peer->of_type("error");
  ASSERT_EQ(errors.size(), 3u);
  for (const auto& e : errors) {
    EXPECT_EQ(e["code"], "bad_request");
    EXPECT_FALSE(e.contains("requestId"));
    EXPECT_LT(e.dump().size(), 200u) << e.dump();
  }
  EXPECT_EQ(c.peer->of_type("pong").size(), 2u);
  EXPECT_LT(c.peer->bytes(), 1000u);
  // An over-long channel is refused without being echoed.
  c.text({{"type", "subscribe"}, {"channel", "Message:list:" + std::string(5000, 'c')}});
  EXPECT_FALSE(c.peer->sent.back().contains("channel"));
}

TEST_F(WsApiTest, TypingAndReadFramesAreCoalescedAndLimited) {
  auto ada = connect(ada_);
  auto bob = connect(bob_);
  bob.text({{"type", "subscribe"}, {"channel", "Message:list:" + conversation_}});
  auto now = WsApi::Clock::time_point{} + std::chrono::hours(1);
  ada.api->set_clock([&] { return now; });
  // 10,000 "still typing" frames in one instant: relayed once.
  for (int i = 0; i < 10000; ++i)
    ada.text({{"type", "typing"}, {"conversationId", conversation_}, {"isTyping", true}});
  EXPECT_EQ(bob.peer->of_type("typing").size(), 1u);
  // Alternating states: each change is news, but only so many a second go out.
  for (int i = 0; i < 10000; ++i)
    ada.text({{"type", "typing"}, {"conversationId", conversation_}, {"isTyping", i % 2 == 0}});
  const size_t relayed = bob.peer->of_type("typing").size();
  EXPECT_LE(relayed, 1 + WsApi::kEphemeralBurst);
  EXPECT_GE(relayed, 5u);
  const auto limited = ada.peer->of_type("error");
  ASSERT_EQ(limited.size(), 1u) << "told once, not per dropped frame";
  EXPECT_EQ(limited[0]["code"], "rate_limited");
  // The bucket refills: a second later a change goes out again.
  now += std::chrono::seconds(1);
  const bool last = bob.peer->of_type("typing").back()["isTyping"];
  ada.text({{"type", "typing"}, {"conversationId", conversation_}, {"isTyping", !last}});
  EXPECT_EQ(bob.peer->of_type("typing").size(), relayed + 1);
}

TEST_F(WsApiTest, ABigReplayIsAResyncNotAQueue) {
  // 40 messages of 30 KiB: 1.2 MiB of replay, over what one subscribe may queue at once.
  for (int i = 0; i < 40; ++i) {
    NewMessage m;
    m.conversation_id = conversation_;
    m.content = std::string(30 * 1024, 'a' + i % 26);
    m.author_id = ada_;
    ASSERT_TRUE(storage_->create_message(ada_, m));
  }
  auto c = connect(bob_);
  c.text({{"type", "subscribe"}, {"channel", "Message:list:" + conversation_}, {"since", 0}});
  ASSERT_EQ(c.peer->of_type("error").size(), 1u);
  EXPECT_EQ(c.peer->of_type("error")[0]["code"], "resync");
  EXPECT_TRUE(c.peer->of_type("update").empty());
  EXPECT_EQ(c.peer->of_type("subscribed").size(), 1u);
  EXPECT_LT(c.peer->bytes(), 1000u);
  // A small gap still replays.
  c.text({{"type", "subscribe"}, {"channel", "Message:list:" + conversation_}, {"since", 39}});
  EXPECT_EQ(c.peer->of_type("update").size(), 2u);
}

TEST_F(WsApiTest, AMemberWhoLeftHearsNothingMore) {
  auto bob = connect(bob_);
  bob.text({{"type", "subscribe"}, {"channel", "Message:list:" + conversation_}});
  bob.text({{"type", "subscribe"}, {"channel", "Conversation:list"}});
  bool left = false;
  ASSERT_TRUE(storage_->delete_conversation(bob_, conversation_, &left));
  EXPECT_TRUE(left) << "a member's delete is a leave";
  const auto list = bob.peer->of_type("update");
  ASSERT_FALSE(list.empty());
  EXPECT_EQ(list.back()["channel"], "Conversation:list");
  EXPECT_EQ(list.back()["data"]["type"], "deleted");
  const size_t before = bob.peer->sent.size();
  NewMessage m;
  m.conversation_id = conversation_;
  m.content = "after bob left";
  m.author_id = ada_;
  ASSERT_TRUE(storage_->create_message(ada_, m));
  EXPECT_EQ(bob.peer->sent.size(), before) << bob.peer->sent.back().dump();
}

}  // namespace
}  // namespace imchat::server

#include "server/auth/live_sockets.h"

namespace imchat::server {
namespace {

struct CountingSocket : Disconnectable {
  int closed = 0;
  void disconnect(uint16_t, const std::string&) override { closed++; }
};

TEST(LiveSockets, ASocketCheckedJustBeforeItsSessionEndedIsTurnedAway) {
  LiveSockets live;
  auto early = std::make_shared<CountingSocket>();
  ASSERT_TRUE(live.add("s_1", "u_1", early));
  live.end_session("s_1");  // sign-out: the socket that was there closes…
  EXPECT_EQ(early->closed, 1);
  // …and one whose token was checked a moment before, arriving now, may not stay.
  auto late = std::make_shared<CountingSocket>();
  EXPECT_FALSE(live.add("s_1", "u_1", late));
  EXPECT_TRUE(live.add("s_2", "u_1", late)) << "other sessions are not affected";
  live.end_sessionless("u_1");
  EXPECT_EQ(late->closed, 0) << "a session's socket is not a session-less one";
  EXPECT_FALSE(live.add("", "u_1", std::make_shared<CountingSocket>()));
}

}  // namespace
}  // namespace imchat::server
