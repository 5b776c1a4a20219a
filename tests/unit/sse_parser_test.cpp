#include <gtest/gtest.h>

#include "server/providers/sse_parser.h"

namespace imchat::server {
namespace {

std::vector<SseEvent> parse_in_pieces(const std::string& stream, size_t piece) {
  SseParser parser;
  std::vector<SseEvent> events;
  auto collect = [&](const SseEvent& e) { events.push_back(e); };
  for (size_t i = 0; i < stream.size(); i += piece) {
    EXPECT_TRUE(parser.feed(std::string_view(stream).substr(i, piece), collect));
  }
  parser.finish(collect);
  return events;
}

TEST(SseParser, GivesTheSameEventsHoweverTheBytesAreCut) {
  const std::string stream =
      ": keep-alive comment\n"
      "event: message_start\n"
      "data: {\"a\":1}\n"
      "\n"
      "data: first line\r\n"
      "data:second line\r\n"
      "\r\n"
      "id: 7\n"
      "data: [DONE]\r"
      "\r";
  for (size_t piece : {1u, 2u, 3u, 7u, 1000u}) {
    auto events = parse_in_pieces(stream, piece);
    ASSERT_EQ(events.size(), 3u) << "piece " << piece;
    EXPECT_EQ(events[0].event, "message_start");
    EXPECT_EQ(events[0].data, "{\"a\":1}");
    EXPECT_EQ(events[1].event, "");
    EXPECT_EQ(events[1].data, "first line\nsecond line");
    EXPECT_EQ(events[2].data, "[DONE]");
  }
}

TEST(SseParser, AnUnterminatedLastEventStillCounts) {
  auto events = parse_in_pieces("data: tail without blank line", 4);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data, "tail without blank line");
}

TEST(SseParser, BlankLinesWithoutDataDispatchNothing) {
  EXPECT_TRUE(parse_in_pieces("\n\n: ping\n\nevent: lonely\n\n", 5).empty());
}

TEST(SseParser, RefusesAnEventOverTheLimit) {
  SseParser parser(64);
  auto ignore = [](const SseEvent&) {};
  EXPECT_TRUE(parser.feed("data: short\n\n", ignore));
  auto fed = parser.feed("data: " + std::string(100, 'x'), ignore);
  ASSERT_FALSE(fed);
  EXPECT_EQ(fed.error().code, ErrorCode::kTooLarge);
}

}  // namespace
}  // namespace imchat::server

#include "server/providers/vendor.h"

namespace imchat::server {
namespace {

// Found by tests/fuzz/fuzz_sse: an Anthropic error event whose error.type is not a string
// made json::value() throw, and a throw there ends the server. Every dialect must read
// any JSON object without throwing.
TEST(VendorDialects, EventsOfAnyShapeAreReadWithoutThrowing) {
  const protocol::Json odd[] = {
      protocol::Json::parse(R"({"type":"error","error":{"type":{"output_tokens":4},"message":7}})"),
      protocol::Json::parse(R"({"type":"error","error":"overloaded"})"),
      protocol::Json::parse(R"({"type":{"x":1},"delta":[],"usage":"many","choices":{}})"),
      protocol::Json::parse(
          R"({"candidates":[{"content":{"parts":[{"text":5}]}}],"usageMetadata":[]})"),
  };
  for (const auto& dialect :
       {make_openai_dialect(), make_anthropic_dialect(), make_gemini_dialect()}) {
    for (const auto& event : {"", "error", "message_delta", "content_block_delta"}) {
      for (const auto& data : odd) {
        VendorProgress progress;
        progress.emit = [](std::string_view) {};
        EXPECT_NO_THROW(dialect->on_event(event, data, progress))
            << dialect->name() << " " << data.dump();
      }
    }
  }
}

}  // namespace
}  // namespace imchat::server
