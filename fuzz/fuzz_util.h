// Helpers shared by the fuzz targets (not part of the library).
#ifndef NEARDUP_FUZZ_FUZZ_UTIL_H_
#define NEARDUP_FUZZ_FUZZ_UTIL_H_

#include <cstdio>
#include <cstdlib>
#include <string>

#include "neardup/status.h"

namespace neardup::fuzz {

// A fresh folder under $TMPDIR (default /tmp) for this process, never removed while it runs.
inline std::string MakeTempDir(const char* tag) {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl =
      std::string(base && *base ? base : "/tmp") + "/neardup-fuzz-" + tag + "-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) {
    std::perror("mkdtemp");
    std::abort();
  }
  return tmpl;
}

// Setup failures are harness bugs, not findings: say so and stop.
inline void CheckSetup(const Status& s, const char* what) {
  if (!s.ok()) {
    std::fprintf(stderr, "fuzz setup failed (%s): %s\n", what, s.message().c_str());
    std::abort();
  }
}

// Invariants of the code under test: a violation is a finding (abort, so libFuzzer saves it).
#define FUZZ_CHECK(cond)                                                                 \
  do {                                                                                   \
    if (!(cond)) {                                                                       \
      std::fprintf(stderr, "%s:%d: FUZZ_CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                      \
    }                                                                                    \
  } while (0)

}  // namespace neardup::fuzz

#endif  // NEARDUP_FUZZ_FUZZ_UTIL_H_
