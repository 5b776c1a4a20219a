// Replies: turns a user's message in an AI conversation into a streamed assistant reply.
//
// The assistant message exists from the start (status "streaming", empty), deltas travel
// as "stream" frames with their offset, and the end is one stored update carrying the full
// content, the final status ("complete", "error" or "cancelled") and the metadata (usage,
// model, provider, latency, finish reason). A provider failure becomes a visible message
// with status "error" and the reason — never a silent hang.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <boost/asio/any_io_executor.hpp>

#include "server/hub.h"
#include "server/providers/provider.h"
#include "server/storage.h"

namespace imchat::server {

class ModelCatalog;

struct ReplyOptions {
  const ModelCatalog* catalog = nullptr;  // prices for estimatedCost
  int context_messages = 20;              // how much history the model sees
  std::string default_model = "builtin";
};

class Replies {
 public:
  Replies(Storage& storage, Hub& hub, Provider& provider, boost::asio::any_io_executor workers,
          ReplyOptions options);
  ~Replies();

  // Call on a worker thread after a user message was stored (not for idempotent repeats).
  void on_user_message(const std::string& user_id, const Message& message);

  // Stops the reply being generated in the conversation, keeping what was produced.
  // kNotFound when the user is not in the conversation; Ok when nothing was streaming.
  Status cancel(const std::string& user_id, const std::string& conversation_id);

  size_t active_count() const;

 private:
  struct Active {
    std::string message_id;
    int64_t seq = 0;
    std::string content;
    std::string model;
    std::chrono::steady_clock::time_point started;
    std::shared_ptr<CompletionStream> stream;
    bool finished = false;
  };

  void finish(const std::string& conversation_id, MessageStatus status, std::optional<Usage> usage,
              std::string finish_reason, std::string error);

  Storage& storage_;
  Hub& hub_;
  Provider& provider_;
  boost::asio::any_io_executor workers_;
  ReplyOptions options_;
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<Active>> active_;  // by conversation id
};

}  // namespace imchat::server
