// Authenticator (authenticator.h): token → session → account, the one check of every door.
#include "server/auth/authenticator.h"

namespace imchat::server {

Result<Principal> Authenticator::authenticate(std::string_view token, Timestamp now) const {
  auto claims = tokens_.verify(std::string(token), now.ms / 1000);
  if (!claims) return claims.error();
  if (claims->session_id.empty()) {
    // Issued before sessions existed: it stands until its exp (guests have no other way
    // back in), unless its account signed such tokens out.
    auto account = storage_.find_account(claims->user_id);
    if (!account) {
      if (account.error().code != ErrorCode::kNotFound) return account.error();
      return make_error(ErrorCode::kUnauthorized, "the account no longer exists");
    }
    if (claims->issued_at <= account->tokens_revoked_before)
      return make_error(ErrorCode::kUnauthorized, "the session has ended; sign in again");
    return Principal{std::move(account->user), account->guest, "", claims->expires_at};
  }
  auto found = storage_.find_session(claims->session_id, now);
  if (!found) {
    if (found.error().code != ErrorCode::kNotFound) return found.error();
    return make_error(ErrorCode::kUnauthorized, "the session has ended; sign in again");
  }
  // A session id signed for someone else cannot be, but the check costs nothing.
  if (found->session.user_id != claims->user_id || found->account.user.id != claims->user_id) {
    return make_error(ErrorCode::kUnauthorized, "the session has ended; sign in again");
  }
  return Principal{std::move(found->account.user), found->account.guest, claims->session_id,
                   claims->expires_at};
}

Result<SignedIn> Authenticator::open_session(const User& user, Timestamp now) const {
  const int64_t now_s = now.ms / 1000;
  auto session =
      storage_.create_session(user.id, Timestamp{(now_s + tokens_.ttl_seconds()) * 1000});
  if (!session) return session.error();
  return SignedIn{user, tokens_.issue(user.id, session->id, now_s)};
}

}  // namespace imchat::server
