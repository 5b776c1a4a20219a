// A conversation's totals (messages, tokens, cost) as the server keeps them: counters moved
// by every write that adds, finishes or removes a message, exact over a long history that
// no client has loaded whole, and filled in for the conversations of an older database.
#include <gtest/gtest.h>

#include <sqlite3.h>

#include "server/realtime/hub.h"
#include "server/store/database.h"
#include "server/store/storage.h"
#include "support/temp_dir.h"

namespace imchat::server {
namespace {

MessageMetadata with_usage(int64_t tokens, double cost) {
  MessageMetadata metadata;
  metadata.usage = Usage{tokens / 4, tokens - tokens / 4, tokens, cost};
  metadata.model = "test-model";
  return metadata;
}

class ConversationTotalsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = Database::open(dir_.str());
    ASSERT_TRUE(db) << db.error().describe();
    db_ = std::move(*db);
    // 5,000 commits: durability is not what this test is about.
    ASSERT_TRUE(db_->exec("PRAGMA synchronous=OFF"));
    storage_ = make_sqlite_storage(*db_);
    ada_ = storage_->create_user({"ada@example.com", "Ada", "", false})->id;
    NewConversation c;
    c.title = "long";
    conversation_ = storage_->create_conversation(ada_, c)->id;
  }

  ConversationTotals totals() {
    auto c = storage_->get_conversation(ada_, conversation_);
    EXPECT_TRUE(c) << c.error().describe();
    EXPECT_TRUE(c->totals.has_value());
    return c->totals.value_or(ConversationTotals{});
  }

  Message add(MessageRole role, std::optional<MessageMetadata> metadata = {},
              MessageStatus status = MessageStatus::kComplete) {
    NewMessage m;
    m.conversation_id = conversation_;
    m.content = role == MessageRole::kUser ? "question" : "answer";
    m.role = role;
    if (role == MessageRole::kUser) m.author_id = ada_;
    m.metadata = std::move(metadata);
    m.status = status;
    auto created = storage_->create_message(ada_, m);
    EXPECT_TRUE(created) << created.error().describe();
    return created ? created->message : Message{};
  }

  testing::TempDir dir_;
  std::unique_ptr<Database> db_;
  std::unique_ptr<Storage> storage_;
  std::string ada_, conversation_;
};

TEST_F(ConversationTotalsTest, FiveThousandMessagesAreCountedAndSummedExactly) {
  EXPECT_EQ(totals(), (ConversationTotals{0, 0, 0}));
  int64_t tokens = 0;
  double cost = 0;
  for (int i = 0; i < 2500; ++i) {
    add(MessageRole::kUser);
    const int64_t t = 40 + i % 17;
    const double c = 0.0001 * (1 + i % 5);
    add(MessageRole::kAssistant, with_usage(t, c));
    tokens += t;
    cost += c;
  }
  ConversationTotals got = totals();
  EXPECT_EQ(got.messages, 5000);
  EXPECT_EQ(got.tokens, tokens);
  EXPECT_NEAR(got.cost, cost, 1e-9);
  // The list row carries the same totals (the header reads them there).
  auto page = storage_->list_conversations(ada_, ConversationQuery{});
  ASSERT_TRUE(page);
  ASSERT_EQ(page->data.size(), 1u);
  EXPECT_EQ(page->data[0].conversation.totals, got);
}

TEST_F(ConversationTotalsTest, AReplyCountsWhenItIsWrittenAndItsUsageWhenItEnds) {
  add(MessageRole::kUser);
  const Message reply = add(MessageRole::kAssistant, {}, MessageStatus::kStreaming);
  EXPECT_EQ(totals(), (ConversationTotals{2, 0, 0}));
  ASSERT_TRUE(
      storage_->finish_message(reply.id, "done", MessageStatus::kComplete, with_usage(120, 0.002)));
  EXPECT_EQ(totals(), (ConversationTotals{2, 120, 0.002}));
  // Finished again (the server's own correction): its usage replaces, never adds.
  ASSERT_TRUE(storage_->finish_message(reply.id, "done!", MessageStatus::kComplete,
                                       with_usage(130, 0.003)));
  EXPECT_EQ(totals(), (ConversationTotals{2, 130, 0.003}));
  // Deleted (to regenerate it): it and what it cost leave the totals; twice changes nothing.
  ASSERT_TRUE(storage_->delete_message(ada_, reply.id));
  EXPECT_EQ(totals().messages, 1);
  EXPECT_EQ(totals().tokens, 0);
  EXPECT_NEAR(totals().cost, 0, 1e-12);
  EXPECT_FALSE(storage_->delete_message(ada_, reply.id));
  EXPECT_EQ(totals().messages, 1);
}

// Every message event carries the conversation's totals after it, for the list rows that
// clients patch from the event instead of refetching; the hub puts them in the frame.
TEST_F(ConversationTotalsTest, MessageEventsCarryTheTotalsAfterThem) {
  std::vector<ChangeEvent> events;
  storage_->set_change_listener(
      [&](const ChangeEvent& e, const Audience&) { events.push_back(e); });
  add(MessageRole::kUser);
  const Message reply = add(MessageRole::kAssistant, {}, MessageStatus::kStreaming);
  ASSERT_TRUE(
      storage_->finish_message(reply.id, "done", MessageStatus::kComplete, with_usage(80, 0.5)));
  ASSERT_EQ(events.size(), 3u);
  ASSERT_TRUE(events[0].totals);
  EXPECT_EQ(*events[0].totals, (ConversationTotals{1, 0, 0}));
  EXPECT_EQ(*events[1].totals, (ConversationTotals{2, 0, 0}));
  EXPECT_EQ(*events[2].totals, (ConversationTotals{2, 80, 0.5}));
  const std::string frame = update_frame(events[2], "Conversation:list");
  const auto parsed = protocol::Json::parse(frame);
  EXPECT_EQ(parsed["data"]["totals"],
            (protocol::Json{{"messages", 2}, {"tokens", 80}, {"cost", 0.5}}))
      << frame;
}

// An older server's database gets its totals from the history on upgrade.
TEST(ConversationTotalsMigration, AnOlderDatabaseIsSummedOnUpgrade) {
  testing::TempDir dir;
  {
    auto db = Database::open(dir.str());
    ASSERT_TRUE(db);
    auto storage = make_sqlite_storage(**db);
    const std::string ada = storage->create_user({"ada@example.com", "Ada", "", false})->id;
    NewConversation c;
    c.title = "old";
    const std::string id = storage->create_conversation(ada, c)->id;
    for (int i = 0; i < 3; ++i) {
      NewMessage m;
      m.conversation_id = id;
      m.content = "answer";
      m.role = MessageRole::kAssistant;
      m.metadata = with_usage(100, 0.01);
      ASSERT_TRUE(storage->create_message(ada, m));
    }
    // As schema 4 left it: no counters yet, and the migration to come not applied.
    ASSERT_TRUE(
        (*db)->exec("UPDATE conversations SET message_count = 0, total_tokens = 0, "
                    "total_cost = 0"));
    ASSERT_TRUE((*db)->exec("DELETE FROM schema_migrations WHERE version = 5"));
    ASSERT_TRUE((*db)->exec("ALTER TABLE conversations DROP COLUMN message_count"));
    ASSERT_TRUE((*db)->exec("ALTER TABLE conversations DROP COLUMN total_tokens"));
    ASSERT_TRUE((*db)->exec("ALTER TABLE conversations DROP COLUMN total_cost"));
  }
  auto db = Database::open(dir.str());
  ASSERT_TRUE(db) << db.error().describe();
  auto storage = make_sqlite_storage(**db);
  auto user = storage->find_user_by_email("ada@example.com");
  ASSERT_TRUE(user);
  auto page = storage->list_conversations(user->user.id, ConversationQuery{});
  ASSERT_TRUE(page);
  ASSERT_EQ(page->data.size(), 1u);
  ASSERT_TRUE(page->data[0].conversation.totals);
  EXPECT_EQ(page->data[0].conversation.totals->messages, 3);
  EXPECT_EQ(page->data[0].conversation.totals->tokens, 300);
  EXPECT_NEAR(page->data[0].conversation.totals->cost, 0.03, 1e-12);
}

}  // namespace
}  // namespace imchat::server
