// The page's start-up description (window.imchatBoot, made by web/boot.js from config.json
// and the address) read into the app's options. Where the app may connect is decided here,
// and only here: the configured server (config.json "server"; empty = the page's own
// origin), or another one named by ?server= — only when config.json lists its origin in
// "servers" (or it is the page's own). A link cannot point the app, and the session it
// keeps, at a server the site did not choose. Everything comes from outside and is read
// defensively; a refused ?server= is an error the loading screen shows.
#pragma once

#include <string>
#include <string_view>

#include "app/app_options.h"
#include "model/result.h"

namespace imchat::app {

// {"config": <config.json>, "query": {"server": "…"}, "origin": "https://chat.example",
//  "theme": "dark"|"light", "conversation": "…", "auth": "host"|"", "touch": bool}
Result<AppOptions> read_boot_options(std::string_view boot_json);

// "https://Chat.Example:443/x" → "https://chat.example"; empty when it is not an http(s) URL.
std::string origin_of(std::string_view url);

}  // namespace imchat::app
