// The descriptor row: how one image's facts and descriptor are stored in SQLite, the one layout
// of both stores that hold descriptors, the descriptor cache (sqlite_cache.cc, table
// `descriptors`) and the index catalog (sqlite_catalog.cc, table `items`). Each table adds its
// own key columns (path, stamp, ...) around these; this file owns the descriptor columns' names,
// types, encoding and validation, so a row means the same in both.
//
// Columns, in table order (the on-disk format of cache schema 4 and catalog schema 1):
//   width INTEGER NOT NULL, height INTEGER NOT NULL   upright image size in pixels
//   format TEXT NOT NULL                              ImageInfo::format ("jpeg", ...)
//   quality INTEGER NOT NULL                          Descriptor::quality, 0-100
//   bits BLOB                                         hash words, uint64 in host order
//   vals BLOB                                         float components as IEEE binary16 (half.h)
//   local BLOB                                        serialized local features (cache only)
// An empty part is stored as NULL. Private to the library.
#ifndef NEARDUP_SRC_STORE_DESCRIPTOR_ROW_H_
#define NEARDUP_SRC_STORE_DESCRIPTOR_ROW_H_

#include <cstdint>
#include <string>
#include <vector>

#include "neardup/descriptor.h"
#include "neardup/status.h"

struct sqlite3_stmt;

namespace neardup::store {

// What a table's descriptor rows may hold besides the columns every one has.
struct DescriptorRowKind {
  // The table has the `local` column (Descriptor::local). Without it local features are not
  // stored: the catalog indexes no method that has them (an index of a fused method is refused
  // when it is created).
  bool local = false;
  // A row may describe no image: width = height = 0 and format "" (the catalog's imported
  // hashes). Otherwise both sides are at least 1 and the format is a decoder's name.
  bool imageless = false;
};
inline constexpr DescriptorRowKind kCacheRow{.local = true, .imageless = false};
inline constexpr DescriptorRowKind kCatalogRow{.local = false, .imageless = true};

// Larger sides or pixel counts are damage, whatever pixel limit a run has.
inline constexpr int64_t kMaxStoredSide = (int64_t{1} << 31) - 1;
inline constexpr int64_t kMaxStoredPixels = int64_t{1} << 40;

// A descriptor row read back.
struct DescriptorRow {
  int width = 0;
  int height = 0;
  std::string format;
  Descriptor descriptor;
};

// The number of descriptor columns of `kind` (6, or 7 with `local`).
int DescriptorColumnCount(DescriptorRowKind kind);
// "width,height,format,quality,bits,vals[,local]": for SELECT and INSERT column lists.
std::string DescriptorColumnList(DescriptorRowKind kind);
// The same names one by one (to check that an opened table has them).
std::vector<std::string> DescriptorColumnNames(DescriptorRowKind kind);
// "width INTEGER NOT NULL, ..., vals BLOB[, local BLOB]": the columns' definitions inside a
// CREATE TABLE.
std::string DescriptorColumnDefinitions(DescriptorRowKind kind);

// Binds a row to the statement's parameters first_param .. first_param + count - 1 (1-based, in
// DescriptorColumnList order). Only the float16 copy of the values is copied by SQLite: `format`
// and `d` must stay alive and unchanged until the statement has been stepped.
void BindDescriptorRow(sqlite3_stmt* st, int first_param, DescriptorRowKind kind, int width,
                       int height, const std::string& format, const Descriptor& d);

// Reads the current result row's columns first_column .. first_column + count - 1 (0-based, in
// DescriptorColumnList order) into `out`, checking every column before it is trusted: Corruption
// naming the first column that is NULL where a value is required, of the wrong type, of a wrong
// blob size or out of range, e.g. "bits blob of 5 bytes", "width -5 out of range", "unknown
// format of 3 bytes", "values hold a NaN or infinite component", "empty descriptor". A stored
// format is checked with IsDecodedFormatName (it is printed in tables and CSV). Whether the
// descriptor fits a method is the caller's check (Method::CheckDescriptor).
Status ReadDescriptorRow(sqlite3_stmt* st, int first_column, DescriptorRowKind kind,
                         DescriptorRow* out);

}  // namespace neardup::store

#endif  // NEARDUP_SRC_STORE_DESCRIPTOR_ROW_H_
