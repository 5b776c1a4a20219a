// AuthApi (auth_api.h): the /api/auth routes — sign-up, login, guests, sign-out, password.
#include "server/api/auth_api.h"

#include <boost/asio/post.hpp>

#include "protocol/model_json.h"
#include "server/log.h"
#include "server/store/ids.h"

namespace imchat::server {
namespace {

using protocol::Json;

constexpr size_t kMinPassword = 8;
// PBKDF2 hashes a long password down first, so length does not cost KDF time; the bound
// keeps bodies and hashing input small all the same.
constexpr size_t kMaxPassword = 256;

// Emails compare case-insensitively: register and login must agree on one spelling.
std::string normalized_email(std::string email) {
  for (auto& c : email)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return email;
}

bool valid_email(const std::string& email) {
  const size_t at = email.find('@');
  return email.size() <= 254 && at != std::string::npos && at > 0 && at + 1 < email.size() &&
         email.find('@', at + 1) == std::string::npos &&
         email.find_first_of(" \t\r\n") == std::string::npos;
}

Error too_many(int wait_s, const char* what) {
  Error e = make_error(ErrorCode::kRateLimited,
                       std::string(what) + "; try again in " + std::to_string(wait_s) + " s");
  e.retry_after_s = wait_s;
  return e;
}

Status check_password(const std::string& password, const char* field) {
  if (password.size() < kMinPassword || password.size() > kMaxPassword) {
    return bad_request("password must be " + std::to_string(kMinPassword) + " to " +
                           std::to_string(kMaxPassword) + " characters",
                       field);
  }
  return Ok{};
}

}  // namespace

struct AuthApi::Throttles {
  explicit Throttles(const AuthLimits& l)
      : by_address(l.address_burst, l.address_per_second),
        guests(l.guest_burst, l.guest_per_second),
        by_email(l.email_burst, l.email_per_second),
        email_failures(l.email_free_failures, l.max_backoff_s),
        address_failures(l.address_free_failures, l.max_backoff_s),
        config(l.config_burst, l.config_per_second) {}

  RateLimiter by_address;
  RateLimiter guests;
  RateLimiter by_email;
  FailureBackoff email_failures;
  FailureBackoff address_failures;
  RateLimiter config;
};

AuthApi::AuthApi(Storage& storage, const Authenticator& authenticator, KdfPool& kdf,
                 LiveSockets& live, boost::asio::any_io_executor workers, AuthApiOptions options)
    : storage_(storage),
      authenticator_(authenticator),
      kdf_(kdf),
      live_(live),
      workers_(std::move(workers)),
      options_(options),
      throttles_(std::make_shared<Throttles>(options_.limits)) {}

const std::string& AuthApi::dummy_hash() {
  // Made once, on a KDF thread (the first login of an unknown email), at today's cost.
  std::call_once(dummy_once_,
                 [this] { dummy_hash_ = hash_password(random_hex(16), options_.kdf_iterations); });
  return dummy_hash_;
}

template <typename Work, typename Then>
void AuthApi::with_kdf(const Request& req, Done done, Work work, Then then) {
  const bool queued = kdf_.submit(
      [this, req = &req, done, work = std::move(work), then = std::move(then)]() mutable {
        auto result = work();
        boost::asio::post(
            workers_, [req, done, result = std::move(result), then = std::move(then)]() mutable {
              done(then(*req, std::move(result)));
            });
      });
  if (!queued) {
    log_event("warn", "kdf_busy", {{"path", std::string(req.target())}});
    Error busy = make_error(ErrorCode::kBusy, "too many sign-ins at once; try again shortly");
    busy.retry_after_s = 1;
    done(error_response(req, busy));
  }
}

Response AuthApi::session_response(const Request& req, http::status status, const User& user) {
  auto signed_in = authenticator_.open_session(user, now_utc());
  if (!signed_in) return error_response(req, signed_in.error());
  return data_response(req, status,
                       {{"user", protocol::to_json(signed_in->user)}, {"token", signed_in->token}});
}

Response AuthApi::config(const Request& req, const ClientInfo& client) {
  if (auto wait = throttles_->config.acquire(address_key(client.address)))
    return error_response(req, too_many(*wait, "too many requests"));
  // Registration is open on every server today; invite-only and closed come with the admin.
  protocol::Json data = {{"guests", options_.guest_enabled},
                         {"registration", "open"},
                         {"sso", protocol::Json::array()},
                         {"passwordMin", kMinPassword},
                         {"passwordMax", kMaxPassword}};
  return data_response(req, http::status::ok, std::move(data));
}

void AuthApi::sign_in(const Request& req, const ClientInfo& client, Done done) {
  const std::string target(req.target());
  const std::string path = target.substr(0, target.find('?'));
  // Every way in without an account costs the address a token first: one client cannot
  // make logins, accounts or guests faster than a person would.
  const std::string address = address_key(client.address);
  if (auto wait = throttles_->by_address.acquire(address)) {
    log_event("warn", "auth_throttled", {{"remote", client.address}, {"path", path}});
    return done(error_response(req, too_many(*wait, "too many sign-in attempts")));
  }
  if (path == "/api/auth/register") return register_user(req, client, std::move(done));
  if (path == "/api/auth/login") return login(req, client, std::move(done));
  return guest(req, client, std::move(done));
}

void AuthApi::register_user(const Request& req, const ClientInfo& client, Done done) {
  auto body = body_object(req);
  if (!body) return done(error_response(req, body.error()));
  protocol::ObjectReader r(*body, "body");
  NewUser input;
  input.email = normalized_email(r.required_string("email"));
  input.name = r.required_string("name");
  const std::string password = r.required_string("password");
  if (!r.ok()) return done(error_response(req, r.take_error()));
  if (!valid_email(input.email))
    return done(error_response(req, bad_request("email is not a valid address", "email")));
  if (input.name.empty() || input.name.size() > 100)
    return done(error_response(req, bad_request("name must be 1 to 100 characters", "name")));
  if (auto s = check_password(password, "password"); !s)
    return done(error_response(req, s.error()));
  // Sign-up answers "taken" for a registered email (there is no mail to prove ownership
  // with, so no other answer would let a person on): per-email and per-address throttles
  // keep that from becoming a fast way to list accounts.
  if (auto wait = throttles_->by_email.acquire("register:" + input.email)) {
    log_event("warn", "auth_throttled", {{"remote", client.address}, {"path", "register"}});
    return done(error_response(req, too_many(*wait, "too many sign-ups for this email")));
  }
  const int iterations = options_.kdf_iterations;
  with_kdf(
      req, std::move(done), [password, iterations] { return hash_password(password, iterations); },
      [this, input](const Request& req, std::string hash) mutable -> Response {
        input.password_hash = std::move(hash);
        auto user = storage_.create_user(input);
        if (!user) return error_response(req, user.error());
        return session_response(req, http::status::created, *user);
      });
}

void AuthApi::login(const Request& req, const ClientInfo& client, Done done) {
  auto body = body_object(req);
  if (!body) return done(error_response(req, body.error()));
  protocol::ObjectReader r(*body, "body");
  const std::string email = normalized_email(r.required_string("email"));
  const std::string password = r.required_string("password");
  if (!r.ok()) return done(error_response(req, r.take_error()));
  if (email.size() > 254 || password.size() > kMaxPassword) {
    return done(
        error_response(req, make_error(ErrorCode::kUnauthorized, "invalid email or password")));
  }
  const std::string address = address_key(client.address);
  // Guessing slows down: after a few wrong passwords for an email (or many from one
  // address) every attempt waits, the right password too — or guessing would go on.
  auto blocked = throttles_->email_failures.blocked(email);
  if (!blocked) blocked = throttles_->address_failures.blocked(address);
  if (!blocked) blocked = throttles_->by_email.acquire("login:" + email);
  if (blocked) {
    log_event("warn", "login_backoff", {{"remote", client.address}});
    return done(error_response(req, too_many(*blocked, "too many login attempts")));
  }
  auto stored = storage_.find_user_by_email(email);
  if (!stored && stored.error().code != ErrorCode::kNotFound)
    return done(error_response(req, stored.error()));
  // No account, or a guest's (no password): the dummy hash is checked all the same, so
  // both answers take as long as a wrong password.
  const bool real = stored && !stored->guest && !stored->password_hash.empty();
  std::optional<StoredUser> account;
  if (real) account = std::move(*stored);
  const int iterations = options_.kdf_iterations;
  struct Outcome {
    bool ok = false;
    std::string rehash;  // a stronger hash of the same password, when the stored one is weak
  };
  with_kdf(
      req, std::move(done),
      [this, password, account, iterations] {
        Outcome out;
        const std::string& hash = account ? account->password_hash : dummy_hash();
        out.ok = verify_password(password, hash) && account.has_value();
        // An account still on a weaker hash would answer sooner than one that does not
        // exist: make up the difference.
        if (!out.ok) spend_kdf(iterations - hash_iterations(hash));
        if (out.ok && needs_rehash(account->password_hash, iterations))
          out.rehash = hash_password(password, iterations);
        return out;
      },
      [this, email, address, account](const Request& req, Outcome outcome) -> Response {
        auto throttles = throttles_;
        if (!outcome.ok) {
          throttles->email_failures.failed(email);
          throttles->address_failures.failed(address);
          log_event("warn", "login_failed", {{"remote", address}});
          return error_response(req,
                                make_error(ErrorCode::kUnauthorized, "invalid email or password"));
        }
        throttles->email_failures.succeeded(email);
        if (!outcome.rehash.empty()) {
          if (auto s = storage_.set_password_hash(account->user.id, outcome.rehash); !s)
            log_event("error", "rehash_failed", {{"error", s.error().describe()}});
        }
        return session_response(req, http::status::ok, account->user);
      });
}

void AuthApi::guest(const Request& req, const ClientInfo& client, Done done) {
  if (!options_.guest_enabled)
    return done(error_response(req, make_error(ErrorCode::kNotFound, "guest access is disabled")));
  if (auto wait = throttles_->guests.acquire(address_key(client.address))) {
    log_event("warn", "auth_throttled", {{"remote", client.address}, {"path", "guest"}});
    return done(error_response(req, too_many(*wait, "too many new guests from this address")));
  }
  // Guests get a unique address that can never receive mail (.invalid, RFC 2606) and
  // no password: they cannot log in again, only keep using their token.
  auto user = storage_.create_user({new_id("guest") + "@guest.invalid", "Guest", "", true});
  if (!user) return done(error_response(req, user.error()));
  done(session_response(req, http::status::created, *user));
}

void AuthApi::logout(const Request& req, const Principal& who, Done done) {
  if (who.session_id.empty()) {
    // A token from before sessions: they cannot be told apart, so all of them go.
    if (auto s = storage_.revoke_tokens_before(who.user.id, now_utc().ms / 1000); !s)
      return done(error_response(req, s.error()));
    live_.end_sessionless(who.user.id);
    return done(no_content(req));
  }
  if (auto s = storage_.delete_session(who.session_id); !s)
    return done(error_response(req, s.error()));
  live_.end_session(who.session_id);
  done(no_content(req));
}

void AuthApi::change_password(const Request& req, const Principal& who, Done done) {
  if (who.guest) {
    return done(error_response(
        req, bad_request("a guest has no password; create an account first", "currentPassword")));
  }
  auto body = body_object(req);
  if (!body) return done(error_response(req, body.error()));
  protocol::ObjectReader r(*body, "body");
  const std::string current = r.required_string("currentPassword");
  const std::string next = r.required_string("newPassword");
  if (!r.ok()) return done(error_response(req, r.take_error()));
  if (auto s = check_password(next, "newPassword"); !s) return done(error_response(req, s.error()));
  if (auto blocked = throttles_->email_failures.blocked(who.user.email)) {
    return done(error_response(req, too_many(*blocked, "too many wrong passwords")));
  }
  auto stored = storage_.find_user_by_email(who.user.email);
  if (!stored) return done(error_response(req, stored.error()));
  const int iterations = options_.kdf_iterations;
  with_kdf(
      req, std::move(done),
      [current, next, hash = stored->password_hash, iterations] {
        return verify_password(current, hash) ? hash_password(next, iterations) : std::string();
      },
      [this, who](const Request& req, std::string new_hash) -> Response {
        if (new_hash.empty()) {
          throttles_->email_failures.failed(who.user.email);
          Error e = make_error(ErrorCode::kUnauthorized, "the current password is wrong");
          e.field = "currentPassword";
          return error_response(req, e);
        }
        if (auto s = storage_.set_password_hash(who.user.id, new_hash); !s)
          return error_response(req, s.error());
        // A new password ends every other session: whoever knew the old one is out.
        auto ended = storage_.delete_sessions_of(who.user.id, who.session_id);
        if (!ended) return error_response(req, ended.error());
        live_.end_sessions(*ended);
        // And every token from before sessions; if this request came with one, it gets a
        // session of its own instead, so the one who changed the password stays in.
        if (auto s = storage_.revoke_tokens_before(who.user.id, now_utc().ms / 1000); !s)
          return error_response(req, s.error());
        live_.end_sessionless(who.user.id);
        log_event("info", "password_changed",
                  {{"user", who.user.id}, {"sessions_ended", std::to_string(ended->size())}});
        if (who.session_id.empty()) return session_response(req, http::status::ok, who.user);
        return no_content(req);
      });
}

}  // namespace imchat::server
