#include "model/result.h"

namespace imchat {

const char* to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::kParse:
      return "parse";
    case ErrorCode::kValidation:
      return "validation";
    case ErrorCode::kNetwork:
      return "network";
    case ErrorCode::kHttp:
      return "http";
    case ErrorCode::kCancelled:
      return "cancelled";
    case ErrorCode::kStorage:
      return "storage";
    case ErrorCode::kNotFound:
      return "not_found";
    case ErrorCode::kConflict:
      return "conflict";
    case ErrorCode::kUnauthorized:
      return "unauthorized";
    case ErrorCode::kForbidden:
      return "forbidden";
    case ErrorCode::kBusy:
      return "busy";
    case ErrorCode::kTooLarge:
      return "too_large";
    case ErrorCode::kRateLimited:
      return "rate_limited";
    case ErrorCode::kInternal:
      return "internal";
  }
  return "unknown";
}

std::string Error::describe() const {
  std::string out = to_string(code);
  if (status != 0) out += " " + std::to_string(status);
  if (!message.empty()) out += ": " + message;
  return out;
}

}  // namespace imchat
