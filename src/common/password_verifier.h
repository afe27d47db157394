// Password verifiers, as accounts store them (never the password itself), and the digests
// they are made of. The MySQL protocol layer checks logins against them
// (server/mysql/auth.h); the SQL layer makes them for CREATE USER / ALTER USER.
//
//   mysql_native_password  "*" + HEX(SHA1(SHA1(pw)))        (41 characters, upper hex)
//   caching_sha2_password  hex(SHA256(SHA256(pw)))          (64 characters, lower hex)
#pragma once

#include <string>
#include <string_view>

namespace strata {

std::string Sha1(std::string_view data);
std::string Sha256(std::string_view data);
std::string HexEncodeUpper(std::string_view bytes);

std::string NativeVerifier(std::string_view password);
std::string CachingSha2Verifier(std::string_view password);

}  // namespace strata
