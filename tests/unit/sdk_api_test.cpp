// sdk::Api on a scripted transport: the requests it builds and what it makes of answers,
// good and bad.
#include <gtest/gtest.h>

#include "sdk/api.h"
#include "support/fake_http_client.h"

namespace imchat::sdk {
namespace {

class SdkApiTest : public ::testing::Test {
 protected:
  testing::FakeHttpClient http_;
  Api api_{http_, "http://127.0.0.1:8080"};

  const platform::HttpRequest& last() { return http_.sent().back().request; }
  platform::RequestId last_id() { return http_.sent().back().id; }
  void answer(int status, std::string body) {
    http_.respond(last_id(), status, std::move(body));
    http_.poll();
  }
};

constexpr const char* kConversation =
    R"({"id":"c_1","title":"Trip","type":"AI","participants":[],"createdAt":"2026-11-23T10:00:00.000Z","updatedAt":"2026-11-23T10:05:00.000Z")";

TEST_F(SdkApiTest, ListsConversationsWithPreviewAndUnreadCount) {
  api_.set_token("tok");
  std::optional<Result<Page<ConversationSummary>>> got;
  api_.list_conversations({.skip = 20, .take = 10, .title_contains = "trip & co"},
                          [&](auto r) { got = std::move(r); });
  EXPECT_EQ(last().method, "GET");
  EXPECT_EQ(last().url,
            "http://127.0.0.1:8080/api/conversations?orderBy[updatedAt]=desc&skip=20&take=10"
            "&where[title][contains]=trip%20%26%20co");
  ASSERT_EQ(last().headers.size(), 1u);
  EXPECT_EQ(last().headers[0].second, "Bearer tok");
  answer(
      200,
      std::string(R"({"data":[)") + kConversation +
          R"(,"unreadCount":3,"lastMessage":{"id":"m_9","content":"See you","role":"USER","conversationId":"c_1","createdAt":"2026-11-23T10:05:00.000Z","seq":9,"status":"complete"}}],"meta":{"total":31,"skip":20,"take":10,"hasMore":true}})");
  ASSERT_TRUE(got && *got) << (got ? (*got).error().describe() : "no answer");
  const auto& page = **got;
  ASSERT_EQ(page.data.size(), 1u);
  EXPECT_EQ(page.data[0].conversation.title, "Trip");
  EXPECT_EQ(page.data[0].unread_count, 3);
  ASSERT_TRUE(page.data[0].last_message);
  EXPECT_EQ(page.data[0].last_message->seq, 9);
  EXPECT_EQ(page.total, 31);
  EXPECT_TRUE(page.has_more);
}

TEST_F(SdkApiTest, SendsMessagesWithTheirClientId) {
  std::optional<Result<Message>> got;
  api_.create_message("c_1", "héllo \"there\"", "cid-1", [&](auto r) { got = std::move(r); });
  EXPECT_EQ(last().method, "POST");
  EXPECT_EQ(last().url, "http://127.0.0.1:8080/api/messages");
  EXPECT_EQ(last().body,
            R"({"clientId":"cid-1","content":"héllo \"there\"","conversationId":"c_1"})");
  answer(
      201,
      R"({"data":{"id":"m_1","content":"héllo \"there\"","role":"USER","conversationId":"c_1","createdAt":"2026-11-23T10:00:00.000Z","seq":1,"clientId":"cid-1","status":"complete"}})");
  ASSERT_TRUE(got && *got);
  EXPECT_EQ((*got)->client_id, "cid-1");
}

TEST_F(SdkApiTest, ErrorAnswersKeepStatusMessageAndField) {
  std::optional<Result<Conversation>> got;
  api_.create_conversation({.title = ""}, [&](auto r) { got = std::move(r); });
  answer(
      400,
      R"({"error":"Bad Request","message":"title must be 1 to 200 characters","details":{"field":"title"}})");
  ASSERT_TRUE(got && !*got);
  const Error& e = got->error();
  EXPECT_EQ(e.code, ErrorCode::kValidation);
  EXPECT_EQ(e.status, 400);
  EXPECT_EQ(e.message, "title must be 1 to 200 characters");
  EXPECT_EQ(e.field, "title");

  for (auto [status, code] : {std::pair{401, ErrorCode::kUnauthorized},
                              {404, ErrorCode::kNotFound},
                              {409, ErrorCode::kConflict},
                              {429, ErrorCode::kRateLimited},
                              {500, ErrorCode::kHttp}}) {
    got.reset();
    api_.get_conversation("c_x", [&](auto r) { got = std::move(r); });
    answer(status, "<html>not json</html>");  // a proxy's page: still a clear error
    ASSERT_TRUE(got && !*got);
    EXPECT_EQ(got->error().code, code) << status;
    EXPECT_EQ(got->error().status, status);
  }
}

TEST_F(SdkApiTest, AnswersThatBreakTheContractAreParseErrors) {
  std::optional<Result<Page<Message>>> got;
  auto list = [&] {
    got.reset();
    api_.list_messages({.conversation_id = "c_1"}, [&](auto r) { got = std::move(r); });
  };
  list();
  EXPECT_EQ(last().url,
            "http://127.0.0.1:8080/api/messages?where[conversationId][equals]=c_1"
            "&orderBy[createdAt]=asc&take=50");
  for (
      const char* bad :
      {"not json", R"({"data":{}})", R"({"data":[],"meta":5})",
       R"({"data":[{"id":"m_1"}],"meta":{}})",
       R"({"data":[{"id":"m_1","content":7,"role":"USER","conversationId":"c","createdAt":"2026-11-23T10:00:00.000Z"}],"meta":{}})"}) {
    answer(200, bad);
    ASSERT_TRUE(got && !*got) << bad;
    EXPECT_TRUE(got->error().code == ErrorCode::kParse ||
                got->error().code == ErrorCode::kValidation)
        << bad << ": " << got->error().describe();
    list();
  }
}

TEST_F(SdkApiTest, CursorPagingAndCancellation) {
  bool called = false;
  const auto id = api_.list_messages(
      {.conversation_id = "c 1", .take = 30, .newest_first = true, .before_seq = 120},
      [&](auto) { called = true; });
  EXPECT_EQ(last().url,
            "http://127.0.0.1:8080/api/messages?where[conversationId][equals]=c%201"
            "&orderBy[createdAt]=desc&take=30&before=120");
  api_.cancel(id);
  http_.respond(id, 200, R"({"data":[],"meta":{}})");
  http_.poll();
  EXPECT_FALSE(called) << "a cancelled request never calls back";
}

TEST_F(SdkApiTest, FetchersFeedTheQueryCache) {
  int64_t now = 0;
  QueryCache cache({[&] { return now; }, [] { return 0.0; }, true});
  auto observer = cache.observe(conversations_key(), fetch_conversations(api_, {}));
  EXPECT_EQ(cache.find(conversations_key())->fetch_status, FetchStatus::kFetching);
  answer(200, std::string(R"({"data":[)") + kConversation + R"(}],"meta":{"total":1}})");
  auto page = cache.data<Page<ConversationSummary>>(conversations_key());
  ASSERT_TRUE(page);
  EXPECT_EQ(page->data.at(0).conversation.id, "c_1");
  // Cancelling the query cancels the request underneath.
  cache.invalidate(conversations_key());
  cache.cancel(conversations_key());
  EXPECT_FALSE(http_.cancelled().empty());
}

}  // namespace
}  // namespace imchat::sdk

namespace imchat::sdk {
namespace {

TEST_F(SdkApiTest, ListsModelsWithTheirAvailability) {
  std::optional<Result<std::vector<ModelInfo>>> got;
  api_.list_models([&](auto r) { got = std::move(r); });
  EXPECT_EQ(last().url, "http://127.0.0.1:8080/api/models");
  answer(
      200,
      R"({"data":[{"id":"builtin","provider":"builtin","available":true,"contextWindow":8192,"inputPrice":0,"outputPrice":0},
    {"id":"claude-3-5-haiku","provider":"anthropic","available":false,"contextWindow":200000,"inputPrice":0.8,"outputPrice":4}]})");
  ASSERT_TRUE(got && *got);
  ASSERT_EQ((*got)->size(), 2u);
  EXPECT_TRUE((**got)[0].available);
  EXPECT_EQ((**got)[1].provider, "anthropic");
  EXPECT_FALSE((**got)[1].available);
  EXPECT_EQ((**got)[1].output_price, 4);

  // A model without its availability breaks the contract: an error, not a guess.
  got.reset();
  api_.list_models([&](auto r) { got = std::move(r); });
  answer(200, R"({"data":[{"id":"gpt-4o","provider":"openai"}]})");
  ASSERT_TRUE(got && !*got);
  EXPECT_EQ(got->error().code, ErrorCode::kValidation);
  EXPECT_EQ(got->error().field, "available");
}

}  // namespace
}  // namespace imchat::sdk
