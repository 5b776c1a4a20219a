// AppOptions: what the entry point tells the App at start (the web page's boot object,
// read by boot_options.cpp; the native client's flags).
#pragma once

#include <string>

namespace imchat::app {

struct AppOptions {
  std::string server_url;  // "" = same origin (web)
  // Whose share of the store the account's things go in (sdk/scoped_store.h): "" for the
  // configured server, the origin of any other (app/boot_options.cpp decides).
  std::string store_scope;
  std::string font_dir;
  std::string theme;         // "dark" | "light": until the user picks one ("" = dark)
  std::string conversation;  // open at start ("" = the one open last time, if any)
  // Embedded with the host's session: wait for set_token() instead of signing in a guest,
  // and keep that token in memory only.
  bool token_from_host = false;
  bool touch = false;  // the main pointer is a finger: controls get fingertip sizes
};

}  // namespace imchat::app
