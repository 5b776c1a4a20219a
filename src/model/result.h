// Result<T>: the value or the reason there is none.
// Errors that can happen (network, parse, validation) travel as values; exceptions are
// kept for bugs. Emscripten 3.1.6's libc++ has no std::expected, hence this small one.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace imchat {

enum class ErrorCode {
  kParse,         // bytes that are not the JSON (or format) we expect
  kValidation,    // well-formed, but a field is missing, of the wrong type or out of range
  kNetwork,       // could not reach the peer, or the connection broke
  kHttp,          // the peer answered with an error status
  kCancelled,     // the caller gave up; not a failure
  kStorage,       // the database refused
  kNotFound,      // absent, or not visible to the caller (never say which)
  kConflict,      // would break a uniqueness rule (e.g. an email already registered)
  kUnauthorized,  // no credentials, or bad ones
  kForbidden,     // visible to the caller, but not theirs to change (or over their quota)
  kBusy,          // the server is saturated for this kind of work; try again shortly
  kTooLarge,      // over a size limit
  kRateLimited,   // too many requests; try again later
  kInternal,
};

const char* to_string(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  int status = 0;         // HTTP status when code == kHttp
  std::string field;      // the offending field for kValidation, when known
  int retry_after_s = 0;  // for kRateLimited: when to try again

  std::string describe() const;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}
  Result(Error error) : v_(std::move(error)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

// For operations that return nothing but can fail.
struct Ok {};
using Status = Result<Ok>;

inline Error make_error(ErrorCode code, std::string message) {
  return Error{code, std::move(message), 0};
}

}  // namespace imchat
