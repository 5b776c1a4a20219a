// sdk::Api and the query cache against the real server over loopback.
#include <gtest/gtest.h>

#include "sdk/api.h"
#include "support/api_fixture.h"

namespace imchat {
namespace {

class SdkApiServerTest : public testing::ApiTest {
 protected:
  template <typename T>
  Result<T> wait(std::function<void(sdk::ApiCallback<T>)> start) {
    std::optional<Result<T>> out;
    start([&](Result<T> r) { out = std::move(r); });
    EXPECT_TRUE(pump_.until([&] { return out.has_value(); }));
    if (!out) return make_error(ErrorCode::kNetwork, "no answer");
    return std::move(*out);
  }

  std::unique_ptr<sdk::Api> api_;
  void SetUp() override {
    ApiTest::SetUp();
    api_ = std::make_unique<sdk::Api>(*http_, server_->url());
  }
};

TEST_F(SdkApiServerTest, AGuestTalksToTheServerThroughTheTypedApi) {
  auto session = wait<sdk::Session>([&](auto done) { api_->sign_in_as_guest(done); });
  ASSERT_TRUE(session) << session.error().describe();
  api_->set_token(session->token);
  auto me = wait<User>([&](auto done) { api_->me(done); });
  ASSERT_TRUE(me);
  EXPECT_EQ(me->id, session->user.id);

  auto conversation = wait<Conversation>([&](auto done) {
    api_->create_conversation({.title = "typed", .type = ConversationType::kGroup}, done);
  });
  ASSERT_TRUE(conversation) << conversation.error().describe();
  const std::string cid = conversation->id;

  auto first = wait<Message>([&](auto done) { api_->create_message(cid, "one", "k-1", done); });
  auto again = wait<Message>([&](auto done) { api_->create_message(cid, "one", "k-1", done); });
  ASSERT_TRUE(first && again);
  EXPECT_EQ(first->id, again->id) << "the clientId made the resend idempotent";
  ASSERT_TRUE(wait<Message>([&](auto done) { api_->create_message(cid, "two", "k-2", done); }));

  auto page = wait<Page<Message>>([&](auto done) {
    api_->list_messages({.conversation_id = cid, .take = 10, .newest_first = true}, done);
  });
  ASSERT_TRUE(page);
  ASSERT_EQ(page->data.size(), 2u);
  EXPECT_EQ(page->data[0].content, "two");
  auto older = wait<Page<Message>>([&](auto done) {
    api_->list_messages(
        {.conversation_id = cid, .newest_first = true, .before_seq = page->data[0].seq}, done);
  });
  ASSERT_TRUE(older);
  ASSERT_EQ(older->data.size(), 1u);
  EXPECT_EQ(older->data[0].content, "one");

  auto missing = wait<Conversation>([&](auto done) { api_->get_conversation("c_nope", done); });
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  auto bad = wait<Message>([&](auto done) { api_->create_message(cid, "", "", done); });
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().field, "content");

  // The conversation list through the query cache.
  sdk::QueryCache cache({[] { return int64_t{0}; }, [] { return 0.0; }, true});
  auto observer = cache.observe(sdk::conversations_key(), sdk::fetch_conversations(*api_, {}));
  ASSERT_TRUE(pump_.until(
      [&] { return cache.find(sdk::conversations_key())->status != sdk::QueryStatus::kPending; }));
  auto list = cache.data<Page<ConversationSummary>>(sdk::conversations_key());
  ASSERT_TRUE(list);
  ASSERT_EQ(list->data.size(), 1u);
  EXPECT_EQ(list->data[0].conversation.title, "typed");
  ASSERT_TRUE(list->data[0].last_message);
  EXPECT_EQ(list->data[0].last_message->content, "two");
}

TEST_F(SdkApiServerTest, AMissingTokenIsUnauthorized) {
  auto page =
      wait<Page<ConversationSummary>>([&](auto done) { api_->list_conversations({}, done); });
  ASSERT_FALSE(page);
  EXPECT_EQ(page.error().code, ErrorCode::kUnauthorized);
  EXPECT_EQ(page.error().status, 401);
}

}  // namespace
}  // namespace imchat
