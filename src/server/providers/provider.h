// Provider: one streaming interface for every AI backend.
//
// Implementations, one file each: builtin.cpp (local and deterministic; the default when no
// vendor key is set, so the product works offline and tests are exact). OpenAI, Anthropic
// and Gemini follow behind the same interface.
//
// start() returns at once; events arrive later on the server's io_context, in order:
// any number of on_delta, then exactly one of on_done / on_error (none after cancel()).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/result.h"
#include "model/types.h"

namespace imchat::server {

struct ChatTurn {
  MessageRole role = MessageRole::kUser;
  std::string content;
};

struct CompletionRequest {
  std::string model;
  std::optional<std::string> system_prompt;
  std::optional<double> temperature;
  std::vector<ChatTurn> messages;  // oldest first; the last is the user's new message
};

struct CompletionEvents {
  std::function<void(std::string_view delta)> on_delta;
  std::function<void(Usage usage, std::string finish_reason)> on_done;
  std::function<void(Error error)> on_error;
};

class CompletionStream {
 public:
  virtual ~CompletionStream() = default;
  virtual void cancel() = 0;
};

class Provider {
 public:
  virtual ~Provider() = default;
  virtual std::string name() const = 0;
  virtual std::shared_ptr<CompletionStream> start(CompletionRequest request,
                                                  CompletionEvents events) = 0;
};

}  // namespace imchat::server
