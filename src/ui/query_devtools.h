// QueryDevtools: the SDK's insides on screen, like React Query's devtools — every query
// with its status, fetch status, observers and age, buttons to refetch or invalidate, and
// the realtime link and outbox. Off by default; Ctrl+Shift+D (or window.imchat.debug(true)
// on the web) shows it. Reads the SDK and asks it to act; never touches the network.
#pragma once

#include <cstdint>

#include "sdk/chat_client.h"
#include "ui/theme.h"

namespace imchat::ui {

class QueryDevtools {
 public:
  explicit QueryDevtools(Theme& theme) : theme_(theme) {}

  bool open() const { return open_; }
  void set_open(bool open) { open_ = open; }
  // Toggles on Ctrl+Shift+D, then draws when open.
  void draw(sdk::ChatClient& client, int64_t now_ms);

 private:
  Theme& theme_;
  bool open_ = false;
};

}  // namespace imchat::ui
