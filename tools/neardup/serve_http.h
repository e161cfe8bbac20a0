// Small helpers of the server's handlers: JSON replies and errors, query parameters, the HTTP
// status of a library Status.
#ifndef NEARDUP_TOOLS_SERVE_HTTP_H_
#define NEARDUP_TOOLS_SERVE_HTTP_H_

#include <httplib.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "neardup/status.h"

namespace neardup::cli {

// Sets the status and a JSON body (invalid UTF-8 in strings replaced).
void JsonReply(httplib::Response& res, int status, const nlohmann::ordered_json& body);
// {"error": message, "status": status}.
void JsonError(httplib::Response& res, int status, const std::string& message);
// InvalidArgument/Corruption -> 400 (422 when `unprocessable`), NotFound -> 404,
// ResourceExhausted -> 413, Unimplemented -> 415, IOError and the rest -> 500.
int StatusHttpCode(const Status& s, bool unprocessable = false);
// The query parameter `key` as a whole number in [lo, hi]; `fallback` when absent; -1 when it is
// given but not such a number.
int64_t QueryInt(const httplib::Request& req, const char* key, int64_t fallback, int64_t lo,
                 int64_t hi);

}  // namespace neardup::cli

#endif  // NEARDUP_TOOLS_SERVE_HTTP_H_
