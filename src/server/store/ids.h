// Unguessable identifiers: a type prefix and 20 characters of base32 from OpenSSL's CSPRNG
// (100 bits), e.g. "c_k3x9…". Ids appear in URLs and channels, so they must not be
// enumerable.
#pragma once

#include <string>
#include <string_view>

namespace imchat::server {

std::string new_id(std::string_view prefix);

// Random bytes, hex-encoded (secrets, salts).
std::string random_hex(size_t bytes);

}  // namespace imchat::server
