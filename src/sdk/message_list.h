// MessageList: a conversation's messages as the cache holds them — stored ones by seq, then
// the unsent ones (seq 0) — and the rules that change it: an update event places, replaces
// or removes one message; a stream delta grows the streaming reply at its offset. Pure
// data: ChatSync (chat_sync.h) decides when; tests and the benchmark call these directly.
//
// Structural sharing: a change replaces only the messages it touches (new shared_ptr);
// the others keep their identity, and version says that something changed.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "model/types.h"
#include "protocol/json.h"

namespace imchat::sdk {

struct MessageList {
  std::vector<std::shared_ptr<const Message>> items;  // by seq; unsent ones (seq 0) last
  bool has_older = false;  // the server has older messages than items.front()
  bool has_newer = false;  // newer pages were let go to respect the page cap
  uint64_t version = 0;    // bumped by every change (through changed())

  // What changed, so a view keeping per-item state (heights) pays for the change and not
  // for the length of the history: a streaming reply changes one item at the end.
  // touch(i): the change being made reaches index i (the lowest such index counts).
  void touch(size_t index) { pending_ = std::min(pending_, index); }
  // Ends a change: bumps the version and remembers its lowest touched index (0 when
  // nothing was touched, the safe guess).
  void changed();
  // The items before the returned index are the same objects, in the same places, as at
  // version `since`. items.size() when nothing changed; 0 when `since` is too old to tell.
  size_t unchanged_prefix(uint64_t since) const;

 private:
  static constexpr size_t kLog = 256;  // 2,000 tokens/s at 60 fps is ~33 a frame
  std::array<size_t, kLog> firsts_{};  // lowest touched index of versions version-kLog+1…
  uint64_t logged_ = 0;                // how many versions firsts_ describes
  size_t pending_ = SIZE_MAX;
};

// Applying events to a MessageList, on its own for tests and the benchmark. Each returns
// whether the list changed. Idempotent: an event applied twice changes nothing the second
// time, so replaying a window of events over a newer snapshot is safe.
bool apply_message_event(MessageList& list, const std::string& kind, const protocol::Json& data);
bool apply_stream_delta(MessageList& list, const protocol::Json& data);

// The stored messages' end: unsent messages (seq 0) sit after every stored one.
size_t confirmed_end(const MessageList& list);
// The newest stored seq (0 when none is held).
int64_t newest_seq(const MessageList& list);
// Where the message with this id is, searching from the newest (where changes happen); -1.
std::ptrdiff_t index_of(const MessageList& list, const std::string& id);
// Takes the unsent message with this clientId out; false when there is none.
bool remove_unsent(MessageList& list, const std::string& client_id);
// Puts a stored message in its place, replacing the one with its seq or id (and the unsent
// one with its clientId). may_insert false: only replaces. Outside the window held (older
// than what is loaded, or newer while newer pages are let go) nothing is inserted.
bool place(MessageList& list, std::shared_ptr<const Message> message, bool may_insert);

}  // namespace imchat::sdk
