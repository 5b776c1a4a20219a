#include "server/authenticator.h"

namespace imchat::server {

Result<Principal> Authenticator::authenticate(std::string_view token, Timestamp now) const {
  auto claims = tokens_.verify(std::string(token), now.ms / 1000);
  if (!claims) return claims.error();
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
