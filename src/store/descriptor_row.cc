#include "store/descriptor_row.h"

#include <sqlite3.h>

#include <cmath>
#include <cstring>
#include <iterator>
#include <string_view>

#include "neardup/decode.h"
#include "store/half.h"

namespace neardup::store {
namespace {

// Offsets of the columns from the first one, in table order.
enum Column { kWidth, kHeight, kFormat, kQuality, kBits, kVals, kLocal };

struct ColumnDef {
  const char* name;
  const char* type;  // its declaration after the name
};
constexpr ColumnDef kColumns[] = {
    {"width", "INTEGER NOT NULL"},
    {"height", "INTEGER NOT NULL"},
    {"format", "TEXT NOT NULL"},
    {"quality", "INTEGER NOT NULL"},
    {"bits", "BLOB"},
    {"vals", "BLOB"},
    {"local", "BLOB"},
};
static_assert(std::size(kColumns) == kLocal + 1);

// Checks one result row's columns, `first` being the row's width column.
class ColumnReader {
 public:
  ColumnReader(sqlite3_stmt* st, int first) : st_(st), first_(first) {}

  int type(Column c) const { return sqlite3_column_type(st_, first_ + c); }

  Status Integer(Column c, int64_t lo, int64_t hi, int64_t* out) const {
    if (type(c) != SQLITE_INTEGER) {
      return CorruptionError(std::string(kColumns[c].name) + " is not a number");
    }
    *out = sqlite3_column_int64(st_, first_ + c);
    if (*out < lo || *out > hi) {
      return CorruptionError(std::string(kColumns[c].name) + " " + std::to_string(*out) +
                             " out of range");
    }
    return Status::Ok();
  }

  // A BLOB of whole `unit`s, or NULL (an empty part).
  StatusOr<std::string_view> Blob(Column c, const char* what, size_t unit) const {
    if (type(c) == SQLITE_NULL) return std::string_view();
    if (type(c) != SQLITE_BLOB) return CorruptionError(std::string(what) + " is not a blob");
    const size_t n = size_t(sqlite3_column_bytes(st_, first_ + c));
    if (n % unit != 0) {
      return CorruptionError(std::string(what) + " blob of " + std::to_string(n) + " bytes");
    }
    return std::string_view(static_cast<const char*>(sqlite3_column_blob(st_, first_ + c)), n);
  }

  StatusOr<std::string_view> Text(Column c) const {
    if (type(c) != SQLITE_TEXT) {
      return CorruptionError(std::string(kColumns[c].name) + " is not text");
    }
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st_, first_ + c));
    return std::string_view(p, size_t(sqlite3_column_bytes(st_, first_ + c)));
  }

 private:
  sqlite3_stmt* st_;
  int first_;
};

}  // namespace

int DescriptorColumnCount(DescriptorRowKind kind) { return kind.local ? kLocal + 1 : kLocal; }

std::vector<std::string> DescriptorColumnNames(DescriptorRowKind kind) {
  std::vector<std::string> names;
  for (int c = 0; c < DescriptorColumnCount(kind); ++c) names.push_back(kColumns[c].name);
  return names;
}

std::string DescriptorColumnList(DescriptorRowKind kind) {
  std::string list;
  for (int c = 0; c < DescriptorColumnCount(kind); ++c) {
    list += (c ? "," : "") + std::string(kColumns[c].name);
  }
  return list;
}

std::string DescriptorColumnDefinitions(DescriptorRowKind kind) {
  std::string sql;
  for (int c = 0; c < DescriptorColumnCount(kind); ++c) {
    sql += (c ? ",\n  " : "") + std::string(kColumns[c].name) + " " + kColumns[c].type;
  }
  return sql;
}

void BindDescriptorRow(sqlite3_stmt* st, int first_param, DescriptorRowKind kind, int width,
                       int height, const std::string& format, const Descriptor& d) {
  const std::vector<Half> half = ToHalf(d.values);
  // An empty vector's data() may be null: it binds as NULL, which reads back as empty.
  sqlite3_bind_int(st, first_param + kWidth, width);
  sqlite3_bind_int(st, first_param + kHeight, height);
  sqlite3_bind_text(st, first_param + kFormat, format.c_str(), int(format.size()), SQLITE_STATIC);
  sqlite3_bind_int(st, first_param + kQuality, d.quality);
  sqlite3_bind_blob(st, first_param + kBits, d.bits.data(), int(d.bits.size() * sizeof(uint64_t)),
                    SQLITE_STATIC);
  sqlite3_bind_blob(st, first_param + kVals, half.data(), int(half.size() * sizeof(Half)),
                    SQLITE_TRANSIENT);
  if (kind.local) {
    sqlite3_bind_blob(st, first_param + kLocal, d.local.data(), int(d.local.size()), SQLITE_STATIC);
  }
}

Status ReadDescriptorRow(sqlite3_stmt* st, int first_column, DescriptorRowKind kind,
                         DescriptorRow* out) {
  const ColumnReader col(st, first_column);
  int64_t width = 0, height = 0, quality = 0;
  const int64_t min_side = kind.imageless ? 0 : 1;
  RETURN_IF_ERROR(col.Integer(kWidth, min_side, kMaxStoredSide, &width));
  RETURN_IF_ERROR(col.Integer(kHeight, min_side, kMaxStoredSide, &height));
  if ((width == 0) != (height == 0) || width * height > kMaxStoredPixels) {
    return CorruptionError("size " + std::to_string(width) + "x" + std::to_string(height));
  }
  RETURN_IF_ERROR(col.Integer(kQuality, 0, 100, &quality));
  ASSIGN_OR_RETURN(std::string_view format, col.Text(kFormat));
  // A stored name is printed (tables, CSV), so it is not printed here: a hostile one would reach
  // terminals.
  const std::string bytes = std::to_string(format.size()) + " bytes";
  if (width == 0 && !format.empty()) {
    return CorruptionError("format of " + bytes + " on a row without an image");
  }
  if (width != 0 && !IsDecodedFormatName(format)) {
    return CorruptionError("unknown format of " + bytes);
  }
  ASSIGN_OR_RETURN(std::string_view bits, col.Blob(kBits, "bits", sizeof(uint64_t)));
  ASSIGN_OR_RETURN(std::string_view vals, col.Blob(kVals, "values", sizeof(Half)));
  std::string_view local;
  if (kind.local) {
    ASSIGN_OR_RETURN(local, col.Blob(kLocal, "local features", 1));
  }
  std::vector<float> values = FromHalfBytes(vals.data(), vals.size());
  for (float x : values) {
    if (!std::isfinite(x)) return CorruptionError("values hold a NaN or infinite component");
  }
  if (bits.empty() && values.empty() && local.empty()) {
    return CorruptionError("empty descriptor (no hash, values or local features)");
  }
  out->width = int(width);
  out->height = int(height);
  out->format = std::string(format);
  out->descriptor.quality = int(quality);
  out->descriptor.bits.resize(bits.size() / sizeof(uint64_t));
  if (!bits.empty()) std::memcpy(out->descriptor.bits.data(), bits.data(), bits.size());
  out->descriptor.values = std::move(values);
  out->descriptor.local.assign(local.begin(), local.end());
  return Status::Ok();
}

}  // namespace neardup::store
