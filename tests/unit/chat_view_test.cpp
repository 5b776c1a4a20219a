// The chat pane's layout cache, headless (ImGui without a GPU, the default font): a message
// is laid out once per (version, width), frames that change nothing lay out nothing, a
// streaming reply costs one layout per new version, and only visible rows are laid out.
#include "ui/chat_view.h"

#include <gtest/gtest.h>

#include "support/fake_http_client.h"
#include "support/fake_websocket.h"

namespace imchat::ui {
namespace {

class ChatViewTest : public ::testing::Test {
 protected:
  ChatViewTest() {
    ImGui::CreateContext();
    ImGui::GetIO().IniFilename = nullptr;
    theme_.apply(1.0f);  // no font files here: ImGui's default font stands in
    unsigned char* pixels = nullptr;
    int w = 0, h = 0;
    ImGui::GetIO().Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);
    auto list = std::make_shared<sdk::MessageList>();
    for (int i = 0; i < 1000; ++i)
      list->items.push_back(
          message(i + 1, "Message **" + std::to_string(i) + "** of the history."));
    chat_.cache().set_data(sdk::messages_key("c1"), list);
    view_.open("c1");
  }
  ~ChatViewTest() override { ImGui::DestroyContext(); }

  static std::shared_ptr<const Message> message(int64_t seq, std::string content,
                                                MessageStatus status = MessageStatus::kComplete) {
    Message m;
    m.id = "m" + std::to_string(seq);
    m.conversation_id = "c1";
    m.role = seq % 2 ? MessageRole::kUser : MessageRole::kAssistant;
    m.content = std::move(content);
    m.seq = seq;
    m.status = status;
    return std::make_shared<const Message>(std::move(m));
  }

  void frame(float width = 1000) {
    ImGuiIO& io = ImGui::GetIO();
    io.DisplaySize = ImVec2(width, 700);
    io.DeltaTime = 1.0f / 60;
    ImGui::NewFrame();
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(io.DisplaySize);
    ImGui::Begin("test", nullptr, ImGuiWindowFlags_NoDecoration);
    landmarks_.begin_frame();
    view_.draw(ImVec2(0, 0), io.DisplaySize, false);
    ImGui::End();
    ImGui::Render();
  }

  void edit_list(const std::function<void(sdk::MessageList&)>& change) {
    chat_.cache().edit_data<sdk::MessageList>(sdk::messages_key("c1"), [&](sdk::MessageList& list) {
      change(list);
      list.changed();
    });
  }

  int64_t now_ = 0;
  testing::FakeHttpClient http_;
  testing::FakeWebSocketClient sockets_;
  sdk::ChatClient chat_{{http_, sockets_, nullptr, [this] { return now_; }, [] { return 0.5; }},
                        {}};
  Theme theme_{"/nonexistent-fonts"};
  Landmarks landmarks_;
  ChatView view_{theme_, chat_, landmarks_};
};

TEST_F(ChatViewTest, OnlyVisibleRowsAreLaidOutAndOnlyOnce) {
  for (int i = 0; i < 3; ++i)
    frame();
  const uint64_t first = view_.layouts_made();
  EXPECT_GT(first, 3u);
  EXPECT_LT(first, 60u) << "rows off screen are estimated, not laid out";
  for (int i = 0; i < 20; ++i)
    frame();
  EXPECT_EQ(view_.layouts_made(), first) << "frames that change nothing lay nothing out";
}

TEST_F(ChatViewTest, AStreamingReplyIsLaidOutOncePerVersionAndNothingElseIs) {
  edit_list([](sdk::MessageList& list) {
    list.touch(list.items.size());
    list.items.push_back(message(1001, "", MessageStatus::kStreaming));
  });
  for (int i = 0; i < 3; ++i)
    frame();
  const uint64_t before = view_.layouts_made();
  std::string text;
  for (int v = 0; v < 10; ++v) {
    text += " token" + std::to_string(v);
    edit_list([&](sdk::MessageList& list) {
      list.touch(list.items.size() - 1);
      list.items.back() = message(1001, text, MessageStatus::kStreaming);
    });
    frame();
    frame();  // a second frame of the same version costs nothing
  }
  EXPECT_EQ(view_.layouts_made() - before, 10u);
}

// The header tells what the whole conversation holds and cost, as the server keeps it: the
// list has 1,000 messages loaded (each reply with usage), the conversation has 5,000.
TEST_F(ChatViewTest, TheHeaderShowsTheServersTotalsNotTheLoadedPages) {
  edit_list([](sdk::MessageList& list) {
    for (auto& item : list.items) {
      if (item->role != MessageRole::kAssistant) continue;
      Message m = *item;
      m.metadata = MessageMetadata{};
      m.metadata->usage = Usage{10, 40, 50, 0.001};
      item = std::make_shared<const Message>(std::move(m));
    }
    list.touch(0);
  });
  Page<ConversationSummary> page;
  ConversationSummary row;
  row.conversation.id = "c1";
  row.conversation.title = "A long chat";
  row.conversation.type = ConversationType::kAi;
  row.conversation.totals = ConversationTotals{5000, 2500 * 50, 2500 * 0.001};
  page.data.push_back(row);
  page.total = 1;
  chat_.cache().set_data(sdk::conversations_key(), std::make_shared<Page<ConversationSummary>>(page));
  frame();
  EXPECT_EQ(view_.header_detail(), "5,000 messages  ·  125,000 tokens  ·  $2.50");
  // A new total from the server (a reply finished) is shown the next frame.
  chat_.cache().edit_data<Page<ConversationSummary>>(
      sdk::conversations_key(), [](Page<ConversationSummary>& p) {
        p.data[0].conversation.totals = ConversationTotals{5002, 125050, 2.501};
      });
  frame();
  EXPECT_EQ(view_.header_detail(), "5,002 messages  ·  125,050 tokens  ·  $2.50");
}

TEST_F(ChatViewTest, ANewWidthLaysTheVisibleRowsOutAgain) {
  for (int i = 0; i < 3; ++i)
    frame(1000);
  const uint64_t at_1000 = view_.layouts_made();
  for (int i = 0; i < 3; ++i)
    frame(800);
  const uint64_t at_800 = view_.layouts_made() - at_1000;
  EXPECT_GT(at_800, 3u);
  EXPECT_LT(at_800, 60u);
}

}  // namespace
}  // namespace imchat::ui
