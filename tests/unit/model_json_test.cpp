#include <gtest/gtest.h>

#include <string>

#include "protocol/health.h"
#include "protocol/model_json.h"

namespace imchat::protocol {
namespace {

User sample_user() {
  User user;
  user.id = "u_1";
  user.email = "ada@example.com";
  user.name = "Ada Lovelace";
  user.avatar = "https://example.com/ada.png";
  user.created_at = {1763931600000};
  user.updated_at = {1763931601234};
  return user;
}

Message sample_message() {
  Message m;
  m.id = "m_1";
  m.content = "Hello, wörld — 你好 👋";
  m.role = MessageRole::kAssistant;
  m.conversation_id = "c_1";
  m.author_id = std::nullopt;
  MessageMetadata meta;
  meta.usage = Usage{12, 34, 46, 0.00069};
  meta.model = "gpt-4o-mini";
  meta.provider = "openai";
  meta.latency_ms = 812;
  meta.finish_reason = "stop";
  m.metadata = meta;
  m.created_at = {1763931602000};
  return m;
}

// Serialise → text → parse → decode: what goes over the wire comes back equal.
template <typename T, typename Decode>
T through_the_wire(const T& value, Decode decode) {
  const std::string text = dump_json(to_json(value));
  auto json = parse_json(text);
  EXPECT_TRUE(json) << text;
  auto decoded = decode(*json);
  EXPECT_TRUE(decoded) << (decoded ? "" : decoded.error().describe());
  return decoded ? *decoded : T{};
}

TEST(ModelJson, UserRoundTrips) {
  EXPECT_EQ(through_the_wire(sample_user(), user_from_json), sample_user());
}

TEST(ModelJson, UsesCamelCaseAndIsoTimestamps) {
  const Json json = to_json(sample_message());
  EXPECT_EQ(json["conversationId"], "c_1");
  EXPECT_EQ(json["role"], "ASSISTANT");
  EXPECT_EQ(json["createdAt"], "2025-11-23T21:00:02.000Z");
  EXPECT_EQ(json["metadata"]["usage"]["promptTokens"], 12);
  EXPECT_EQ(json["metadata"]["finishReason"], "stop");
  EXPECT_EQ(json["metadata"]["latency"], 812);
  EXPECT_FALSE(json.contains("authorId"));  // absent optionals are omitted, not null
}

TEST(ModelJson, MessageWithMetadataRoundTrips) {
  EXPECT_EQ(through_the_wire(sample_message(), message_from_json), sample_message());
  Message plain = sample_message();
  plain.metadata.reset();
  plain.author_id = "u_1";
  plain.role = MessageRole::kUser;
  EXPECT_EQ(through_the_wire(plain, message_from_json), plain);
}

TEST(ModelJson, ConversationWithParticipantsRoundTrips) {
  Conversation c;
  c.id = "c_1";
  c.title = "Trip planning";
  c.type = ConversationType::kGroup;
  c.participants = {sample_user()};
  c.system_prompt = "You are terse.";
  c.model = "claude-3-5-sonnet";
  c.temperature = 0.7;
  c.created_at = {1763931600000};
  c.updated_at = {1763931700000};
  EXPECT_EQ(through_the_wire(c, conversation_from_json), c);
}

TEST(ModelJson, HealthRoundTrips) {
  const Health health{"ok", "0.1.0", {1763931600000}};
  EXPECT_EQ(through_the_wire(health, health_from_json), health);
}

TEST(ModelJson, NullOptionalsAreAbsent) {
  auto json =
      parse_json(R"({"id":"u","email":"e","name":"n","avatar":null,)"
                 R"("createdAt":"2026-01-01T00:00:00Z","updatedAt":"2026-01-01T00:00:00Z"})");
  ASSERT_TRUE(json);
  auto user = user_from_json(*json);
  ASSERT_TRUE(user) << user.error().describe();
  EXPECT_FALSE(user->avatar.has_value());
}

// Each malformed document must give a validation or parse error naming the problem.
struct BadCase {
  const char* name;
  std::string text;
  ErrorCode code;
  const char* mentions;
};

class MalformedMessage : public ::testing::TestWithParam<BadCase> {};

TEST_P(MalformedMessage, GivesAClearError) {
  const BadCase& c = GetParam();
  Result<Message> decoded = [&]() -> Result<Message> {
    auto json = parse_json(c.text);
    if (!json) return json.error();
    return message_from_json(*json);
  }();
  ASSERT_FALSE(decoded) << c.name;
  EXPECT_EQ(decoded.error().code, c.code) << decoded.error().describe();
  EXPECT_NE(decoded.error().message.find(c.mentions), std::string::npos)
      << decoded.error().describe();
}

const std::string kValid =
    R"("id":"m","content":"hi","role":"USER","conversationId":"c","createdAt":"2026-01-01T00:00:00Z")";

INSTANTIATE_TEST_SUITE_P(
    ModelJson, MalformedMessage,
    ::testing::Values(
        BadCase{"missing_field",
                R"({"id":"m","content":"hi","role":"USER","createdAt":"2026-01-01T00:00:00Z"})",
                ErrorCode::kValidation, "Message.conversationId: missing"},
        BadCase{
            "wrong_type",
            R"({"id":42,"content":"hi","role":"USER","conversationId":"c","createdAt":"2026-01-01T00:00:00Z"})",
            ErrorCode::kValidation, "Message.id: expected a string, got an integer"},
        BadCase{
            "unknown_enum",
            R"({"id":"m","content":"hi","role":"ROBOT","conversationId":"c","createdAt":"2026-01-01T00:00:00Z"})",
            ErrorCode::kValidation, "Message.role: unknown value \"ROBOT\""},
        BadCase{
            "lowercase_enum",
            R"({"id":"m","content":"hi","role":"user","conversationId":"c","createdAt":"2026-01-01T00:00:00Z"})",
            ErrorCode::kValidation, "unknown value"},
        BadCase{
            "bad_time",
            "{" + kValid.substr(0, kValid.find("\"createdAt\"")) + R"("createdAt":"yesterday"})",
            ErrorCode::kValidation, "Message.createdAt: not an ISO-8601"},
        BadCase{
            "nested_wrong_type",
            "{" + kValid +
                R"(,"metadata":{"usage":{"promptTokens":"many","completionTokens":1,"totalTokens":1}}})",
            ErrorCode::kValidation, "Usage.promptTokens: expected an integer"},
        BadCase{
            "negative_tokens",
            "{" + kValid +
                R"(,"metadata":{"usage":{"promptTokens":-1,"completionTokens":1,"totalTokens":1}}})",
            ErrorCode::kValidation, "must not be negative"},
        BadCase{"metadata_not_object", "{" + kValid + R"(,"metadata":[1,2]})",
                ErrorCode::kValidation, "Message.metadata: expected an object, got an array"},
        BadCase{"not_an_object", R"(["m","hi"])", ErrorCode::kValidation,
                "Message: expected an object"},
        BadCase{"truncated", "{" + kValid.substr(0, 30), ErrorCode::kParse, "malformed JSON"},
        BadCase{"invalid_utf8",
                "{\"id\":\"m\",\"content\":\"\xC3\x28\",\"role\":\"USER\","
                "\"conversationId\":\"c\",\"createdAt\":\"2026-01-01T00:00:00Z\"}",
                ErrorCode::kParse, "invalid UTF-8"},
        BadCase{"overlong_utf8", "{\"id\":\"\xC0\xAF\"}", ErrorCode::kParse, "malformed JSON"},
        BadCase{"deep_nesting", std::string(100000, '[') + std::string(100000, ']'),
                ErrorCode::kParse, "nested deeper than 64"},
        BadCase{"empty", "", ErrorCode::kParse, "malformed JSON"},
        BadCase{"huge_integer", "{" + kValid + R"(,"metadata":{"latency":1e300}})",
                ErrorCode::kValidation, "MessageMetadata.latency: expected an integer"}),
    [](const ::testing::TestParamInfo<BadCase>& info) { return info.param.name; });

TEST(ModelJson, ConversationRejectsOutOfRangeTemperature) {
  auto json =
      parse_json(R"({"id":"c","title":"t","type":"AI","temperature":7,)"
                 R"("createdAt":"2026-01-01T00:00:00Z","updatedAt":"2026-01-01T00:00:00Z"})");
  ASSERT_TRUE(json);
  auto c = conversation_from_json(*json);
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("temperature"), std::string::npos);
}

TEST(ModelJson, ConversationReportsBadParticipant) {
  auto json =
      parse_json(R"({"id":"c","title":"t","type":"AI","participants":[{"id":"u"}],)"
                 R"("createdAt":"2026-01-01T00:00:00Z","updatedAt":"2026-01-01T00:00:00Z"})");
  ASSERT_TRUE(json);
  auto c = conversation_from_json(*json);
  ASSERT_FALSE(c);
  // Not the email: a conversation shows people without their addresses.
  EXPECT_NE(c.error().message.find("Conversation.participants: User.name: missing"),
            std::string::npos)
      << c.error().message;
}

TEST(ModelJson, AUserWithoutAnEmailIsSomeoneElse) {
  User other{"u_2", "", "Bob", std::nullopt, {1000}, {2000}};
  const Json json = to_json(other);
  EXPECT_FALSE(json.contains("email")) << json.dump();
  auto back = user_from_json(json);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, other);
}

TEST(ModelJson, DumpReplacesInvalidUtf8InsteadOfThrowing) {
  Json value = {{"content", std::string("ok \xFF\xFE end")}};
  const std::string text = dump_json(value);
  EXPECT_NE(text.find("\xEF\xBF\xBD"), std::string::npos);  // U+FFFD
  EXPECT_TRUE(parse_json(text));
}

TEST(ModelJson, OversizedDocumentIsRefused) {
  ParseLimits limits;
  limits.max_bytes = 16;
  auto parsed = parse_json(R"({"content":"far too long for the limit"})", limits);
  ASSERT_FALSE(parsed);
  EXPECT_NE(parsed.error().message.find("over the limit"), std::string::npos);
}

TEST(ModelJson, DepthScanIgnoresBracketsInStrings) {
  const std::string text = R"({"content":")" + std::string(500, '[') + R"("})";
  EXPECT_TRUE(parse_json(text));
}

}  // namespace
}  // namespace imchat::protocol
