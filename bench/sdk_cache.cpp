// sdk_cache: what realtime events cost the client's cache (issue 4's goal: a UI that never
// refetches to show one message must also not pay per event for the size of the history).
//  - 100,000 stream deltas: 100 replies of 1,000 deltas each, streamed into a conversation
//    that already holds 1,000 (and then 10,000) messages
//  - 10,000 message events (created) appended to the same conversations
// Each measured twice: the cache work alone (frames already parsed) and the whole path
// from socket text (Realtime: JSON parse, seq dedup, then the cache). Prints table rows.
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "protocol/model_json.h"
#include "sdk/chat_sync.h"
#include "support/fake_http_client.h"
#include "support/fake_websocket.h"
#include "table_row.h"

namespace {

using namespace imchat;
using Clock = std::chrono::steady_clock;
using protocol::Json;

using imchat::bench::row;

Json message_json(int64_t seq, const std::string& content, const char* role, const char* status) {
  return {{"id", "m" + std::to_string(seq)},
          {"content", content},
          {"role", role},
          {"conversationId", "c1"},
          {"createdAt", "2026-11-24T10:00:00.000Z"},
          {"seq", seq},
          {"status", status}};
}

struct Harness {
  int64_t now = 0;
  testing::FakeHttpClient http;
  testing::FakeWebSocketClient sockets;
  sdk::QueryCache cache{{[this] { return now; }, [] { return 0.5; }, true}};
  sdk::Api api{http, "http://127.0.0.1:1"};
  sdk::Realtime link{sockets,
                     sdk::RealtimeOptions{"ws://127.0.0.1:1/ws"},
                     {[this] { return now; }, [] { return 0.5; }}};
  sdk::ChatSync sync{cache, api, link, nullptr, {}, {[this] { return now; }, [] { return "k"; }}};
  int64_t next_seq = 1;

  explicit Harness(int history) {
    auto list = std::make_shared<sdk::MessageList>();
    for (int i = 0; i < history; ++i) {
      auto m = protocol::message_from_json(message_json(
          next_seq++, "A message of the history, a sentence or two long.", "USER", "complete"));
      list->items.push_back(std::make_shared<const Message>(std::move(*m)));
    }
    cache.set_data(sdk::messages_key("c1"), list);
    // The socket side, for the whole-path runs.
    link.subscribe("Message:list:c1", next_seq - 1);
    link.set_token("t");
    sockets.accept(sockets.latest());
    sockets.poll();
  }
  size_t size() const { return sync.messages("c1")->items.size(); }
};

double ns_per(Clock::duration d, int count) {
  return std::chrono::duration<double, std::nano>(d).count() / count;
}

// 100 replies × 1,000 deltas of ~4 bytes: created (streaming), deltas, final update.
void bench_stream(int history, bool from_text) {
  Harness h(history);
  constexpr int kReplies = 100;
  constexpr int kDeltas = 1000;
  std::vector<Json> frames;
  std::vector<std::string> texts;
  Clock::duration spent{};
  for (int r = 0; r < kReplies; ++r) {
    const int64_t seq = h.next_seq++;
    const std::string id = "m" + std::to_string(seq);
    h.sync.apply_update("c1", {{"type", "created"},
                               {"data", message_json(seq, "", "ASSISTANT", "streaming")},
                               {"id", id},
                               {"seq", seq}});
    frames.clear();
    texts.clear();
    size_t offset = 0;
    for (int d = 0; d < kDeltas; ++d) {
      const std::string delta = d % 7 ? " tok" : " word";
      Json data = {{"messageId", id}, {"delta", delta}, {"offset", offset}, {"seq", seq}};
      offset += delta.size();
      if (from_text) {
        texts.push_back(
            Json{{"type", "stream"}, {"channel", "Message:list:c1"}, {"data", data}}.dump());
      } else {
        frames.push_back(std::move(data));
      }
    }
    const auto start = Clock::now();
    if (from_text) {
      for (const std::string& text : texts)
        h.link.handle_text(text);
    } else {
      for (const Json& data : frames)
        h.sync.apply_stream("c1", data);
    }
    spent += Clock::now() - start;
    const auto& last = h.sync.messages("c1")->items.back();
    if (last->content.size() != offset) std::fprintf(stderr, "stream bench: lost a delta\n");
  }
  row(from_text ? "sdk stream delta, from socket text"
                : "sdk stream delta, " + std::to_string(history / 1000) + "k history",
      ns_per(spent, kReplies * kDeltas), "ns",
      "per delta; 100 replies x 1,000 deltas" +
          std::string(from_text ? "; parse + dedup + cache" : ""));
}

void bench_events(int history, bool from_text) {
  Harness h(history);
  constexpr int kEvents = 10000;
  std::vector<Json> updates;
  std::vector<std::string> texts;
  for (int i = 0; i < kEvents; ++i) {
    const int64_t seq = h.next_seq++;
    Json data = {{"type", "created"},
                 {"data", message_json(seq, "A new message from someone in the conversation.",
                                       "USER", "complete")},
                 {"id", "m" + std::to_string(seq)},
                 {"seq", seq}};
    if (from_text) {
      texts.push_back(
          Json{{"type", "update"}, {"channel", "Message:list:c1"}, {"data", data}}.dump());
    } else {
      updates.push_back(std::move(data));
    }
  }
  const auto start = Clock::now();
  if (from_text) {
    for (const std::string& text : texts)
      h.link.handle_text(text);
  } else {
    for (const Json& data : updates)
      h.sync.apply_update("c1", data);
  }
  const auto spent = Clock::now() - start;
  if (h.size() != static_cast<size_t>(history + kEvents))
    std::fprintf(stderr, "event bench: %zu messages, expected %d\n", h.size(), history + kEvents);
  row(from_text ? "sdk message event, from socket text"
                : "sdk message event, " + std::to_string(history / 1000) + "k history",
      ns_per(spent, kEvents), "ns",
      "per created message; 10,000 events" +
          std::string(from_text ? "; parse + dedup + cache" : ""));
}

}  // namespace

int main() {
  for (int history : {1000, 10000}) {
    bench_stream(history, false);
    bench_events(history, false);
  }
  bench_stream(1000, true);
  bench_events(1000, true);
  return 0;
}
