// AI vendors: the real server talks to local fakes speaking each vendor's exact streaming
// wire format (OpenAI chat.completion.chunk events, Anthropic's named message events,
// Gemini's streamGenerateContent SSE), over plain HTTP and over TLS. Checked both ways:
// what the server sends (model, system prompt, temperature, history, keys) and what it
// makes of every answer — tokens, usage and cost, errors, 429s, cuts, stalls, cancels.
// Over 600 lines because it is one suite per vendor dialect on one shared fixture.
#include <gtest/gtest.h>

#include <fstream>

#include "support/api_fixture.h"
#include "support/fake_vendor.h"
#include "support/ws_client.h"

namespace imchat {
namespace {

using protocol::Json;
using testing::FakeAnswer;
using testing::FakeVendor;
using testing::Reply;

// --- the vendors' wire format, as their APIs send it --------------------------------------

std::string openai_chunk(const Json& delta, const Json& finish = nullptr) {
  Json chunk = {
      {"id", "chatcmpl-9x"},
      {"object", "chat.completion.chunk"},
      {"created", 1732300000},
      {"model", "gpt-4o-mini-2024-07-18"},
      {"system_fingerprint", "fp_0ba0d124f1"},
      {"choices",
       Json::array(
           {{{"index", 0}, {"delta", delta}, {"logprobs", nullptr}, {"finish_reason", finish}}})},
      {"usage", nullptr}};
  return "data: " + chunk.dump() + "\n\n";
}

std::string openai_usage(int prompt, int completion) {
  Json chunk = {{"id", "chatcmpl-9x"},
                {"object", "chat.completion.chunk"},
                {"created", 1732300000},
                {"model", "gpt-4o-mini-2024-07-18"},
                {"choices", Json::array()},
                {"usage",
                 {{"prompt_tokens", prompt},
                  {"completion_tokens", completion},
                  {"total_tokens", prompt + completion}}}};
  return "data: " + chunk.dump() + "\n\n";
}

FakeAnswer openai_reply(const std::vector<std::string>& pieces) {
  std::vector<std::string> events = {openai_chunk({{"role", "assistant"}, {"content", ""}})};
  for (const auto& piece : pieces)
    events.push_back(openai_chunk({{"content", piece}}));
  events.push_back(openai_chunk(Json::object(), "stop"));
  events.push_back(openai_usage(12, 5));
  events.push_back("data: [DONE]\n\n");
  return FakeAnswer::events(events);
}

std::string anthropic_event(const std::string& name, const Json& data) {
  return "event: " + name + "\ndata: " + data.dump() + "\n\n";
}

FakeAnswer anthropic_reply(const std::vector<std::string>& pieces) {
  std::vector<std::string> events = {
      anthropic_event("message_start",
                      {{"type", "message_start"},
                       {"message",
                        {{"id", "msg_01"},
                         {"type", "message"},
                         {"role", "assistant"},
                         {"content", Json::array()},
                         {"model", "claude-3-5-haiku-20241022"},
                         {"stop_reason", nullptr},
                         {"stop_sequence", nullptr},
                         {"usage", {{"input_tokens", 25}, {"output_tokens", 1}}}}}}),
      anthropic_event("content_block_start", {{"type", "content_block_start"},
                                              {"index", 0},
                                              {"content_block", {{"type", "text"}, {"text", ""}}}}),
      anthropic_event("ping", {{"type", "ping"}})};
  for (const auto& piece : pieces) {
    events.push_back(anthropic_event("content_block_delta",
                                     {{"type", "content_block_delta"},
                                      {"index", 0},
                                      {"delta", {{"type", "text_delta"}, {"text", piece}}}}));
  }
  events.push_back(
      anthropic_event("content_block_stop", {{"type", "content_block_stop"}, {"index", 0}}));
  events.push_back(anthropic_event(
      "message_delta", {{"type", "message_delta"},
                        {"delta", {{"stop_reason", "end_turn"}, {"stop_sequence", nullptr}}},
                        {"usage", {{"output_tokens", 15}}}}));
  events.push_back(anthropic_event("message_stop", {{"type", "message_stop"}}));
  return FakeAnswer::events(events);
}

std::string gemini_chunk(const std::string& text, const char* finish, int prompt, int completion) {
  Json candidate = {{"content", {{"parts", Json::array({{{"text", text}}})}, {"role", "model"}}},
                    {"index", 0}};
  if (finish) candidate["finishReason"] = finish;
  Json usage = {{"promptTokenCount", prompt}, {"totalTokenCount", prompt + completion}};
  if (completion) usage["candidatesTokenCount"] = completion;
  Json chunk = {{"candidates", Json::array({candidate})},
                {"usageMetadata", usage},
                {"modelVersion", "gemini-2.0-flash"}};
  return "data: " + chunk.dump() + "\r\n\r\n";  // Gemini ends its events with CRLF pairs
}

// --- the fixture ----------------------------------------------------------------------------

class ProvidersTest : public testing::ApiTest {
 protected:
  void SetUp() override {}  // each test starts the server once its fakes are set
  // The server stops before the fakes it talks to (they are members of this class, the
  // server one of the base).
  void TearDown() override { server_.reset(); }

  void configure(server::Config& config) override {
    config.providers.openai_api_key = "sk-test-openai";
    config.providers.openai_base_url = openai_.base_url("/v1");
    config.providers.anthropic_api_key = "sk-ant-test";
    config.providers.anthropic_base_url = anthropic_.base_url();
    config.providers.gemini_api_key = "gm-test";
    config.providers.gemini_base_url = gemini_.base_url();
    config.providers.retry_base = std::chrono::milliseconds(1);
    config.providers.idle_timeout = std::chrono::milliseconds(400);
    config.providers.max_retries = 3;
    config.context_messages = 20;
    if (tweak_) tweak_(config);
  }

  std::string ai_conversation(const std::string& token, const std::string& model,
                              const std::optional<std::string>& system = {},
                              std::optional<double> temperature = {}) {
    Json body = {{"title", "with " + model}, {"type", "AI"}, {"model", model}};
    if (system) body["systemPrompt"] = *system;
    if (temperature) body["temperature"] = *temperature;
    Reply r = call("POST", "/api/conversations", body, token);
    EXPECT_EQ(r.status, 201) << r.raw;
    return r.body["data"]["id"];
  }

  // POST /api/chat/:id/message — the reply, whole.
  Reply ask(const std::string& token, const std::string& conversation, const std::string& text) {
    return call("POST", "/api/chat/" + conversation + "/message", {{"content", text}}, token);
  }

  std::function<void(server::Config&)> tweak_;
  FakeVendor openai_;
  FakeVendor anthropic_;
  FakeVendor gemini_;
};

// --- OpenAI ---------------------------------------------------------------------------------

TEST_F(ProvidersTest, OpenAiStreamsAReplyWithUsageCostAndTheWholeContext) {
  start_server();
  auto [user, token] = sign_up("olive");
  const std::string cid = ai_conversation(token, "gpt-4o-mini", "Be brief.", 0.3);
  openai_.push(openai_reply({"The first", " answer."}));
  Reply first = ask(token, cid, "first question");
  ASSERT_EQ(first.status, 200) << first.raw;

  // The second request carries the history: the earlier exchange, then the new question.
  auto answer = openai_reply({"Hello", " there", ", olive."});
  // One event split across two network writes: the parser must put it back together.
  std::string split = answer.chunks[2];
  answer.chunks[2] = split.substr(0, 17);
  answer.chunks.insert(answer.chunks.begin() + 3, split.substr(17));
  openai_.push(answer);
  Reply r = ask(token, cid, "second question");
  ASSERT_EQ(r.status, 200) << r.raw;

  EXPECT_EQ(r.body["userMessage"]["content"], "second question");
  const Json& ai = r.body["aiMessage"];
  EXPECT_EQ(ai["content"], "Hello there, olive.");
  EXPECT_EQ(ai["status"], "complete");
  EXPECT_EQ(ai["role"], "ASSISTANT");
  const Json& meta = ai["metadata"];
  EXPECT_EQ(meta["provider"], "openai");
  EXPECT_EQ(meta["model"], "gpt-4o-mini");
  EXPECT_EQ(meta["finishReason"], "stop");
  EXPECT_EQ(meta["usage"]["promptTokens"], 12);
  EXPECT_EQ(meta["usage"]["completionTokens"], 5);
  EXPECT_EQ(meta["usage"]["totalTokens"], 17);
  EXPECT_NEAR(meta["usage"]["estimatedCost"].get<double>(), (12 * 0.15 + 5 * 0.6) / 1e6, 1e-12);
  EXPECT_EQ(r.body["usage"], meta["usage"]);

  auto requests = openai_.requests();
  ASSERT_EQ(requests.size(), 2u);
  const auto& sent = requests[1];
  EXPECT_EQ(sent.method, "POST");
  EXPECT_EQ(sent.target, "/v1/chat/completions");
  EXPECT_EQ(sent.headers.at("authorization"), "Bearer sk-test-openai");
  EXPECT_EQ(sent.headers.at("content-type"), "application/json");
  Json body = sent.json();
  EXPECT_EQ(body["model"], "gpt-4o-mini");
  EXPECT_EQ(body["stream"], true);
  EXPECT_EQ(body["stream_options"]["include_usage"], true);
  EXPECT_DOUBLE_EQ(body["temperature"].get<double>(), 0.3);
  Json expected = Json::array({{{"role", "system"}, {"content", "Be brief."}},
                               {{"role", "user"}, {"content", "first question"}},
                               {{"role", "assistant"}, {"content", "The first answer."}},
                               {{"role", "user"}, {"content", "second question"}}});
  EXPECT_EQ(body["messages"], expected);
}

TEST_F(ProvidersTest, TheModelSeesOnlyTheLastContextMessages) {
  tweak_ = [](server::Config& c) { c.context_messages = 3; };
  start_server();
  auto [user, token] = sign_up("cal");
  const std::string cid = ai_conversation(token, "gpt-4o-mini", "Stay short.");
  for (int i = 1; i <= 3; ++i) {
    openai_.push(openai_reply({"r" + std::to_string(i)}));
    ASSERT_EQ(ask(token, cid, "q" + std::to_string(i)).status, 200);
  }
  // q1 r1 q2 r2 q3: the last three, oldest first; the system prompt always goes.
  Json expected = Json::array({{{"role", "system"}, {"content", "Stay short."}},
                               {{"role", "user"}, {"content", "q2"}},
                               {{"role", "assistant"}, {"content", "r2"}},
                               {{"role", "user"}, {"content", "q3"}}});
  EXPECT_EQ(openai_.requests().at(2).json()["messages"], expected);
}

TEST_F(ProvidersTest, OpenAiDeltasTravelAsStreamFramesInOrder) {
  start_server();
  auto [user, token] = sign_up("oscar");
  const std::string cid = ai_conversation(token, "gpt-4o");
  testing::WsClient ws(server_->port(), token);
  ws.send({{"type", "subscribe"}, {"channel", "Message:list:" + cid}});
  ASSERT_EQ(ws.expect("subscribed")["type"], "subscribed");
  openai_.push(openai_reply({"one", " two", " three"}));
  ASSERT_EQ(post_message(token, cid, "count").status, 201);

  std::string streamed, final_content, assistant_id;
  while (auto frame = ws.next()) {
    const Json& data = (*frame)["data"];
    if ((*frame)["type"] == "update" && data["data"]["role"] == "ASSISTANT") {
      if (data["type"] == "created") {
        EXPECT_EQ(data["data"]["status"], "streaming");
        assistant_id = data["id"];
      } else if (data["data"]["status"] != "streaming") {
        final_content = data["data"]["content"];
        EXPECT_EQ(data["data"]["status"], "complete");
        break;
      }
    }
    if ((*frame)["type"] == "stream") {
      EXPECT_EQ(data["messageId"], assistant_id);
      EXPECT_EQ(data["offset"], streamed.size());
      streamed += data["delta"].get<std::string>();
    }
  }
  EXPECT_EQ(streamed, "one two three");
  EXPECT_EQ(final_content, "one two three");
}

TEST_F(ProvidersTest, A429IsRetriedAfterItsRetryAfterThenTheReplyArrives) {
  start_server();
  auto [user, token] = sign_up("rita");
  const std::string cid = ai_conversation(token, "gpt-4o-mini");
  openai_.push(FakeAnswer::error(
      429,
      R"({"error":{"message":"Rate limit reached for gpt-4o-mini","type":"requests","param":null,"code":"rate_limit_exceeded"}})",
      {{"Retry-After", "1"}}));
  openai_.push(openai_reply({"made it"}));
  const auto start = std::chrono::steady_clock::now();
  Reply r = ask(token, cid, "hello?");
  const auto waited = std::chrono::steady_clock::now() - start;
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(r.body["aiMessage"]["content"], "made it");
  EXPECT_EQ(r.body["aiMessage"]["status"], "complete");
  EXPECT_EQ(openai_.requests().size(), 2u);
  // Retry-After: 1 was honoured, not the 1 ms backoff this server is configured with.
  EXPECT_GE(waited, std::chrono::milliseconds(950));
}

TEST_F(ProvidersTest, ServerErrorsAreRetriedWithBackoffThenShownAsAnErrorReply) {
  start_server();
  auto [user, token] = sign_up("sam");
  const std::string cid = ai_conversation(token, "gpt-4o-mini");
  for (int i = 0; i < 4; ++i)
    openai_.push(FakeAnswer::error(503, R"({"error":{"message":"The server is overloaded"}})"));
  Reply r = ask(token, cid, "anyone?");
  ASSERT_EQ(r.status, 200) << r.raw;
  const Json& ai = r.body["aiMessage"];
  EXPECT_EQ(ai["status"], "error");
  const std::string content = ai["content"];
  EXPECT_NE(content.find("openai answered 503: The server is overloaded"), std::string::npos)
      << content;
  EXPECT_NE(content.find("after 4 attempts"), std::string::npos) << content;
  EXPECT_EQ(ai["metadata"]["finishReason"], "error");
  EXPECT_EQ(openai_.requests().size(), 4u);  // 1 + 3 retries, then it stops

  // The server keeps serving: the next question gets its answer.
  openai_.push(openai_reply({"back"}));
  Reply next = ask(token, cid, "now?");
  EXPECT_EQ(next.body["aiMessage"]["content"], "back");
}

TEST_F(ProvidersTest, ABadKeyIsNotRetriedAndSaysWhatToCheck) {
  start_server();
  auto [user, token] = sign_up("kim");
  const std::string cid = ai_conversation(token, "gpt-4o-mini");
  openai_.push(FakeAnswer::error(
      401,
      R"({"error":{"message":"Incorrect API key provided: sk-test-*****enai.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}})"));
  Reply r = ask(token, cid, "hi");
  ASSERT_EQ(r.status, 200) << r.raw;
  const std::string content = r.body["aiMessage"]["content"];
  EXPECT_EQ(r.body["aiMessage"]["status"], "error");
  EXPECT_NE(content.find("openai answered 401: Incorrect API key provided"), std::string::npos)
      << content;
  EXPECT_NE(content.find("check the API key"), std::string::npos);
  EXPECT_EQ(openai_.requests().size(), 1u);
}

TEST_F(ProvidersTest, AStreamCutMidWayKeepsWhatArrivedAndIsNotRetried) {
  start_server();
  auto [user, token] = sign_up("cora");
  const std::string cid = ai_conversation(token, "gpt-4o-mini");
  FakeAnswer cut = FakeAnswer::events({openai_chunk({{"role", "assistant"}, {"content", ""}}),
                                       openai_chunk({{"content", "Half of"}}),
                                       openai_chunk({{"content", " an answer"}})});
  cut.cut = true;
  openai_.push(cut);
  openai_.push(openai_reply({"must not be used"}));
  Reply r = ask(token, cid, "tell me");
  ASSERT_EQ(r.status, 200) << r.raw;
  const Json& ai = r.body["aiMessage"];
  EXPECT_EQ(ai["status"], "error");
  const std::string content = ai["content"];
  EXPECT_EQ(content.rfind("Half of an answer\n\n**The model could not answer:**", 0), 0u)
      << content;
  EXPECT_NE(content.find("closed before the answer was complete"), std::string::npos) << content;
  // Retrying after the first token would show a reply starting over: one request only.
  EXPECT_EQ(openai_.requests().size(), 1u);
  // Stored exactly like that.
  Reply stored = call("GET", "/api/messages/" + ai["id"].get<std::string>(), nullptr, token);
  EXPECT_EQ(stored.body["data"]["content"], content);
}

TEST_F(ProvidersTest, AStreamThatEndsWithoutFinishingIsAnError) {
  start_server();
  auto [user, token] = sign_up("enzo");
  const std::string cid = ai_conversation(token, "gpt-4o-mini");
  // A clean end of the HTTP body, but no finish_reason and no [DONE].
  openai_.push(FakeAnswer::events({openai_chunk({{"content", "partial"}})}));
  Reply r = ask(token, cid, "go");
  const std::string content = r.body["aiMessage"]["content"];
  EXPECT_EQ(r.body["aiMessage"]["status"], "error");
  EXPECT_NE(content.find("ended before the reply was complete"), std::string::npos) << content;
}

TEST_F(ProvidersTest, ASilentVendorTimesOutAndTheReplySaysSo) {
  tweak_ = [](server::Config& c) { c.providers.max_retries = 1; };
  start_server();
  auto [user, token] = sign_up("tess");
  const std::string cid = ai_conversation(token, "gpt-4o-mini");
  FakeAnswer silent = FakeAnswer::events({});
  silent.stall = true;
  openai_.push(silent);
  openai_.push(silent);
  Reply r = ask(token, cid, "hello?");
  ASSERT_EQ(r.status, 200) << r.raw;
  const std::string content = r.body["aiMessage"]["content"];
  EXPECT_EQ(r.body["aiMessage"]["status"], "error");
  EXPECT_NE(content.find("timed out"), std::string::npos) << content;
  EXPECT_NE(content.find("after 2 attempts"), std::string::npos) << content;
}

TEST_F(ProvidersTest, AnErrorInsideTheStreamBecomesTheReplysReason) {
  start_server();
  auto [user, token] = sign_up("ivy");
  const std::string cid = ai_conversation(token, "gpt-4o-mini");
  openai_.push(FakeAnswer::events(
      {openai_chunk({{"content", "Start"}}),
       R"(data: {"error":{"message":"The model produced invalid content.","type":"server_error"}})"
       "\n\n"}));
  Reply r = ask(token, cid, "go");
  const std::string content = r.body["aiMessage"]["content"];
  EXPECT_EQ(r.body["aiMessage"]["status"], "error");
  EXPECT_NE(content.find("Start\n\n"), std::string::npos) << content;
  EXPECT_NE(content.find("openai reported an error: The model produced invalid content."),
            std::string::npos)
      << content;
}

TEST_F(ProvidersTest, CancelMidStreamKeepsThePartAndHangsUpOnTheVendor) {
  start_server();
  auto [user, token] = sign_up("nell");
  const std::string cid = ai_conversation(token, "gpt-4o-mini");
  testing::WsClient ws(server_->port(), token);
  ws.send({{"type", "subscribe"}, {"channel", "Message:list:" + cid}});
  ASSERT_EQ(ws.expect("subscribed")["type"], "subscribed");
  FakeAnswer slow = FakeAnswer::events({openai_chunk({{"content", "Thinking"}})});
  slow.stall = true;
  openai_.push(slow);
  ASSERT_EQ(post_message(token, cid, "think hard").status, 201);
  // Cancel once the first token is on screen.
  while (auto frame = ws.next()) {
    if ((*frame)["type"] == "stream") break;
  }
  ws.send({{"type", "cancel"}, {"conversationId", cid}});
  Json final;
  while (auto frame = ws.next()) {
    const Json& data = (*frame)["data"];
    if ((*frame)["type"] == "update" && data["type"] == "updated" &&
        data["data"]["role"] == "ASSISTANT") {
      final = data["data"];
      break;
    }
  }
  EXPECT_EQ(final["status"], "cancelled");
  EXPECT_EQ(final["content"], "Thinking");
  EXPECT_EQ(final["metadata"]["finishReason"], "cancelled");
  EXPECT_EQ(openai_.requests().size(), 1u);
}

// --- Anthropic ------------------------------------------------------------------------------

TEST_F(ProvidersTest, AnthropicStreamsTextDeltasWithItsUsage) {
  start_server();
  auto [user, token] = sign_up("ada");
  const std::string cid = ai_conversation(token, "claude-3-5-haiku-latest", "You are terse.", 0.5);
  anthropic_.push(anthropic_reply({"Hello", "!", " How can I help?"}));
  Reply r = ask(token, cid, "hi claude");
  ASSERT_EQ(r.status, 200) << r.raw;
  const Json& ai = r.body["aiMessage"];
  EXPECT_EQ(ai["content"], "Hello! How can I help?");
  EXPECT_EQ(ai["status"], "complete");
  EXPECT_EQ(ai["metadata"]["provider"], "anthropic");
  EXPECT_EQ(ai["metadata"]["finishReason"], "stop");
  EXPECT_EQ(ai["metadata"]["usage"]["promptTokens"], 25);
  EXPECT_EQ(ai["metadata"]["usage"]["completionTokens"], 15);
  EXPECT_NEAR(ai["metadata"]["usage"]["estimatedCost"].get<double>(), (25 * 0.8 + 15 * 4) / 1e6,
              1e-12);

  auto requests = anthropic_.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].target, "/v1/messages");
  EXPECT_EQ(requests[0].headers.at("x-api-key"), "sk-ant-test");
  EXPECT_EQ(requests[0].headers.at("anthropic-version"), "2023-06-01");
  Json body = requests[0].json();
  EXPECT_EQ(body["model"], "claude-3-5-haiku-latest");
  EXPECT_EQ(body["system"], "You are terse.");
  EXPECT_EQ(body["stream"], true);
  EXPECT_GT(body["max_tokens"].get<int>(), 0);
  EXPECT_DOUBLE_EQ(body["temperature"].get<double>(), 0.5);
  EXPECT_EQ(body["messages"], Json::array({{{"role", "user"}, {"content", "hi claude"}}}));
}

TEST_F(ProvidersTest, AnthropicOverloadedBeforeTheFirstTokenIsRetried) {
  start_server();
  auto [user, token] = sign_up("otto");
  const std::string cid = ai_conversation(token, "claude-sonnet-4-20250514");
  anthropic_.push(FakeAnswer::events({anthropic_event(
      "error",
      {{"type", "error"}, {"error", {{"type", "overloaded_error"}, {"message", "Overloaded"}}}})}));
  anthropic_.push(anthropic_reply({"Fine now."}));
  Reply r = ask(token, cid, "hello");
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(r.body["aiMessage"]["content"], "Fine now.");
  EXPECT_EQ(anthropic_.requests().size(), 2u);
}

TEST_F(ProvidersTest, AnthropicErrorAnswersAreReadable) {
  tweak_ = [](server::Config& c) { c.providers.max_retries = 0; };
  start_server();
  auto [user, token] = sign_up("uma");
  const std::string cid = ai_conversation(token, "claude-3-5-sonnet-latest");
  anthropic_.push(FakeAnswer::error(
      400,
      R"({"type":"error","error":{"type":"invalid_request_error","message":"messages: text content blocks must be non-empty"}})"));
  Reply r = ask(token, cid, "x");
  const std::string content = r.body["aiMessage"]["content"];
  EXPECT_NE(content.find("anthropic answered 400: messages: text content blocks must be non-empty"),
            std::string::npos)
      << content;
}

// --- Gemini ---------------------------------------------------------------------------------

TEST_F(ProvidersTest, GeminiStreamsCandidatesWithUsageMetadata) {
  start_server();
  auto [user, token] = sign_up("gil");
  const std::string cid = ai_conversation(token, "gemini-2.0-flash", "Answer in English.", 0.9);
  gemini_.push(FakeAnswer::events(
      {gemini_chunk("Hello", nullptr, 9, 0), gemini_chunk(" from Gemini.", "STOP", 9, 4)}));
  Reply r = ask(token, cid, "hi gemini");
  ASSERT_EQ(r.status, 200) << r.raw;
  const Json& ai = r.body["aiMessage"];
  EXPECT_EQ(ai["content"], "Hello from Gemini.");
  EXPECT_EQ(ai["status"], "complete");
  EXPECT_EQ(ai["metadata"]["provider"], "gemini");
  EXPECT_EQ(ai["metadata"]["finishReason"], "stop");
  EXPECT_EQ(ai["metadata"]["usage"]["promptTokens"], 9);
  EXPECT_EQ(ai["metadata"]["usage"]["completionTokens"], 4);

  auto requests = gemini_.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].target, "/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse");
  EXPECT_EQ(requests[0].headers.at("x-goog-api-key"), "gm-test");
  Json body = requests[0].json();
  EXPECT_EQ(body["systemInstruction"]["parts"][0]["text"], "Answer in English.");
  EXPECT_DOUBLE_EQ(body["generationConfig"]["temperature"].get<double>(), 0.9);
  EXPECT_EQ(body["contents"],
            Json::array({{{"role", "user"}, {"parts", Json::array({{{"text", "hi gemini"}}})}}}));
}

TEST_F(ProvidersTest, GeminiCutBeforeItsFinishReasonIsAnError) {
  start_server();
  auto [user, token] = sign_up("gus");
  const std::string cid = ai_conversation(token, "gemini-2.5-pro");
  FakeAnswer cut = FakeAnswer::events({gemini_chunk("Once upon", nullptr, 5, 0)});
  cut.cut = true;
  gemini_.push(cut);
  Reply r = ask(token, cid, "story");
  const std::string content = r.body["aiMessage"]["content"];
  EXPECT_EQ(r.body["aiMessage"]["status"], "error");
  EXPECT_EQ(content.rfind("Once upon\n\n", 0), 0u) << content;
  EXPECT_EQ(gemini_.requests().size(), 1u);
}

TEST_F(ProvidersTest, GeminiRateLimitsInItsOwnShape) {
  tweak_ = [](server::Config& c) { c.providers.max_retries = 0; };
  start_server();
  auto [user, token] = sign_up("gwen");
  const std::string cid = ai_conversation(token, "gemini-1.5-pro");
  gemini_.push(FakeAnswer::error(
      429,
      R"({"error":{"code":429,"message":"Resource has been exhausted (e.g. check quota).","status":"RESOURCE_EXHAUSTED"}})"));
  Reply r = ask(token, cid, "x");
  const std::string content = r.body["aiMessage"]["content"];
  EXPECT_NE(content.find("gemini answered 429: Resource has been exhausted"), std::string::npos)
      << content;
}

// --- choosing a provider --------------------------------------------------------------------

TEST_F(ProvidersTest, ModelsListWhatIsAvailable) {
  tweak_ = [](server::Config& c) { c.providers.gemini_api_key.clear(); };
  start_server();
  auto [user, token] = sign_up("mia");
  Reply r = call("GET", "/api/models", nullptr, token);
  ASSERT_EQ(r.status, 200) << r.raw;
  std::map<std::string, bool> available;
  for (const auto& m : r.body["data"])
    available[m["provider"]] = m["available"];
  EXPECT_TRUE(available["builtin"]);
  EXPECT_TRUE(available["openai"]);
  EXPECT_TRUE(available["anthropic"]);
  EXPECT_FALSE(available["gemini"]);

  // A model whose vendor has no key: the reply says what to set, at once.
  const std::string cid = ai_conversation(token, "gemini-2.0-flash");
  Reply answer = ask(token, cid, "hello");
  ASSERT_EQ(answer.status, 200) << answer.raw;
  EXPECT_EQ(answer.body["aiMessage"]["status"], "error");
  const std::string content = answer.body["aiMessage"]["content"];
  EXPECT_NE(content.find("GEMINI_API_KEY"), std::string::npos) << content;
  EXPECT_TRUE(gemini_.requests().empty());
}

TEST_F(ProvidersTest, UnknownModelsGoToACustomOpenAiCompatibleServer) {
  start_server();  // OPENAI_BASE_URL is set, as for Ollama or llama.cpp
  auto [user, token] = sign_up("lou");
  const std::string cid = ai_conversation(token, "phi3:mini");
  openai_.push(openai_reply({"local reply"}));
  Reply r = ask(token, cid, "hi");
  EXPECT_EQ(r.body["aiMessage"]["content"], "local reply");
  EXPECT_EQ(openai_.requests().at(0).json()["model"], "phi3:mini");
}

TEST_F(ProvidersTest, WithoutKeysEverythingFallsBackToBuiltinAndSaysSo) {
  tweak_ = [](server::Config& c) {
    c.providers.openai_api_key.clear();
    c.providers.openai_base_url.clear();
    c.providers.anthropic_api_key.clear();
    c.providers.gemini_api_key.clear();
  };
  start_server();
  auto [user, token] = sign_up("noah");
  // No model named: the default is builtin.
  Reply conv = call("POST", "/api/conversations", {{"title", "plain"}, {"type", "AI"}}, token);
  Reply r = ask(token, conv.body["data"]["id"], "hello");
  EXPECT_EQ(r.body["aiMessage"]["status"], "complete");
  EXPECT_EQ(r.body["aiMessage"]["metadata"]["provider"], "builtin");
  // A named vendor model without its key: a clear error reply, not a hang.
  const std::string cid = ai_conversation(token, "gpt-4o");
  Reply missing = ask(token, cid, "hello");
  const std::string content = missing.body["aiMessage"]["content"];
  EXPECT_NE(content.find("OPENAI_API_KEY"), std::string::npos) << content;
}

// --- TLS ------------------------------------------------------------------------------------

class TlsProviderTest : public ProvidersTest {
 protected:
  void configure(server::Config& config) override {
    ProvidersTest::configure(config);
    config.providers.openai_base_url = tls_vendor_.base_url("/v1");
    config.providers.max_retries = 0;
    if (trust_) {
      config.providers.ca_file = data_.write("ca.pem", certificate_.cert_pem).string();
    }
  }
  bool trust_ = true;
  testing::TestCertificate certificate_ = testing::TestCertificate::make();
  FakeVendor tls_vendor_{&certificate_};
};

TEST_F(TlsProviderTest, RepliesStreamOverHttpsWithAVerifiedCertificate) {
  start_server();
  auto [user, token] = sign_up("tina");
  const std::string cid = ai_conversation(token, "gpt-4o-mini");
  tls_vendor_.push(openai_reply({"over", " TLS"}));
  Reply r = ask(token, cid, "secure?");
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(r.body["aiMessage"]["content"], "over TLS");
  EXPECT_EQ(tls_vendor_.requests().at(0).headers.at("authorization"), "Bearer sk-test-openai");
}

TEST_F(TlsProviderTest, AnUntrustedCertificateIsRefused) {
  trust_ = false;
  start_server();
  auto [user, token] = sign_up("ulf");
  const std::string cid = ai_conversation(token, "gpt-4o-mini");
  tls_vendor_.push(openai_reply({"must not arrive"}));
  Reply r = ask(token, cid, "secure?");
  const std::string content = r.body["aiMessage"]["content"];
  EXPECT_EQ(r.body["aiMessage"]["status"], "error");
  EXPECT_NE(content.find("TLS handshake"), std::string::npos) << content;
  EXPECT_TRUE(tls_vendor_.requests().empty());  // nothing was sent to an unverified peer
}

}  // namespace
}  // namespace imchat
