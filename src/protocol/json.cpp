#include "protocol/json.h"

#include <cmath>

namespace imchat::protocol {

namespace {

// nlohmann's parser is iterative, but destroying and walking a value is recursive: bound
// the depth with a cheap scan before building anything.
bool depth_within(std::string_view text, int max_depth) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > max_depth) return false;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return true;
}

}  // namespace

Result<Json> parse_json(std::string_view text, ParseLimits limits) {
  if (text.size() > limits.max_bytes) {
    return make_error(ErrorCode::kParse, "JSON document of " + std::to_string(text.size()) +
                                             " bytes is over the limit of " +
                                             std::to_string(limits.max_bytes));
  }
  if (!depth_within(text, limits.max_depth)) {
    return make_error(ErrorCode::kParse,
                      "JSON nested deeper than " + std::to_string(limits.max_depth) + " levels");
  }
  // allow_exceptions=false: a syntax error (including invalid UTF-8 in a string) yields a
  // 'discarded' value instead of throwing.
  Json value = Json::parse(text.begin(), text.end(), nullptr, false);
  if (value.is_discarded()) {
    return make_error(ErrorCode::kParse, "malformed JSON (syntax error or invalid UTF-8)");
  }
  return value;
}

std::string dump_json(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

const char* json_type_name(const Json& value) {
  switch (value.type()) {
    case Json::value_t::null:
      return "null";
    case Json::value_t::object:
      return "an object";
    case Json::value_t::array:
      return "an array";
    case Json::value_t::string:
      return "a string";
    case Json::value_t::boolean:
      return "a boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
      return "an integer";
    case Json::value_t::number_float:
      return "a number";
    default:
      return "something else";
  }
}

ObjectReader::ObjectReader(const Json& value, std::string context)
    : value_(value), context_(std::move(context)) {
  if (!value_.is_object()) {
    error_ = make_error(ErrorCode::kValidation,
                        context_ + ": expected an object, got " + json_type_name(value_));
  }
}

void ObjectReader::fail(const char* key, std::string what) {
  if (error_) return;  // the first problem is the one worth reporting
  error_ = make_error(ErrorCode::kValidation, context_ + "." + key + ": " + what);
  error_->field = key;
}

const Json* ObjectReader::find(const char* key, bool required) {
  if (error_) return nullptr;
  auto it = value_.find(key);
  if (it == value_.end() || (it->is_null() && !required)) {
    if (required) fail(key, "missing");
    return nullptr;
  }
  return &*it;
}

std::string ObjectReader::required_string(const char* key) {
  const Json* v = find(key, true);
  if (!v) return {};
  if (!v->is_string()) {
    fail(key, std::string("expected a string, got ") + json_type_name(*v));
    return {};
  }
  return v->get_ref<const std::string&>();
}

std::optional<std::string> ObjectReader::optional_string(const char* key) {
  const Json* v = find(key, false);
  if (!v) return std::nullopt;
  if (!v->is_string()) {
    fail(key, std::string("expected a string, got ") + json_type_name(*v));
    return std::nullopt;
  }
  return v->get_ref<const std::string&>();
}

std::optional<int64_t> ObjectReader::optional_int(const char* key) {
  const Json* v = find(key, false);
  if (!v) return std::nullopt;
  if (v->is_number_integer()) return v->get<int64_t>();
  if (v->is_number_unsigned()) {
    const auto u = v->get<uint64_t>();
    if (u <= static_cast<uint64_t>(INT64_MAX)) return static_cast<int64_t>(u);
  }
  if (v->is_number_float()) {
    const double d = v->get<double>();
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.0e15) {
      return static_cast<int64_t>(d);
    }
  }
  fail(key, std::string("expected an integer, got ") + json_type_name(*v));
  return std::nullopt;
}

int64_t ObjectReader::required_int(const char* key) {
  if (!find(key, true)) return 0;
  return optional_int(key).value_or(0);
}

bool ObjectReader::required_bool(const char* key) {
  const Json* v = find(key, true);
  if (!v) return false;
  if (!v->is_boolean()) {
    fail(key, std::string("expected a boolean, got ") + json_type_name(*v));
    return false;
  }
  return v->get<bool>();
}

std::optional<double> ObjectReader::optional_number(const char* key) {
  const Json* v = find(key, false);
  if (!v) return std::nullopt;
  if (!v->is_number()) {
    fail(key, std::string("expected a number, got ") + json_type_name(*v));
    return std::nullopt;
  }
  return v->get<double>();
}

double ObjectReader::required_number(const char* key) {
  if (!find(key, true)) return 0;
  return optional_number(key).value_or(0);
}

Timestamp ObjectReader::required_time(const char* key) {
  const std::string text = required_string(key);
  if (error_) return {};
  auto parsed = parse_iso8601(text);
  if (!parsed) {
    fail(key, parsed.error().message);
    return {};
  }
  return *parsed;
}

const Json* ObjectReader::optional_container(const char* key, bool want_object) {
  const Json* v = find(key, false);
  if (v && (want_object ? !v->is_object() : !v->is_array())) {
    fail(key, std::string(want_object ? "expected an object, got " : "expected an array, got ") +
                  json_type_name(*v));
    return nullptr;
  }
  return v;
}

std::optional<int64_t> json_int(const Json& object, const char* key) {
  if (!object.is_object()) return std::nullopt;
  auto it = object.find(key);
  if (it == object.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<int64_t>();
}

const std::string* json_string(const Json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? &it->get_ref<const std::string&>() : nullptr;
}

const Json* json_object(const Json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it != object.end() && it->is_object() ? &*it : nullptr;
}

const Json* json_array(const Json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it != object.end() && it->is_array() ? &*it : nullptr;
}

std::string json_text(const Json& object, const char* key) {
  const std::string* text = json_string(object, key);
  return text ? *text : std::string();
}

}  // namespace imchat::protocol
