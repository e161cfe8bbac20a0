// Text for a terminal: paths and messages on one line, with bytes a terminal could act on (and
// bytes that are not UTF-8, include/neardup/text.h) escaped as \xNN.
#ifndef NEARDUP_TOOLS_DISPLAY_H_
#define NEARDUP_TOOLS_DISPLAY_H_

#include <cstddef>
#include <string>

namespace neardup::cli {

// A path for a terminal, one line and unambiguous (as `ls -b`): invalid UTF-8 bytes and control
// characters (C0, DEL, C1) become \xNN and a backslash becomes \\, so a name holding a newline
// and one holding the four characters \x0A print differently.
std::string DisplayPath(const std::string& path);

// A message for a terminal, on one line: invalid UTF-8 bytes and control characters become \xNN;
// backslashes are kept, since library messages quote inputs already escaped (eval's Excerpt).
std::string DisplayText(const std::string& message);

// DisplayPath of at most the first `max_bytes` bytes of `s` (cut at a character boundary),
// followed by "..." when it was cut: for echoing what a user typed or a file held.
std::string DisplayExcerpt(const std::string& s, size_t max_bytes = 60);

}  // namespace neardup::cli

#endif  // NEARDUP_TOOLS_DISPLAY_H_
