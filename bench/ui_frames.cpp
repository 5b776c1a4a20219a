// ui_frames: CPU per frame of the chat pane with long histories (issue 5's goal: typing
// and streaming must not cost more as the history grows). Headless: the real ImGui with
// the real fonts builds every frame down to its draw lists (ImGui::Render) — only the
// GPU is missing. The ChatView reads the SDK's cache as in the app; the cache is filled
// directly with 1k … 1M messages of mixed Markdown (the SDK keeps at most 20 pages in
// memory, so the larger sizes are the view's own limit, not what a user meets).
//   scroll   300 frames, the wheel three notches up each frame (new rows every frame)
//   stream   300 frames of a reply arriving at 2,000 tokens/s (≈33 deltas per frame at
//            60 fps) through the SDK's own delta path, view at the bottom
// Prints median and p99 per size, and memory (process RSS growth while filling the cache
// and drawing) against the raw text. Usage: ui_frames <font dir>
#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <imgui.h>

#include "platform/frame_damage.h"
#include "platform/soft_renderer.h"
#include "sdk/chat_client.h"
#include "support/fake_http_client.h"
#include "support/fake_websocket.h"
#include "table_row.h"
#include "ui/chat_view.h"
#include "ui/landmarks.h"
#include "ui/markdown.h"
#include "ui/rich_text.h"
#include "ui/theme.h"

namespace {

using namespace imchat;
using Clock = std::chrono::steady_clock;
using protocol::Json;

using imchat::bench::row;

double rss_mib() {
  long pages = 0, resident = 0;
  if (FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    std::fclose(f);
  }
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) /
         (1024.0 * 1024.0);
}

// Mixed Markdown of the kinds chats hold: short questions, prose answers with emphasis
// and links, lists, code blocks, tables. Varies with i so no two rows are equal.
std::string message_text(size_t i, bool assistant) {
  const std::string n = std::to_string(i);
  if (!assistant) {
    switch (i % 4) {
      case 0:
        return "How do I keep request " + n + " from timing out behind the proxy?";
      case 1:
        return "Thanks! Can you show the same with `async` and explain the trade-offs?";
      case 2:
        return "Here is my config:\n\n```yaml\nserver:\n  port: " + n +
               "\n  timeout: 30s\n```\n\nWhat is wrong?";
      default:
        return "Summarise point " + n + " in two sentences, please.";
    }
  }
  switch (i % 5) {
    case 0:
      return "The **short answer**: raise the proxy's *read timeout* and send a heartbeat. "
             "For request " +
             n +
             ", the upstream waits longer than the default 60 s, so the "
             "proxy closes the connection first. See [the guide](https://example.com/proxy/" +
             n + ") for the settings that matter, and keep an eye on `keepalive_timeout` too.";
    case 1:
      return "## Steps\n\n1. Measure where the time goes.\n2. Move the slow call off the request "
             "path.\n3. Return **202 Accepted** with a job id.\n4. Poll or push the result.\n\n"
             "- Pros: no timeouts, retries are safe\n- Cons: one more moving part\n";
    case 2:
      return "Here is a version with `async`:\n\n```python\nasync def fetch(session, url):\n"
             "    async with session.get(url, timeout=30) as r:\n        return await r.json()\n\n"
             "results = await asyncio.gather(*(fetch(s, u) for u in urls))  # " +
             n + "\n```\n\nIt overlaps the waits, so ten calls take about as long as the slowest.";
    case 3:
      return "| Option | Latency | Cost |\n|---|---|---|\n| Sync | 1.2 s | low |\n| Async | 0.3 s "
             "| "
             "medium |\n| Queue " +
             n + " | 0.1 s | high |\n\nPick **Async** unless you need durability.";
    default:
      return "> Premature optimisation is the root of all evil.\n\nThat said, " + n +
             " requests a second is where it starts to matter. Profile first; then fix the "
             "*one* hot path the profile shows, and measure again.";
  }
}

// A reply is a few of those sections (replies average ~1 KB, questions ~80 bytes).
std::string reply_text(size_t i) {
  std::string text = message_text(i, true);
  for (size_t k = 1; k < 2 + i % 3; ++k)
    text += "\n\n" + message_text(i + k * 7, true);
  return text;
}

std::shared_ptr<const Message> make_message(size_t i, int64_t seq) {
  Message m;
  const bool assistant = i % 2 == 1;
  m.id = "m" + std::to_string(seq);
  m.conversation_id = "c1";
  m.role = assistant ? MessageRole::kAssistant : MessageRole::kUser;
  m.content = assistant ? reply_text(i / 2) : message_text(i / 2, false);
  m.seq = seq;
  m.created_at = Timestamp{1764000000000 + static_cast<int64_t>(i) * 1000};
  if (assistant) {
    MessageMetadata meta;
    meta.model = "gpt-4o-mini";
    meta.usage = Usage{120, 240, 360, 0.0002};
    meta.latency_ms = 1200;
    m.metadata = meta;
  }
  return std::make_shared<const Message>(std::move(m));
}

struct Stats {
  double median = 0, p99 = 0;
};

Stats stats(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  return {ms[ms.size() / 2], ms[std::min(ms.size() - 1, ms.size() * 99 / 100)]};
}

struct Bench {
  int64_t now = 0;
  testing::FakeHttpClient http;
  testing::FakeWebSocketClient sockets;
  sdk::ChatClient chat{{http, sockets, nullptr, [this] { return now; }, [] { return 0.5; }}, {}};
  ui::Landmarks landmarks;
  ui::ChatView view;
  size_t raw_bytes = 0;
  int64_t next_seq = 1;

  Bench(ui::Theme& theme, size_t count) : view(theme, chat, landmarks) {
    auto list = std::make_shared<sdk::MessageList>();
    list->items.reserve(count + 1);
    for (size_t i = 0; i < count; ++i) {
      list->items.push_back(make_message(i, next_seq++));
      raw_bytes += list->items.back()->content.size();
    }
    chat.cache().set_data(sdk::messages_key("c1"), list);
    auto page = std::make_shared<Page<ConversationSummary>>();
    ConversationSummary summary;
    summary.conversation.id = "c1";
    summary.conversation.title = "A long conversation";
    summary.conversation.model = "gpt-4o-mini";
    page->data.push_back(summary);
    chat.cache().set_data(sdk::conversations_key(), page);
    view.open("c1");
  }

  // An assistant reply "reply" appears, empty and streaming, at the end of the list.
  void start_reply(int64_t seq) {
    Message reply;
    reply.id = "reply";
    reply.conversation_id = "c1";
    reply.role = MessageRole::kAssistant;
    reply.status = MessageStatus::kStreaming;
    reply.seq = seq;
    chat.cache().edit_data<sdk::MessageList>(sdk::messages_key("c1"), [&](sdk::MessageList& list) {
      list.touch(list.items.size());
      list.items.push_back(std::make_shared<const Message>(reply));
      list.changed();
    });
  }

  // One frame as the app draws it; returns its CPU time in ms.
  double frame(float wheel) {
    ImGuiIO& io = ImGui::GetIO();
    io.DisplaySize = ImVec2(1280, 800);
    io.DeltaTime = 1.0f / 60;
    io.MousePos = ImVec2(800, 400);
    io.MouseWheel = wheel;
    const auto start = Clock::now();
    ImGui::NewFrame();
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(io.DisplaySize);
    ImGui::Begin("imchat", nullptr,
                 ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoSavedSettings);
    landmarks.begin_frame();
    view.draw(ImVec2(272, 0), ImVec2(1280 - 272, 800), false);
    ImGui::End();
    ImGui::Render();
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  }
};

void run(ui::Theme& theme, size_t count, const char* label) {
  // The reply's deltas, made first: neither their parse (sdk_cache's) nor their memory
  // is the view's.
  const int64_t seq = static_cast<int64_t>(count) + 1;
  const std::string base = message_text(3, true) + "\n\n";
  size_t offset = 0;
  size_t token = 0;
  std::vector<Json> deltas;  // made before timing: the SDK's parse cost is sdk_cache's
  for (int f = 0; f < 300 * 33; ++f) {
    std::string text = " tok" + std::to_string(token++ % 1000);
    if (token % 40 == 0) text += ".\n\n";
    if (token % 400 == 0) text += base;
    deltas.push_back({{"messageId", "reply"}, {"delta", text}, {"offset", offset}, {"seq", seq}});
    offset += text.size();
  }
  malloc_trim(0);  // what the previous size freed goes back, so growth is this size's
  const double rss_before = rss_mib();
  Bench bench(theme, count);
  const double rss_filled = rss_mib();
  for (int i = 0; i < 10; ++i)
    bench.frame(0);  // settle: the visible rows are laid out

  std::vector<double> scroll;
  for (int i = 0; i < 300; ++i)
    scroll.push_back(bench.frame(3.0f));

  // Back to the bottom, then a reply streams in: created empty, grown by deltas.
  for (int i = 0; i < 5; ++i)
    bench.frame(-1000.0f);
  bench.next_seq++;
  bench.start_reply(seq);
  std::vector<double> stream;
  size_t next = 0;
  for (int f = 0; f < 300; ++f) {
    bench.chat.cache().edit_data<sdk::MessageList>(
        sdk::messages_key("c1"), [&](sdk::MessageList& list) {
          for (int d = 0; d < 33; ++d) {
            if (sdk::apply_stream_delta(list, deltas[next++])) list.changed();
          }
        });
    stream.push_back(bench.frame(0));
  }
  const double rss_after = rss_mib();
  const Stats s = stats(scroll);
  const Stats t = stats(stream);
  const std::string n = label;
  row("ui frame, scrolling, " + n + " median", s.median, "ms", "goal <= 2 at 100k");
  row("ui frame, scrolling, " + n + " p99", s.p99, "ms", "goal <= 4 at 100k");
  row("ui frame, streaming 2k tok/s, " + n + " median", t.median, "ms", "goal <= 2 at 100k");
  row("ui frame, streaming 2k tok/s, " + n + " p99", t.p99, "ms", "goal <= 4 at 100k");
  const double raw_mib = static_cast<double>(bench.raw_bytes) / (1024.0 * 1024.0);
  row("memory / raw text, " + n, (rss_after - rss_before) / raw_mib, "x",
      fmt::format("{:.0f} MiB (SDK cache {:.0f}, view {:.0f}) for {:.1f} MiB of text; goal <= 3",
                  rss_after - rss_before, rss_filled - rss_before, rss_after - rss_filled,
                  raw_mib));
}

// Issue 15, item 3: a streaming reply's frame must cost its delta, not its length. A reply
// grows through the SDK's delta path to 10 KB and to 100 KB; at each, 120 frames with 33
// deltas (~250 bytes) each are timed. Before, every frame parsed and laid the whole reply out
// again — that cost is timed too, as the "whole" rows.
void run_reply_length(ui::Theme& theme) {
  std::string reply;
  for (size_t i = 0; reply.size() < 140 * 1024; ++i)  // 100 KB + 120 frames of deltas
    reply += reply_text(i) + "\n\n";
  std::vector<Json> deltas;
  for (size_t offset = 0; offset < reply.size(); offset += 8) {
    deltas.push_back({{"messageId", "reply"},
                      {"delta", reply.substr(offset, 8)},
                      {"offset", offset},
                      {"seq", 1001}});
  }
  Bench bench(theme, 1000);
  for (int i = 0; i < 10; ++i)
    bench.frame(0);
  bench.start_reply(1001);
  size_t next = 0;
  const auto grow = [&](size_t deltas_count) {
    bench.chat.cache().edit_data<sdk::MessageList>(
        sdk::messages_key("c1"), [&](sdk::MessageList& list) {
          for (size_t d = 0; d < deltas_count && next < deltas.size(); ++d) {
            if (sdk::apply_stream_delta(list, deltas[next++])) list.changed();
          }
        });
  };
  double frame_at[2] = {0, 0};
  const size_t sizes[2] = {10 * 1024, 100 * 1024};
  for (int k = 0; k < 2; ++k) {
    while (next * 8 < sizes[k]) {  // grow to the size, drawing as the app would
      grow(33);
      bench.frame(0);
    }
    std::vector<double> ms;
    const uint64_t layouts_before = bench.view.layouts_made();
    for (int f = 0; f < 120; ++f) {
      grow(33);
      ms.push_back(bench.frame(0));
    }
    // Every timed frame must really have laid the grown reply out, or the figure lies.
    if (bench.view.layouts_made() - layouts_before < 120) {
      std::fprintf(stderr, "streaming reply frames laid out only %llu times\n",
                   static_cast<unsigned long long>(bench.view.layouts_made() - layouts_before));
      std::abort();
    }
    frame_at[k] = stats(ms).median;
  }
  row("ui frame, streaming reply at 10 KB, median", frame_at[0] * 1000, "us", "");
  row("ui frame, streaming reply at 100 KB, median", frame_at[1] * 1000, "us",
      fmt::format("{:.2f}x the 10 KB frame; goal <= 1.5x", frame_at[1] / frame_at[0]));

  // The old per-frame cost: the whole reply parsed and laid out again.
  const ui::RichTextStyle style = ui::message_text_style(theme, false);
  for (size_t size : sizes) {
    const std::string_view text = std::string_view(reply).substr(0, size);
    std::vector<double> ms;
    for (int i = 0; i < 20; ++i) {
      const auto t0 = Clock::now();
      const auto doc = ui::markdown::parse(text);
      const auto layout = ui::layout_rich_text(doc, 900, style);
      ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
      if (layout.height <= 0) std::abort();
    }
    row(fmt::format("whole-reply parse + layout at {} KB (before: every frame)", size / 1024),
        stats(ms).median, "ms", "");
  }
}

// Issue 15, item 4: what the software renderer (the web's path without a GPU: the same code
// in wasm, drawing into a 2D canvas) costs per frame of the chat pane at 1,000 messages: a
// whole 1280×800 frame, then frames redrawing only their damage (platform/frame_damage) while
// scrolling three notches a frame and while a reply streams (33 deltas a frame).
void run_soft_renderer(ui::Theme& theme) {
  Bench bench(theme, 1000);
  unsigned char* pixels = nullptr;
  int tex_w = 0, tex_h = 0;
  ImGui::GetIO().Fonts->GetTexDataAsRGBA32(&pixels, &tex_w, &tex_h);
  platform::SoftRenderer soft;
  soft.set_texture(pixels, tex_w, tex_h);
  soft.resize(1280, 800);
  platform::FrameDamage damage;
  const ImVec4 bg = ImGui::GetStyle().Colors[ImGuiCol_WindowBg];
  const ImU32 clear = ImGui::ColorConvertFloat4ToU32(ImVec4(bg.x, bg.y, bg.z, 1.0f));
  double share = 0;  // of the window, summed over the frames that drew
  int drew = 0;
  // Draws the frame's damage; its time in ms, or −1 when it changed nothing (not counted).
  const auto render = [&](bool everything) {
    const ImDrawData& data = *ImGui::GetDrawData();
    const platform::DamageRect rect = damage.update(data, everything);
    if (rect.empty()) return -1.0;
    ++drew;
    share += rect.area() / (1280.0 * 800.0);
    const auto t0 = Clock::now();
    soft.render(data, platform::to_pixels(rect, data), clear);
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  };
  for (int i = 0; i < 10; ++i)
    bench.frame(0);
  std::vector<double> whole, scroll, stream;
  const auto keep = [](std::vector<double>& into, double ms) {
    if (ms >= 0) into.push_back(ms);
  };
  for (int i = 0; i < 60; ++i) {
    bench.frame(0);
    keep(whole, render(true));
  }
  share = 0;
  drew = 0;
  for (int i = 0; i < 120; ++i) {
    bench.frame(3.0f);
    keep(scroll, render(false));
  }
  const double scroll_share = share / std::max(drew, 1);
  for (int i = 0; i < 5; ++i) {
    bench.frame(-1000.0f);
    render(false);
  }
  bench.start_reply(1001);
  size_t offset = 0;
  share = 0;
  drew = 0;
  for (int f = 0; f < 120; ++f) {
    bench.chat.cache().edit_data<sdk::MessageList>(
        sdk::messages_key("c1"), [&](sdk::MessageList& list) {
          for (int d = 0; d < 33; ++d) {
            std::string text = " tok" + std::to_string(f * 33 + d);
            if (d == 32 && f % 4 == 3) text += ".\n\n";
            const Json delta = {
                {"messageId", "reply"}, {"delta", text}, {"offset", offset}, {"seq", 1001}};
            offset += text.size();
            if (sdk::apply_stream_delta(list, delta)) list.changed();
          }
        });
    bench.frame(0);
    keep(stream, render(false));
  }
  row("soft render, whole 1280x800 frame, median", stats(whole).median, "ms",
      "native; the web runs the same code in wasm");
  row("soft render, scrolling frame, median", stats(scroll).median, "ms",
      fmt::format("redraws its damage: {:.0f}% of the window on average", 100 * scroll_share));
  row("soft render, streaming frame, median", stats(stream).median, "ms",
      fmt::format("redraws its damage: {:.0f}% of the window on average",
                  100 * share / std::max(drew, 1)));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: ui_frames <font dir>\n");
    return 2;
  }
  ImGui::CreateContext();
  ImGui::GetIO().IniFilename = nullptr;
  ui::Theme theme(argv[1]);
  theme.apply(1.0f);
  if (!theme.fonts().load_error.empty()) {
    std::fprintf(stderr, "ui_frames: %s\n", theme.fonts().load_error.c_str());
    return 1;
  }
  unsigned char* pixels = nullptr;
  int w = 0, h = 0;
  ImGui::GetIO().Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);  // as a renderer would
  run(theme, 1000, "1k");
  run(theme, 10000, "10k");
  run(theme, 100000, "100k");
  run(theme, 1000000, "1M");
  run_reply_length(theme);
  run_soft_renderer(theme);
  ImGui::DestroyContext();
  return 0;
}
