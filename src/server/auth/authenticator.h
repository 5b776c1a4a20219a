// Authenticator: the one check a token gets, whatever door it comes through — the REST
// Bearer header and the /ws?token= upgrade alike. A token is good when its signature is
// ours, it has not expired, its session still exists (sign-out and a password change
// delete sessions) and so does its account. A token from before sessions existed (no
// `sid`) stands until its exp unless its account signed such tokens out
// (Storage::revoke_tokens_before): upgrading the server signs no one out, and a guest,
// who has no password, keeps their conversations. Blocking (it reads the store): call it on a
// worker, never on a network thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "model/result.h"
#include "model/types.h"
#include "server/auth/credentials.h"
#include "server/store/storage.h"

namespace imchat::server {

struct Principal {
  User user;
  bool guest = false;
  std::string session_id;  // empty: a token from before sessions
  int64_t expires_at = 0;  // the token's exp, seconds since the epoch
};

// A session just opened: its token and who it is for.
struct SignedIn {
  User user;
  std::string token;
};

class Authenticator {
 public:
  Authenticator(Storage& storage, const TokenIssuer& tokens) : storage_(storage), tokens_(tokens) {}

  // kUnauthorized with the reason when the token does not stand.
  Result<Principal> authenticate(std::string_view token, Timestamp now) const;
  // Opens a session for the user (after a login, a sign-up, a guest) and signs its token.
  Result<SignedIn> open_session(const User& user, Timestamp now) const;

 private:
  Storage& storage_;
  const TokenIssuer& tokens_;
};

}  // namespace imchat::server
