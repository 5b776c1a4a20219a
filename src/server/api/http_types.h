// Beast message types the server's routes produce and its sessions write.
#pragma once

#include <variant>

#include <boost/beast/http.hpp>

namespace imchat::server {

namespace http = boost::beast::http;

using Request = http::request<http::string_body>;
using StringResponse = http::response<http::string_body>;
using FileResponse = http::response<http::file_body>;
using EmptyResponse = http::response<http::empty_body>;  // HEAD, 304, 204
using Response = std::variant<StringResponse, FileResponse, EmptyResponse>;

}  // namespace imchat::server
