// Bus: the one door by which an event leaves the code that caused it for the connections
// that hear it — committed changes from the store, and the frames that are never stored
// (a reply's stream, typing, read receipts). Whatever publishes calls a Bus; only a Bus
// implementation hands events to a Hub, which delivers to this process's sockets.
//
//   LocalBus (local_bus.h)   one process: straight to its own hub
//   a Redis bus (later)      to every node's hub, this one's included
//
// Calls come from any thread; publish_change runs under the store's lock, in commit order.
// An implementation only queues — it never blocks — and keeps each conversation's events in
// the order they were published.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "model/change_event.h"

namespace imchat::server {

class Bus {
 public:
  virtual ~Bus() = default;

  // A committed change and who hears of it.
  virtual void publish_change(const ChangeEvent& event, const Audience& audience) = 0;
  // A piece of an assistant reply being generated: `delta` starts at byte `offset` of the
  // reply; `seq` is the reply message's creation event (the final update is stored).
  virtual void publish_stream(const std::string& conversation_id, const std::string& message_id,
                              std::string_view delta, size_t offset, int64_t seq) = 0;
  // To the conversation's other subscribers: the user started or stopped typing.
  virtual void publish_typing(const std::string& conversation_id, const std::string& user_id,
                              bool is_typing) = 0;
  // To the conversation's other subscribers: the user has read up to the message.
  virtual void publish_read(const std::string& conversation_id, const std::string& user_id,
                            const std::string& message_id) = 0;
};

}  // namespace imchat::server
