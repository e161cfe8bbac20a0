// Byte encoding of what processes exchange (private to the library): little-endian,
// length-prefixed fields; both ends run the same build. A Reader that runs out of bytes or meets
// an impossible length stops and reports !ok(), never reading past its input.
#ifndef NEARDUP_SRC_DIST_WIRE_H_
#define NEARDUP_SRC_DIST_WIRE_H_

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace neardup::dist {

class Writer {
 public:
  void I64(int64_t v) { Raw(&v, sizeof v); }
  void F64(double v) { Raw(&v, sizeof v); }
  void Str(const std::string& s) {
    I64(int64_t(s.size()));
    Raw(s.data(), s.size());
  }
  template <typename T>
  void Vec(const std::vector<T>& v) {
    I64(int64_t(v.size()));
    Raw(v.data(), v.size() * sizeof(T));
  }
  std::string Take() { return std::move(out_); }

 private:
  void Raw(const void* p, size_t n) { out_.append(static_cast<const char*>(p), n); }
  std::string out_;
};

class Reader {
 public:
  explicit Reader(const std::string& in) : in_(in) {}
  int64_t I64() {
    int64_t v = 0;
    Raw(&v, sizeof v);
    return v;
  }
  double F64() {
    double v = 0;
    Raw(&v, sizeof v);
    return v;
  }
  std::string Str() {
    int64_t n = Count(1);
    std::string s(static_cast<size_t>(n), '\0');
    Raw(s.data(), size_t(n));
    return s;
  }
  template <typename T>
  std::vector<T> Vec() {
    int64_t n = Count(sizeof(T));
    std::vector<T> v(static_cast<size_t>(n));
    Raw(v.data(), size_t(n) * sizeof(T));
    return v;
  }
  bool ok() const { return ok_; }
  bool done() const { return at_ == in_.size(); }

 private:
  int64_t Count(size_t unit) {
    int64_t n = I64();
    if (n < 0 || size_t(n) > (in_.size() - at_) / unit) {
      ok_ = false;
      return 0;
    }
    return n;
  }
  void Raw(void* p, size_t n) {
    if (!ok_ || in_.size() - at_ < n) {
      ok_ = false;
      return;
    }
    std::memcpy(p, in_.data() + at_, n);
    at_ += n;
  }
  const std::string& in_;
  size_t at_ = 0;
  bool ok_ = true;
};

}  // namespace neardup::dist

#endif  // NEARDUP_SRC_DIST_WIRE_H_
