// What the page around the app is told (app/page_events): the address, the title with the
// unread count, events for an embedding page, and screen-reader announcements in semantic
// chunks (a message when it arrives; a reply paragraph by paragraph, then its end).
#include "app/page_events.h"

#include <gtest/gtest.h>

#include "protocol/json.h"
#include "support/fake_http_client.h"
#include "support/fake_websocket.h"

namespace imchat::app {
namespace {

struct RecordingPage final : platform::Page {
  std::vector<std::string> locations, titles, spoken, events;
  void set_location(const std::string& id) override { locations.push_back(id); }
  void set_title(const std::string& title) override { titles.push_back(title); }
  void announce(const std::string& text) override { spoken.push_back(text); }
  void shown() override {}
  void emit(const std::string& json) override { events.push_back(json); }
  std::vector<std::string> types() const {
    std::vector<std::string> out;
    for (const auto& e : events)
      out.push_back((*protocol::parse_json(e))["type"]);
    return out;
  }
};

class PageEventsTest : public ::testing::Test {
 protected:
  static std::shared_ptr<const Message> message(int64_t seq, MessageRole role, std::string content,
                                                MessageStatus status = MessageStatus::kComplete,
                                                std::string author = "") {
    Message m;
    m.id = "m" + std::to_string(seq);
    m.conversation_id = "c1";
    m.role = role;
    m.content = std::move(content);
    m.seq = seq;
    m.status = status;
    if (!author.empty()) m.author_id = author;
    return std::make_shared<const Message>(std::move(m));
  }

  void set_messages(std::vector<std::shared_ptr<const Message>> items) {
    auto list = std::make_shared<sdk::MessageList>();
    list->items = std::move(items);
    chat_.cache().set_data(sdk::messages_key("c1"), list);
  }

  void set_unread(int64_t unread_in_c2) {
    auto page = std::make_shared<imchat::Page<ConversationSummary>>();
    ConversationSummary open;
    open.conversation.id = "c1";
    open.conversation.title = "Plans";
    open.conversation.participants = {User{.id = "ada", .email = "", .name = "Ada"}};
    open.unread_count = 4;  // the open chat's own count is not news
    ConversationSummary other;
    other.conversation.id = "c2";
    other.conversation.title = "Other";
    other.unread_count = unread_in_c2;
    page->data = {open, other};
    chat_.cache().set_data(sdk::conversations_key(), page);
  }

  void update() { events_.update(chat_, {.open = "c1", .error = "", .drawn = true}); }

  testing::FakeHttpClient http_;
  testing::FakeWebSocketClient sockets_;
  sdk::ChatClient chat_{{http_, sockets_, nullptr, [] { return int64_t{0}; }, [] { return 0.5; }},
                        {}};
  RecordingPage page_;
  PageEvents events_{page_};
};

TEST_F(PageEventsTest, HistoryIsNotNewsButNewMessagesAreToldOnce) {
  set_unread(0);
  set_messages({message(1, MessageRole::kUser, "old question", MessageStatus::kComplete, "ada"),
                message(2, MessageRole::kAssistant, "old answer")});
  update();
  EXPECT_EQ(page_.locations, std::vector<std::string>{"c1"});
  EXPECT_EQ(page_.titles, std::vector<std::string>{"Plans · imchat"});
  EXPECT_TRUE(page_.spoken.empty());
  EXPECT_EQ(page_.types(), (std::vector<std::string>{"unread"}));  // not signed in: no ready

  set_messages(
      {message(1, MessageRole::kUser, "old question", MessageStatus::kComplete, "ada"),
       message(2, MessageRole::kAssistant, "old answer"),
       message(3, MessageRole::kUser, "Lunch at **noon**?", MessageStatus::kComplete, "ada")});
  update();
  update();
  EXPECT_EQ(page_.spoken, std::vector<std::string>{"Ada: Lunch at noon?"});
  EXPECT_EQ(page_.types(), (std::vector<std::string>{"unread", "message"}));
  const auto event = *protocol::parse_json(page_.events.back());
  EXPECT_EQ(event["conversation"], "c1");
  EXPECT_EQ(event["message"]["content"], "Lunch at **noon**?");
}

TEST_F(PageEventsTest, AReplyIsReadParagraphByParagraphThenItsEnd) {
  set_unread(0);
  set_messages({});
  update();
  std::string text;
  auto stream = [&](const std::string& more, MessageStatus status = MessageStatus::kStreaming) {
    text += more;
    set_messages({message(1, MessageRole::kAssistant, text, status)});
    update();
  };
  stream("## First");
  stream(" part\n\nSecond `para");
  EXPECT_EQ(page_.spoken, std::vector<std::string>{"Assistant: First part"});
  stream("graph` goes on");
  EXPECT_EQ(page_.spoken.size(), 1u) << "nothing until the paragraph ends";
  stream("\n\n- last", MessageStatus::kComplete);
  EXPECT_EQ(page_.spoken,
            (std::vector<std::string>{"Assistant: First part", "Second paragraph goes on",
                                      "last. Reply finished"}));
  EXPECT_EQ(page_.types().back(), "message");
  update();
  EXPECT_EQ(page_.spoken.size(), 3u);
}

TEST_F(PageEventsTest, TheTitleAndTheEmbeddingPageCountUnreadElsewhere) {
  set_unread(0);
  set_messages({});
  update();
  set_unread(3);
  update();
  EXPECT_EQ(page_.titles.back(), "(3) Plans · imchat");
  EXPECT_EQ(page_.events.back(), R"({"count":3,"type":"unread"})");
  const size_t told = page_.events.size();
  update();
  EXPECT_EQ(page_.events.size(), told) << "no change, no event";
}

TEST(SpokenText, DropsMarkdownMarksButKeepsTheWords) {
  EXPECT_EQ(spoken_text("# Title\n> quoted **bold** and `code`\n__under__"),
            "Title quoted bold and code under");
  EXPECT_EQ(spoken_text("snake_case stays, 3 * 4"), "snake_case stays, 3 4");
  EXPECT_EQ(spoken_text("- one\n+ two\n-3 is negative"), "one two -3 is negative");
  EXPECT_EQ(spoken_text("   "), "");
}

}  // namespace
}  // namespace imchat::app
