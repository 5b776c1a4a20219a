// Replies (replies.h): a user's message in an AI chat becomes a streamed, stored reply.
#include "server/chat/replies.h"

#include <boost/asio/post.hpp>

#include "server/log.h"
#include "server/providers/model_catalog.h"

namespace imchat::server {

Replies::Replies(Storage& storage, Bus& bus, const ProviderSet& providers,
                 boost::asio::any_io_executor workers, ReplyOptions options)
    : storage_(storage),
      bus_(bus),
      providers_(providers),
      workers_(std::move(workers)),
      options_(std::move(options)) {}

Replies::~Replies() {
  std::lock_guard lock(mutex_);
  for (auto& [id, active] : active_) {
    active->finished = true;
    if (active->stream) active->stream->cancel();
    active->stream.reset();  // its callbacks hold `active`: break the cycle
    if (active->on_finished) {
      auto on_finished = std::move(active->on_finished);
      on_finished(make_error(ErrorCode::kCancelled, "the server is stopping"));
    }
  }
}

void Replies::recover_interrupted() {
  auto stuck = storage_.streaming_messages();
  if (!stuck) {
    log_event("error", "recovery_failed", {{"error", stuck.error().describe()}});
    return;
  }
  for (const Message& message : *stuck) {
    std::string content = message.content;
    content += (content.empty() ? "" : "\n\n") +
               std::string("**The reply was interrupted:** the server stopped while writing it.");
    MessageMetadata metadata = message.metadata.value_or(MessageMetadata{});
    metadata.finish_reason = "interrupted";
    auto stored = storage_.finish_message(message.id, content, MessageStatus::kError, metadata);
    log_event(stored ? "warn" : "error", "reply_interrupted",
              {{"message", message.id}, {"conversation", message.conversation_id}});
  }
}

bool Replies::is_replying(const std::string& conversation_id) const {
  std::lock_guard lock(mutex_);
  return active_.count(conversation_id) > 0;
}

size_t Replies::active_count() const {
  std::lock_guard lock(mutex_);
  return active_.size();
}

Status Replies::regenerate(const std::string& user_id, const std::string& message_id) {
  auto old = storage_.get_message(user_id, message_id);
  if (!old) return old.error();
  if (old->role != MessageRole::kAssistant) {
    return make_error(ErrorCode::kValidation, "only an assistant's reply can be regenerated");
  }
  if (is_replying(old->conversation_id)) {
    return make_error(ErrorCode::kConflict, "a reply is already being generated");
  }
  MessageQuery latest_query;
  latest_query.take = 1;
  latest_query.order_desc = true;
  auto latest = storage_.list_messages(user_id, old->conversation_id, latest_query);
  if (!latest) return latest.error();
  if (latest->data.empty() || latest->data.front().id != message_id) {
    return make_error(ErrorCode::kConflict, "only the latest reply can be regenerated");
  }
  if (auto deleted = storage_.delete_message(user_id, message_id); !deleted) return deleted;
  return start_reply(user_id, *old);
}

Status Replies::start_reply(const std::string& user_id, const Message& message,
                            OnFinished on_finished) {
  auto conversation = storage_.get_conversation(user_id, message.conversation_id);
  if (!conversation) return conversation.error();
  if (conversation->type != ConversationType::kAi) {
    return make_error(ErrorCode::kValidation, "the conversation is not an AI conversation");
  }
  {
    std::lock_guard lock(mutex_);
    if (active_.count(message.conversation_id)) {  // one reply at a time per conversation
      return make_error(ErrorCode::kConflict, "a reply is already being generated");
    }
  }
  MessageQuery history_query;
  history_query.take = options_.context_messages;
  history_query.order_desc = true;
  auto history = storage_.list_messages(user_id, message.conversation_id, history_query);
  if (!history) return history.error();

  CompletionRequest request;
  request.model = conversation->model && !conversation->model->empty() ? *conversation->model
                                                                       : options_.default_model;
  request.system_prompt = conversation->system_prompt;
  request.temperature = conversation->temperature;
  for (auto it = history->data.rbegin(); it != history->data.rend(); ++it) {
    if (it->status == MessageStatus::kError || it->content.empty()) continue;
    request.messages.push_back({it->role, it->content});
  }

  NewMessage draft;
  draft.conversation_id = message.conversation_id;
  draft.role = MessageRole::kAssistant;
  draft.status = MessageStatus::kStreaming;
  auto created = storage_.create_message(user_id, draft);
  if (!created) {
    log_event("error", "reply_not_started", {{"error", created.error().describe()}});
    return created.error();
  }
  auto provider = providers_.for_model(request.model);
  auto active = std::make_shared<Active>();
  active->user_id = user_id;
  active->message_id = created->message.id;
  active->seq = created->message.seq;
  active->model = request.model;
  active->provider = provider ? (*provider)->name() : "none";
  active->on_finished = std::move(on_finished);
  active->started = std::chrono::steady_clock::now();
  const std::string cid = message.conversation_id;
  int running = 0;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, other] : active_)
      running += other->user_id == user_id ? 1 : 0;
    active_[cid] = active;
  }
  if (options_.max_per_user > 0 && running >= options_.max_per_user) {
    log_event("warn", "reply_limit", {{"user", user_id}, {"running", std::to_string(running)}});
    finish(cid, MessageStatus::kError, std::nullopt, "error",
           "you have " + std::to_string(running) +
               " replies being written already; ask again when one has finished");
    return Ok{};
  }
  if (!provider) {
    // Visible to the user as the reply itself, like any other provider failure.
    finish(cid, MessageStatus::kError, std::nullopt, "error", provider.error().message);
    return Ok{};
  }
  CompletionEvents events;
  events.on_delta = [this, cid, active](std::string_view delta) {
    // Published under the lock: finish() takes it too, so no delta can reach a client after
    // the final update that already contains it. Publishing only queues; it never blocks.
    std::lock_guard lock(mutex_);
    if (active->finished) return;
    const size_t offset = active->content.size();
    active->content += delta;
    bus_.publish_stream(cid, active->message_id, delta, offset, active->seq);
  };
  events.on_done = [this, cid](Usage usage, std::string reason) {
    boost::asio::post(workers_, [this, cid, usage, reason] {
      finish(cid, MessageStatus::kComplete, usage, reason, {});
    });
  };
  events.on_error = [this, cid](Error error) {
    boost::asio::post(workers_, [this, cid, error] {
      finish(cid, MessageStatus::kError, std::nullopt, "error", error.message);
    });
  };
  auto stream = (*provider)->start(std::move(request), std::move(events));
  std::lock_guard lock(mutex_);
  // The reply may already be over (a provider failing at once); then keeping the stream
  // would only hold it alive.
  if (!active->finished) active->stream = std::move(stream);
  return Ok{};
}

Status Replies::cancel(const std::string& user_id, const std::string& conversation_id) {
  auto seq = storage_.last_seq(user_id, conversation_id);  // the access check
  if (!seq) return seq.error();
  std::shared_ptr<Active> active;
  {
    std::lock_guard lock(mutex_);
    auto it = active_.find(conversation_id);
    if (it == active_.end()) return Ok{};
    active = it->second;
  }
  if (active->stream) active->stream->cancel();
  finish(conversation_id, MessageStatus::kCancelled, std::nullopt, "cancelled", {});
  return Ok{};
}

void Replies::finish(const std::string& conversation_id, MessageStatus status,
                     std::optional<Usage> usage, std::string finish_reason, std::string error) {
  std::shared_ptr<Active> active;
  std::string content;
  {
    std::lock_guard lock(mutex_);
    auto it = active_.find(conversation_id);
    if (it == active_.end() || it->second->finished) return;
    active = it->second;
    active->finished = true;  // late deltas are dropped from here on
    content = active->content;
    // The stream's callbacks hold `active`; dropping the stream here breaks that cycle.
    active->stream.reset();
    active_.erase(it);
  }
  if (status == MessageStatus::kError) {
    // The reason is part of what the user sees, after whatever had arrived.
    content +=
        (content.empty() ? "" : "\n\n") + std::string("**The model could not answer:** ") + error;
  }
  MessageMetadata metadata;
  if (usage && options_.catalog)
    usage->estimated_cost = options_.catalog->estimate_cost(active->model, *usage);
  metadata.usage = usage;
  metadata.model = active->model;
  metadata.provider = active->provider;
  metadata.latency_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now() - active->started)
                            .count();
  metadata.finish_reason = std::move(finish_reason);
  auto stored = storage_.finish_message(active->message_id, content, status, metadata);
  if (!stored) {
    // kNotFound: the conversation was deleted while the reply streamed; nothing to keep.
    log_event(stored.error().code == ErrorCode::kNotFound ? "info" : "error", "reply_not_stored",
              {{"error", stored.error().describe()}});
  } else if (status == MessageStatus::kError) {
    log_event("warn", "reply_failed",
              {{"provider", active->provider}, {"model", active->model}, {"reason", error}});
  }
  if (active->on_finished) active->on_finished(std::move(stored));
}

}  // namespace imchat::server
