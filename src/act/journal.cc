// The append-only journal (journal.h).
#include "act/journal.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "act/fs_ops.h"
#include "act/json_path.h"

namespace neardup::act {
namespace {

StatusOr<int> LockDir(const std::string& dir) {
  const std::string lock = dir + "/lock";
  const int fd = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return ErrnoStatus(lock, "cannot open the journal lock", errno);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int e = errno;
    ::close(fd);
    if (e == EWOULDBLOCK) {
      return ResourceExhaustedError(dir +
                                    ": another neardup act or undo is using this journal folder");
    }
    return ErrnoStatus(lock, "cannot lock", e);
  }
  return fd;
}

nlohmann::json ToJson(const JournalEntry& e) {
  nlohmann::json j;
  j["type"] = e.type;
  if (e.type == "start") {
    j["version"] = 1;
    j["kind"] = e.kind;
    j["started"] = e.started;
  } else if (e.type == "intent") {
    j["id"] = e.id;
    j["op"] = e.op;
    SetJsonPath(j, "path", e.path);
    SetJsonPath(j, "keep", e.keep);
    if (!e.dest.empty()) SetJsonPath(j, "dest", e.dest);
    if (!e.info.empty()) SetJsonPath(j, "info", e.info);
    if (e.keep_ino != 0) {
      j["keep_dev"] = e.keep_dev;
      j["keep_ino"] = e.keep_ino;
    }
  } else if (e.type == "end") {
    j["done"] = e.done;
    j["skipped"] = e.skipped;
    j["failed"] = e.failed;
  } else if (e.type != "undo_end") {
    j["id"] = e.id;
  }
  return j;
}

StatusOr<JournalEntry> FromJson(const nlohmann::json& j) {
  JournalEntry e;
  e.type = j.at("type").get<std::string>();
  e.id = j.value("id", int64_t(0));
  e.kind = j.value("kind", "");
  e.started = j.value("started", "");
  e.op = j.value("op", "");
  if (e.type == "intent") {
    ASSIGN_OR_RETURN(e.path, GetJsonPath(j, "path"));
    ASSIGN_OR_RETURN(e.keep, GetJsonPath(j, "keep"));
    if (j.contains("dest")) {
      ASSIGN_OR_RETURN(e.dest, GetJsonPath(j, "dest"));
    }
    if (j.contains("info")) {
      ASSIGN_OR_RETURN(e.info, GetJsonPath(j, "info"));
    }
  }
  e.keep_dev = j.value("keep_dev", int64_t(0));
  e.keep_ino = j.value("keep_ino", int64_t(0));
  e.done = j.value("done", int64_t(0));
  e.skipped = j.value("skipped", int64_t(0));
  e.failed = j.value("failed", int64_t(0));
  return e;
}

// "20240131T120102.123456789-4242.jsonl": sorts by start time.
std::string JournalName() {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  const int64_t ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now).count();
  const std::time_t sec = std::time_t(ns / 1000000000);
  std::tm tm{};
  localtime_r(&sec, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%S", &tm);
  char tail[48];
  std::snprintf(tail, sizeof tail, ".%09lld-%d.jsonl", static_cast<long long>(ns % 1000000000),
                int(::getpid()));
  return std::string(buf) + tail;
}

}  // namespace

StatusOr<std::unique_ptr<JournalWriter>> JournalWriter::Create(const std::string& dir,
                                                               const JournalEntry& start) {
  RETURN_IF_ERROR(MakeDirs(dir, 0700));
  ASSIGN_OR_RETURN(const int lock_fd, LockDir(dir));
  const std::string path = dir + "/" + JournalName();
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) {
    const int e = errno;
    ::close(lock_fd);
    return ErrnoStatus(path, "cannot create the journal", e);
  }
  std::unique_ptr<JournalWriter> w(new JournalWriter(path, fd, lock_fd));
  RETURN_IF_ERROR(w->Append(start));
  RETURN_IF_ERROR(FsyncDir(dir));
  return w;
}

StatusOr<std::unique_ptr<JournalWriter>> JournalWriter::Open(const std::string& path) {
  ASSIGN_OR_RETURN(const int lock_fd, LockDir(DirName(path)));
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd < 0) {
    const int e = errno;
    ::close(lock_fd);
    return ErrnoStatus(path, "cannot open the journal", e);
  }
  return std::unique_ptr<JournalWriter>(new JournalWriter(path, fd, lock_fd));
}

JournalWriter::~JournalWriter() {
  if (fd_ >= 0) ::close(fd_);
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

Status JournalWriter::Append(const JournalEntry& e) {
  // One write(2) per line: a kill leaves whole lines, or a cut last line ReadJournal drops.
  const std::string line = ToJson(e).dump() + "\n";
  size_t off = 0;
  while (off < line.size()) {
    const ssize_t w = ::write(fd_, line.data() + off, line.size() - off);
    if (w < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(path_, "cannot write the journal", errno);
    }
    off += size_t(w);
  }
  if (::fdatasync(fd_) != 0) return ErrnoStatus(path_, "cannot fsync the journal", errno);
  return Status::Ok();
}

StatusOr<std::vector<JournalEntry>> ReadJournal(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return ErrnoStatus(path, "cannot read the journal", errno ? errno : ENOENT);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  std::vector<JournalEntry> out;
  size_t pos = 0;
  int line_no = 0;
  while (pos < text.size()) {
    const size_t nl = text.find('\n', pos);
    ++line_no;
    if (nl == std::string::npos) break;  // cut short by a kill: never acted on
    nlohmann::json j = nlohmann::json::parse(text.substr(pos, nl - pos), nullptr, false);
    pos = nl + 1;
    StatusOr<JournalEntry> e = CorruptionError("");
    if (!j.is_discarded() && j.is_object()) {
      try {
        e = FromJson(j);
      } catch (const nlohmann::json::exception& ex) {
        e = CorruptionError(ex.what());
      }
    }
    if (!e.ok()) {
      return CorruptionError(path + ": line " + std::to_string(line_no) +
                             " is not a journal record" +
                             (e.status().message().empty() ? "" : ": " + e.status().message()));
    }
    out.push_back(std::move(*e));
  }
  if (out.empty() || out[0].type != "start") {
    return CorruptionError(path + ": not a neardup journal (no start record)");
  }
  return out;
}

StatusOr<std::vector<std::string>> JournalFiles(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = ::opendir(dir.c_str());
  if (!d) {
    if (errno == ENOENT) return names;
    return ErrnoStatus(dir, "cannot list the journal folder", errno);
  }
  while (const dirent* e = ::readdir(d)) {
    const std::string n = e->d_name;
    if (n.size() > 6 && n.compare(n.size() - 6, 6, ".jsonl") == 0) names.push_back(dir + "/" + n);
  }
  ::closedir(d);
  std::sort(names.rbegin(), names.rend());
  return names;
}

}  // namespace neardup::act
