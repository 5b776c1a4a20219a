// JSON at the edges: parsing untrusted bytes and writing what we send.
// Never throws: nlohmann's exceptions are reserved for bugs (and abort in the wasm build),
// so every entry point here checks first and reports a clear Error.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "model/result.h"
#include "model/time.h"

namespace imchat::protocol {

using Json = nlohmann::json;

struct ParseLimits {
  size_t max_bytes = 16 * 1024 * 1024;
  int max_depth = 64;  // deeper documents are an attack or a bug, not chat data
};

Result<Json> parse_json(std::string_view text, ParseLimits limits = {});

// Compact JSON. Invalid UTF-8 in strings is replaced (U+FFFD) instead of throwing.
std::string dump_json(const Json& value);

// Reads the fields of one JSON object into a typed value, remembering the first problem
// with its path ("Message.createdAt: expected a string"). After reading, check ok().
class ObjectReader {
 public:
  ObjectReader(const Json& value, std::string context);

  bool ok() const { return !error_; }
  const Error& error() const { return *error_; }
  Error take_error() { return std::move(*error_); }

  std::string required_string(const char* key);
  std::optional<std::string> optional_string(const char* key);
  int64_t required_int(const char* key);
  std::optional<int64_t> optional_int(const char* key);
  std::optional<double> optional_number(const char* key);
  bool required_bool(const char* key);
  double required_number(const char* key);
  Timestamp required_time(const char* key);
  // nullptr when absent or null; an error when present but not an object/array.
  const Json* optional_object(const char* key) { return optional_container(key, true); }
  const Json* optional_array(const char* key) { return optional_container(key, false); }

  void fail(const char* key, std::string what);
  const std::string& context() const { return context_; }

 private:
  const Json* find(const char* key, bool required);
  const Json* optional_container(const char* key, bool want_object);

  const Json& value_;
  std::string context_;
  std::optional<Error> error_;
};

const char* json_type_name(const Json& value);

// Reading JSON we do not trust field by field (vendors' streams, socket frames): a field
// that is absent or of the wrong type is nullptr / nullopt, never an exception. Safe on
// any value, object or not.
std::optional<int64_t> json_int(const Json& object, const char* key);
const std::string* json_string(const Json& object, const char* key);
const Json* json_object(const Json& object, const char* key);
const Json* json_array(const Json& object, const char* key);
// The string field's text, "" when absent or not a string.
std::string json_text(const Json& object, const char* key);

}  // namespace imchat::protocol
