// The /ws frame handler: frames in (one per line of the input), frames out, over a fake
// peer that runs the connection's work inline, on a real store (SQLite in memory) and hub.
// "@C" in the input stands for a real conversation id, "@M" for a message in it and "@U"
// for the other member, so the fuzzer reaches past "not found". Every frame the server
// sends must be valid JSON; nothing may crash, throw or grow without bound.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "server/api/ws_api.h"
#include "server/chat/messages.h"
#include "server/chat/rate_limiter.h"
#include "server/realtime/hub.h"
#include "server/realtime/local_bus.h"
#include "server/store/database.h"
#include "server/store/storage.h"
#include "support/fake_ws_peer.h"

using namespace imchat;
using namespace imchat::server;

namespace {

struct World {
  std::unique_ptr<Database> db;
  std::unique_ptr<Storage> storage;
  Hub hub;
  LocalBus bus{hub};
  std::unique_ptr<Messages> messages;
  std::string ada, bob, conversation, message;

  World() {
    db = std::move(Database::open_in_memory().value());
    storage = make_sqlite_storage(*db);
    messages = std::make_unique<Messages>(*storage, MessagesOptions{});
    storage->set_change_listener(
        [this](const ChangeEvent& e, const Audience& a) { bus.publish_change(e, a); });
    ada = storage->create_user({"ada@example.com", "Ada", "", false})->id;
    bob = storage->create_user({"bob@example.com", "Bob", "", true})->id;
    NewConversation c;
    c.title = "fuzz";
    c.type = ConversationType::kGroup;
    c.participant_ids = {bob};
    conversation = storage->create_conversation(ada, c)->id;
    NewMessage m;
    m.conversation_id = conversation;
    m.content = "**hello**";
    m.author_id = bob;
    message = storage->create_message(bob, m)->message.id;
  }
};

std::string substitute(std::string_view line, const World& w) {
  std::string out;
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '@' && i + 1 < line.size()) {
      const char c = line[i + 1];
      const std::string* value = c == 'C'   ? &w.conversation
                                 : c == 'M' ? &w.message
                                 : c == 'U' ? &w.bob
                                            : nullptr;
      if (value) {
        out += *value;
        ++i;
        continue;
      }
    }
    out += line[i];
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static std::unique_ptr<World> world;
  static size_t runs = 0;
  // What earlier inputs stored stays for a while (so replays have history), then the
  // store starts over: memory stays bounded over millions of runs.
  if (!world || ++runs % 2000 == 0) {
    world.reset();
    world = std::make_unique<World>();
  }
  auto peer = std::make_shared<testing::FakeWsPeer>(world->ada);
  RateLimiter writes(1e9, 1e9);
  WsApi api(
      WsApiContext{world->hub, world->bus, *world->storage, *world->messages, nullptr, &writes},
      *peer, world->ada);
  peer->attach(&api);
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  for (int frames = 0; !rest.empty() && frames < 64; ++frames) {
    const size_t nl = rest.find('\n');
    const std::string_view line = rest.substr(0, nl);
    if (!line.empty() && line[0] == '\x01')
      api.on_binary();
    else
      api.on_text(substitute(line, *world));
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
  }
  api.on_closed();
  for (const auto& frame : peer->sent) {
    if (frame.is_object() && frame.value("type", "") == "<unparseable>") std::abort();
  }
  return 0;
}
