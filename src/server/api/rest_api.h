// Api: the REST routes under /api that touch storage (everything but /api/health): each
// decodes the request, calls a rule (Messages, Replies, Storage, AuthApi) and encodes the
// answer. Runs on a worker thread, never on a network thread: it may block on SQLite. The
// /api/auth routes are AuthApi's (the password KDF runs on its own pool).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "server/api/auth_api.h"
#include "server/api/http_types.h"
#include "server/api/responses.h"
#include "server/auth/authenticator.h"
#include "server/chat/messages.h"
#include "server/store/storage.h"

namespace imchat::server {

class Replies;
class ModelCatalog;
class RateLimiter;

struct ApiOptions {
  Replies* replies = nullptr;  // regenerates assistant replies
  const ModelCatalog* catalog = nullptr;
  RateLimiter* write_limiter = nullptr;  // every write spends from it (admit_write)
  std::vector<std::string> available_providers = {"builtin"};
};

class Api {
 public:
  Api(Storage& storage, const Authenticator& authenticator, AuthApi& auth, const Messages& messages,
      ApiOptions options)
      : storage_(storage),
        authenticator_(authenticator),
        auth_(auth),
        messages_(messages),
        options_(options) {}

  using Done = std::function<void(Response)>;
  // Answers through done, at once for most routes; /api/chat/… answers once the reply is
  // complete, /api/auth/… once the password KDF has run. request must stay alive until
  // done has run.
  void handle(const Request& request, const ClientInfo& client, Done done);

 private:
  Storage& storage_;
  const Authenticator& authenticator_;
  AuthApi& auth_;
  const Messages& messages_;
  ApiOptions options_;
};

}  // namespace imchat::server
