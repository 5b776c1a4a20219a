// The builtin provider: a local model that needs no network and no key. It answers with a
// short Markdown reply derived from the user's message (a heading, a list, a code block),
// streamed word by word at a configurable rate, with exact token counts. Deterministic:
// the same input gives the same reply, so tests can assert on it.
#pragma once

#include <chrono>

#include <boost/asio/any_io_executor.hpp>

#include "server/providers/provider.h"

namespace imchat::server {

struct BuiltinOptions {
  std::chrono::microseconds token_interval{20000};  // 50 tokens/s by default; 0 = at once
};

std::unique_ptr<Provider> make_builtin_provider(boost::asio::any_io_executor executor,
                                                BuiltinOptions options);

// The reply the builtin model gives to a prompt (exposed for tests).
std::string builtin_reply(const CompletionRequest& request);

}  // namespace imchat::server
