// Replies: turns a user's message in an AI conversation into a streamed assistant reply.
//
// The assistant message exists from the start (status "streaming", empty), deltas travel
// as "stream" frames with their offset, and the end is one stored update carrying the full
// content, the final status ("complete", "error" or "cancelled") and the metadata (usage,
// model, provider, latency, finish reason). A provider failure becomes a visible message
// with status "error" and the reason — never a silent hang.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <boost/asio/any_io_executor.hpp>

#include "server/providers/provider_set.h"
#include "server/realtime/bus.h"
#include "server/store/storage.h"

namespace imchat::server {

class ModelCatalog;

struct ReplyOptions {
  const ModelCatalog* catalog = nullptr;  // prices for estimatedCost
  int context_messages = 20;              // how much history the model sees
  std::string default_model = "builtin";  // for conversations that name no model
  // Replies one user may have running at once (0: no limit): open registration must not
  // be able to spend a vendor key without bound. Over it, the reply is stored as an error
  // saying so, like any reply that cannot be made.
  int max_per_user = 3;
};

class Replies {
 public:
  Replies(Storage& storage, Bus& bus, const ProviderSet& providers,
          boost::asio::any_io_executor workers, ReplyOptions options);
  ~Replies();

  // Runs once the reply is stored, whatever its status; with an error when it could not be
  // stored (the conversation was deleted meanwhile, the server is stopping).
  using OnFinished = std::function<void(Result<Message> reply)>;

  // Call on a worker thread after a user message was stored (not for idempotent repeats).
  // Starts the assistant's reply in an AI conversation. Errors: kNotFound (not a
  // participant), kValidation (not an AI conversation), kConflict (a reply is already
  // being generated there). A model no provider serves is not an error here: the reply
  // is stored at once with status "error" and the reason.
  Status start_reply(const std::string& user_id, const Message& message,
                     OnFinished on_finished = {});

  // Replaces the conversation's latest message, an assistant reply, with a new one: the old
  // reply is deleted (a tombstone, announced) and a reply is generated again from the
  // history before it. Errors: kNotFound (no such message for this user), kValidation
  // (not an assistant reply), kConflict (not the latest message, or a reply is running).
  Status regenerate(const std::string& user_id, const std::string& message_id);

  // Stops the reply being generated in the conversation, keeping what was produced.
  // kNotFound when the user is not in the conversation; Ok when nothing was streaming.
  Status cancel(const std::string& user_id, const std::string& conversation_id);

  // At start-up: replies a previous run left "streaming" become "error" with what they
  // had and the reason, so no client waits for a reply that will never come.
  void recover_interrupted();

  size_t active_count() const;
  bool is_replying(const std::string& conversation_id) const;

 private:
  struct Active {
    std::string user_id;  // who asked
    std::string message_id;
    int64_t seq = 0;
    std::string content;
    std::string model;
    std::string provider;
    OnFinished on_finished;
    std::chrono::steady_clock::time_point started;
    std::shared_ptr<CompletionStream> stream;
    bool finished = false;
  };

  void finish(const std::string& conversation_id, MessageStatus status, std::optional<Usage> usage,
              std::string finish_reason, std::string error);

  Storage& storage_;
  Bus& bus_;
  const ProviderSet& providers_;
  boost::asio::any_io_executor workers_;
  ReplyOptions options_;
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<Active>> active_;  // by conversation id
};

}  // namespace imchat::server
