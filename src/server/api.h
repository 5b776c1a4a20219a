// Api: the REST routes under /api that touch storage (everything but /api/health). Runs on
// a worker thread, never on a network thread: it may block on SQLite and the password KDF.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "server/auth.h"
#include "server/http_types.h"
#include "server/storage.h"

namespace imchat::server {

class Replies;
class ModelCatalog;
class RateLimiter;

struct ApiOptions {
  Replies* replies = nullptr;  // starts assistant replies in AI conversations
  const ModelCatalog* catalog = nullptr;
  RateLimiter* write_limiter = nullptr;
  std::vector<std::string> available_providers = {"builtin"};
  bool guest_enabled = true;
  size_t max_message_bytes = 32 * 1024;
  int kdf_iterations = kDefaultKdfIterations;
};

class Api {
 public:
  Api(Storage& storage, const TokenIssuer& tokens, ApiOptions options)
      : storage_(storage), tokens_(tokens), options_(options) {}

  using Done = std::function<void(Response)>;
  // Answers through done, at once for most routes; /api/chat/… answers once the reply is
  // complete. request must stay alive until done has run.
  void handle(const Request& request, Done done);

 private:
  Storage& storage_;
  const TokenIssuer& tokens_;
  ApiOptions options_;
};

}  // namespace imchat::server
