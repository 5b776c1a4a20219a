// The Storage contract (server/storage.h), once for every implementation: a second database
// (PostgreSQL) joins by adding its maker to kStorages below, and must pass the same
// suite. What is tested is what storage.h promises — visibility, who may change what,
// idempotent sends, replay by sequence, sessions, guests, limits — not how SQLite does it.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "server/store/database.h"
#include "server/store/storage.h"
#include "support/temp_dir.h"

namespace imchat::server {
namespace {

// One implementation under test, with whatever it needs kept alive beside it.
struct Backend {
  std::shared_ptr<void> keep;
  std::unique_ptr<Storage> storage;
};

struct StorageMaker {
  const char* name;
  std::function<Backend(const std::string& dir, AccountLimits limits)> make;
};

Backend make_sqlite(const std::string& dir, AccountLimits limits) {
  auto db = Database::open(dir);
  if (!db) return {};
  std::shared_ptr<Database> shared(std::move(*db));
  Backend backend;
  backend.storage = make_sqlite_storage(*shared, limits);
  backend.keep = shared;
  return backend;
}

const StorageMaker kStorages[] = {{"Sqlite", make_sqlite}};

class StorageConformance : public ::testing::TestWithParam<StorageMaker> {
 protected:
  void SetUp() override { open({}); }

  void open(AccountLimits limits) {
    backend_ = {};
    backend_ = GetParam().make(dir_.str(), limits);
    ASSERT_TRUE(backend_.storage) << "could not open " << GetParam().name;
  }
  Storage& s() { return *backend_.storage; }

  std::string user(const std::string& name, bool guest = false) {
    auto made = s().create_user({guest ? "" : name + "@example.com", name, "", guest});
    EXPECT_TRUE(made) << made.error().describe();
    return made ? made->id : "";
  }
  std::string conversation(const std::string& creator,
                           ConversationType type = ConversationType::kAi,
                           std::vector<std::string> others = {}) {
    NewConversation c;
    c.title = "a chat";
    c.type = type;
    c.participant_ids = std::move(others);
    auto made = s().create_conversation(creator, c);
    EXPECT_TRUE(made) << made.error().describe();
    return made ? made->id : "";
  }
  Result<CreatedMessage> say(const std::string& who, const std::string& in, const std::string& text,
                             std::optional<std::string> client_id = {}) {
    NewMessage m;
    m.conversation_id = in;
    m.content = text;
    m.author_id = who;
    m.client_id = std::move(client_id);
    return s().create_message(who, m);
  }
  Message reply(const std::string& viewer, const std::string& in, MessageStatus status) {
    NewMessage m;
    m.conversation_id = in;
    m.content = status == MessageStatus::kStreaming ? "" : "an answer";
    m.role = MessageRole::kAssistant;
    m.status = status;
    auto made = s().create_message(viewer, m);
    EXPECT_TRUE(made) << made.error().describe();
    return made ? made->message : Message{};
  }

  testing::TempDir dir_;
  Backend backend_;
};

TEST_P(StorageConformance, AccountsAreFoundByIdAndEmailAndAnEmailIsTakenOnce) {
  const std::string ada = user("ada");
  EXPECT_EQ(s().find_user(ada)->name, "ada");
  EXPECT_EQ(s().find_user_by_email("ada@example.com")->user.id, ada);
  EXPECT_EQ(s().create_user({"ada@example.com", "Other", "", false}).error().code,
            ErrorCode::kConflict);
  EXPECT_EQ(s().find_user("u_nobody").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(s().find_account("u_nobody").error().code, ErrorCode::kNotFound);
  ASSERT_TRUE(s().set_password_hash(ada, "hash"));
  EXPECT_EQ(s().find_account(ada)->password_hash, "hash");
}

TEST_P(StorageConformance, ASessionStandsUntilItIsDeletedOrExpires) {
  const std::string ada = user("ada");
  const Timestamp now = now_utc();
  const Timestamp later{now.ms + 3'600'000};
  auto first = s().create_session(ada, later);
  auto second = s().create_session(ada, later);
  auto short_lived = s().create_session(ada, Timestamp{now.ms + 1000});
  ASSERT_TRUE(first && second && short_lived);
  EXPECT_EQ(s().find_session(first->id, now)->account.user.id, ada);
  EXPECT_EQ(s().find_session(short_lived->id, Timestamp{now.ms + 2000}).error().code,
            ErrorCode::kNotFound)
      << "expired";
  ASSERT_TRUE(s().delete_session(first->id));
  EXPECT_EQ(s().find_session(first->id, now).error().code, ErrorCode::kNotFound);
  // Every session but the one kept.
  auto third = s().create_session(ada, later);
  auto revoked = s().delete_sessions_of(ada, third->id);
  ASSERT_TRUE(revoked);
  EXPECT_TRUE(s().find_session(third->id, now));
  EXPECT_FALSE(s().find_session(second->id, now));
  EXPECT_EQ(std::count(revoked->begin(), revoked->end(), second->id), 1);
}

TEST_P(StorageConformance, AConversationOneIsNotInDoesNotExistForThem) {
  const std::string ada = user("ada"), eve = user("eve");
  const std::string chat = conversation(ada);
  auto said = say(ada, chat, "hello");
  ASSERT_TRUE(said);
  const std::string& message = said->message.id;
  EXPECT_EQ(s().get_conversation(eve, chat).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(s().list_messages(eve, chat, {}).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(s().get_message(eve, message).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(say(eve, chat, "let me in").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(s().events_since(eve, chat, 0, 100).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(s().last_seq(eve, chat).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(s().participant_ids(eve, chat).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(s().mark_read(eve, chat, message).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(s().update_conversation(eve, chat, {}).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(s().delete_conversation(eve, chat).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(s().delete_message(eve, message).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(s().list_conversations(eve, {})->data.size(), 0u);
  EXPECT_EQ(s().list_conversations(ada, {})->data.size(), 1u);
}

TEST_P(StorageConformance, AMessageSentTwiceWithOneClientIdIsStoredOnce) {
  const std::string ada = user("ada");
  const std::string chat = conversation(ada);
  auto first = say(ada, chat, "once", "c-1");
  auto again = say(ada, chat, "once", "c-1");
  ASSERT_TRUE(first && again);
  EXPECT_TRUE(first->created);
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->message.id, first->message.id);
  EXPECT_EQ(s().list_messages(ada, chat, {})->data.size(), 1u);
  EXPECT_TRUE(say(ada, chat, "another", "c-2")->created);
}

TEST_P(StorageConformance, MessagesComeInSequenceAndPageAroundOne) {
  const std::string ada = user("ada");
  const std::string chat = conversation(ada);
  std::vector<int64_t> seqs;
  for (int i = 0; i < 5; ++i)
    seqs.push_back(say(ada, chat, "m" + std::to_string(i))->message.seq);
  EXPECT_TRUE(std::is_sorted(seqs.begin(), seqs.end()));
  auto all = s().list_messages(ada, chat, {});
  ASSERT_EQ(all->data.size(), 5u);
  EXPECT_EQ(all->data.front().content, "m0");
  MessageQuery before;
  before.before_seq = seqs[3];
  before.order_desc = true;
  before.take = 2;
  auto older = s().list_messages(ada, chat, before);
  ASSERT_EQ(older->data.size(), 2u);
  EXPECT_EQ(older->data[0].content, "m2");
  EXPECT_EQ(older->data[1].content, "m1");
  MessageQuery after;
  after.after_seq = seqs[3];
  EXPECT_EQ(s().list_messages(ada, chat, after)->data.size(), 1u);
}

TEST_P(StorageConformance, OnlyTheAuthorChangesAMessageAndAnyoneInTheChatMayDropAReply) {
  const std::string ada = user("ada"), bob = user("bob");
  const std::string chat = conversation(ada, ConversationType::kGroup, {bob});
  auto mine = say(ada, chat, "ada's words");
  ASSERT_TRUE(mine);
  EXPECT_FALSE(s().update_message_content(bob, mine->message.id, "bob's now"));
  EXPECT_FALSE(s().delete_message(bob, mine->message.id));
  EXPECT_EQ(s().get_message(bob, mine->message.id)->content, "ada's words");
  EXPECT_EQ(s().update_message_content(ada, mine->message.id, "edited")->content, "edited");
  const Message answer = reply(ada, chat, MessageStatus::kComplete);
  EXPECT_TRUE(s().delete_message(bob, answer.id)) << "to regenerate it";
}

TEST_P(StorageConformance, InAGroupOnlyItsCreatorChangesItAndOthersLeave) {
  const std::string ada = user("ada"), bob = user("bob"), cy = user("cy");
  const std::string chat = conversation(ada, ConversationType::kGroup, {bob, cy});
  ConversationPatch rename;
  rename.title = "bob's title";
  EXPECT_EQ(s().update_conversation(bob, chat, rename).error().code, ErrorCode::kForbidden);
  rename.title = "the group";
  EXPECT_EQ(s().update_conversation(ada, chat, rename)->title, "the group");
  bool left = false;
  ASSERT_TRUE(s().delete_conversation(bob, chat, &left));
  EXPECT_TRUE(left);
  EXPECT_EQ(s().get_conversation(bob, chat).error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(s().get_conversation(cy, chat)) << "the others stay";
  ASSERT_TRUE(s().delete_conversation(ada, chat, &left));
  EXPECT_FALSE(left) << "the creator deletes it for everyone";
  EXPECT_EQ(s().get_conversation(cy, chat).error().code, ErrorCode::kNotFound);
}

TEST_P(StorageConformance, EveryCommittedChangeIsHeardInOrderAndReplaysFromAnySequence) {
  const std::string ada = user("ada"), bob = user("bob");
  const std::string chat = conversation(ada, ConversationType::kDirect, {bob});
  std::vector<ChangeEvent> heard;
  std::vector<Audience> audiences;
  s().set_change_listener([&](const ChangeEvent& event, const Audience& audience) {
    heard.push_back(event);
    audiences.push_back(audience);
  });
  const std::string first = say(ada, chat, "one")->message.id;
  ASSERT_TRUE(say(bob, chat, "two"));
  ASSERT_TRUE(s().update_message_content(ada, first, "one, edited"));
  ASSERT_TRUE(s().delete_message(ada, first));
  ASSERT_EQ(heard.size(), 4u);
  for (size_t i = 1; i < heard.size(); ++i)
    EXPECT_GT(heard[i].seq, heard[i - 1].seq);
  EXPECT_EQ(heard[0].kind, "created");
  EXPECT_EQ(heard[2].kind, "updated");
  EXPECT_EQ(heard[3].kind, "deleted");
  EXPECT_EQ(heard[3].entity_id, first);
  EXPECT_EQ(audiences[0].participants,
            (std::vector<std::string>{std::min(ada, bob), std::max(ada, bob)}));
  EXPECT_EQ(*s().last_seq(bob, chat), heard.back().seq);
  // Replay: what came after a sequence, in order, bounded by count.
  auto after = s().events_since(bob, chat, heard[1].seq, 100);
  ASSERT_TRUE(after);
  ASSERT_EQ(after->size(), 2u);
  EXPECT_EQ((*after)[0].seq, heard[2].seq);
  EXPECT_EQ(s().events_since(bob, chat, 0, 1)->size(), 1u);
}

TEST_P(StorageConformance, RepliesStillStreamingAreFoundUntilFinished) {
  const std::string ada = user("ada");
  const std::string chat = conversation(ada);
  const Message streaming = reply(ada, chat, MessageStatus::kStreaming);
  auto open = s().streaming_messages();
  ASSERT_TRUE(open);
  ASSERT_EQ(open->size(), 1u);
  EXPECT_EQ((*open)[0].id, streaming.id);
  auto done = s().finish_message(streaming.id, "the whole answer", MessageStatus::kComplete, {});
  ASSERT_TRUE(done);
  EXPECT_EQ(done->content, "the whole answer");
  EXPECT_TRUE(s().streaming_messages()->empty());
  EXPECT_EQ(s().get_message(ada, streaming.id)->status, MessageStatus::kComplete);
}

TEST_P(StorageConformance, ReadReceiptsNeverMoveBackwards) {
  const std::string ada = user("ada"), bob = user("bob");
  const std::string chat = conversation(ada, ConversationType::kDirect, {bob});
  const std::string first = say(ada, chat, "one")->message.id;
  const std::string second = say(ada, chat, "two")->message.id;
  const auto unread = [&] { return s().list_conversations(bob, {})->data.at(0).unread_count; };
  EXPECT_EQ(unread(), 2);
  EXPECT_TRUE(s().mark_read(bob, chat, second));
  EXPECT_EQ(unread(), 0);
  EXPECT_TRUE(s().mark_read(bob, chat, first)) << "accepted";
  EXPECT_EQ(unread(), 0) << "and ignored: the receipt stays at the later message";
  EXPECT_EQ(s().mark_read(bob, chat, "m_nowhere").error().code, ErrorCode::kNotFound);
}

TEST_P(StorageConformance, StaleGuestsGoWithTheirOwnChatsButNotWithSharedOnes) {
  const std::string guest = user("guest", true), ada = user("ada");
  const std::string own = conversation(guest);
  const std::string shared = conversation(ada, ConversationType::kDirect, {guest});
  ASSERT_TRUE(say(guest, shared, "hi from a guest"));
  auto session = s().create_session(guest, Timestamp{now_utc().ms + 3'600'000});
  ASSERT_TRUE(session);
  auto gone = s().expire_guests(Timestamp{now_utc().ms + 1000});
  ASSERT_TRUE(gone);
  EXPECT_EQ(*gone, std::vector<std::string>{guest});
  EXPECT_EQ(s().find_account(guest).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(s().find_session(session->id, now_utc()).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(s().get_conversation(ada, own).error().code, ErrorCode::kNotFound);
  auto kept = s().list_messages(ada, shared, {});
  ASSERT_TRUE(kept);
  ASSERT_EQ(kept->data.size(), 1u) << "their words stay in a shared chat";
  EXPECT_FALSE(kept->data[0].author_id.has_value());
  EXPECT_TRUE(s().find_user(ada));
}

TEST_P(StorageConformance, AnAccountKeepsNoMoreThanItsLimits) {
  AccountLimits limits;
  limits.guest_conversations = 2;
  limits.guest_messages = 3;
  open(limits);
  const std::string guest = user("guest", true);
  const std::string chat = conversation(guest);
  conversation(guest);
  NewConversation third;
  third.title = "one too many";
  EXPECT_EQ(s().create_conversation(guest, third).error().code, ErrorCode::kForbidden);
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(say(guest, chat, "m" + std::to_string(i)));
  EXPECT_EQ(say(guest, chat, "one too many").error().code, ErrorCode::kForbidden);
}

INSTANTIATE_TEST_SUITE_P(Storages, StorageConformance, ::testing::ValuesIn(kStorages),
                         [](const ::testing::TestParamInfo<StorageMaker>& info) {
                           return std::string(info.param.name);
                         });

}  // namespace
}  // namespace imchat::server
