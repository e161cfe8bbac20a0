// QueryImages (src/pipeline/query_images.cc): query images described in up to eight
// orientations, each indexed image ranked by its best view.
#include <gtest/gtest.h>

#include <filesystem>

#include "neardup/decode.h"
#include "neardup/image_index.h"
#include "neardup/preprocess.h"
#include "index_fixture.h"
#include "testutil/testutil.h"

namespace neardup {
namespace {

namespace fs = std::filesystem;

using namespace index_testing;
using QueryImagesTest = IndexPhotosTest;

TEST_F(QueryImagesTest, QueryImagesFindsTurnedAndMirroredCopiesInAnyOrientation) {
  auto index = ImageIndex::Create(IndexDir(), "phash");  // one code, no dihedral variants
  ASSERT_TRUE(index.ok()) << index.status().ToString();
  ASSERT_TRUE((*index)->Add(Inputs({photos_.path()})).ok());
  StatusOr<Image> p3 = DecodeFile(photos_.Join("p3.png"), DecodeOptions{});
  ASSERT_TRUE(p3.ok());
  std::vector<Image> edited;
  for (int k = 1; k < 4; ++k) edited.push_back(Rotate90(*p3, k));
  for (int k = 0; k < 4; ++k) edited.push_back(FlipHorizontal(Rotate90(*p3, k)));
  std::vector<const Image*> queries;
  for (const Image& e : edited) queries.push_back(&e);
  QueryOptions plain;
  plain.k = 3;
  QueryOptions turned = plain;
  turned.orientations = true;
  auto before = QueryImages(**index, queries, plain);
  auto after = QueryImages(**index, queries, turned);
  ASSERT_TRUE(before.ok() && after.ok()) << after.status().ToString();
  const double threshold = (*index)->method().default_threshold();
  for (size_t q = 0; q < queries.size(); ++q) {
    const std::vector<IndexHit>& hits = (*after)[q];
    ASSERT_EQ(hits.size(), 3u) << q;
    // One of the eight orientations is the photo itself: the same pixels, distance 0.
    EXPECT_EQ(fs::path(hits[0].path).filename(), "p3.png") << q;
    EXPECT_EQ(hits[0].distance, 0) << q;
    // The view that found it undoes the edit: a quarter turn by k is undone by 4 - k; a mirror of
    // the photo turned by k by mirroring the query after turning it by k.
    const int k = q < 3 ? int(q) + 1 : int(q) - 3;
    EXPECT_EQ(hits[0].view.mirrored, q >= 3) << q;
    EXPECT_EQ(hits[0].view.quarter_turns, q < 3 ? 4 - k : k) << q;
    EXPECT_EQ(hits[0].view.width, 0) << q;
    EXPECT_LE(hits[0].distance, (*before)[q][0].distance);
    EXPECT_NE(hits[1].id, hits[0].id);  // each indexed image once
    EXPECT_NE(hits[2].id, hits[1].id);
    EXPECT_NE(hits[2].id, hits[0].id);
  }
  // A margin no turned view can overcome: the upright hits, as they were.
  QueryOptions upright_first = turned;
  upright_first.turned_score_margin = 1;
  auto kept = QueryImages(**index, queries, upright_first);
  ASSERT_TRUE(kept.ok());
  for (size_t q = 0; q < queries.size(); ++q) {
    for (size_t j = 0; j < 3; ++j) EXPECT_EQ((*kept)[q][j].id, (*before)[q][j].id) << q << j;
  }
  // Upright only, phash does not see through a quarter turn.
  EXPECT_GT((*before)[0][0].distance, threshold);
  // Without orientations QueryImages is Query on the method's descriptors.
  auto direct = (*index)->Query({*(*index)->method().Compute(edited[0])}, 3);
  ASSERT_TRUE(direct.ok());
  ASSERT_EQ((*direct)[0].size(), (*before)[0].size());
  for (size_t j = 0; j < (*direct)[0].size(); ++j) {
    EXPECT_EQ((*direct)[0][j].id, (*before)[0][j].id);
  }
  QueryOptions none;
  none.k = 0;
  EXPECT_EQ(QueryImages(**index, queries, none).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(QueryImagesTest, QueryImagesAsksAPdq8IndexOnceForItsOwnVariants) {
  auto index = ImageIndex::Create(IndexDir(), "pdq8");
  ASSERT_TRUE(index.ok());
  ASSERT_TRUE((*index)->Add(Inputs({photos_.path()})).ok());
  StatusOr<Image> p1 = DecodeFile(photos_.Join("p1.png"), DecodeOptions{});
  ASSERT_TRUE(p1.ok());
  const Image turned = Rotate90(*p1, 1);
  QueryOptions o;
  o.k = 2;
  o.orientations = true;
  auto hits = QueryImages(**index, {&turned}, o);
  auto direct = (*index)->Query({*(*index)->method().Compute(turned)}, 2);
  ASSERT_TRUE(hits.ok() && direct.ok());
  ASSERT_EQ((*hits)[0].size(), 2u);
  EXPECT_EQ(fs::path((*hits)[0][0].path).filename(), "p1.png");
  for (size_t j = 0; j < 2; ++j) {
    EXPECT_EQ((*hits)[0][j].id, (*direct)[0][j].id);
    EXPECT_EQ((*hits)[0][j].distance, (*direct)[0][j].distance);
  }
}

TEST_F(QueryImagesTest, DescribedViewsAnswerAsQueryImagesDoes) {
  auto index = ImageIndex::Create(IndexDir(), "phash");
  ASSERT_TRUE(index.ok());
  ASSERT_TRUE((*index)->Add(Inputs({photos_.path()})).ok());
  const Method& m = (*index)->method();
  // Queries: p2 and p4 turned sideways, as files.
  std::vector<std::string> paths;
  std::vector<Image> decoded;
  DecodeOptions decode;
  decode.min_side = m.min_decode_side();
  for (int i : {2, 4}) {
    StatusOr<Image> p = DecodeFile(photos_.Join("p" + std::to_string(i) + ".png"), decode);
    ASSERT_TRUE(p.ok());
    paths.push_back(scratch_.Join("q" + std::to_string(i) + ".png"));
    ASSERT_TRUE(WriteImage(paths.back(), Rotate90(*p, 3)).ok());
    StatusOr<Image> q = DecodeFile(paths.back(), decode);
    ASSERT_TRUE(q.ok());
    decoded.push_back(std::move(q).value());
  }
  std::vector<const Image*> images = {&decoded[0], &decoded[1]};
  QueryOptions o;
  o.k = 3;
  o.orientations = true;
  o.threads = 2;
  auto from_files = DescribeOtherViewsOfFiles(m, paths, o);
  o.threads = 1;
  auto from_images = DescribeOtherViews(m, images, o);
  ASSERT_TRUE(from_files.ok() && from_images.ok()) << from_files.status().ToString();
  ASSERT_EQ(from_files->size(), 2u);
  std::vector<QueryDescriptors> queries(2);
  for (size_t i = 0; i < 2; ++i) {
    ASSERT_EQ((*from_files)[i].turned.size(), 7u);
    EXPECT_TRUE((*from_files)[i].regions.empty());  // not asked for
    EXPECT_TRUE((*from_files)[i].upright.bits.empty());
    for (size_t j = 0; j < 7; ++j) {
      EXPECT_EQ((*from_files)[i].turned[j].bits, (*from_images)[i].turned[j].bits);
    }
    queries[i] = (*from_files)[i];
    queries[i].upright = *m.Compute(decoded[i]);
  }
  auto described = QueryDescribed(**index, queries, o);
  auto direct = QueryImages(**index, images, o);
  ASSERT_TRUE(described.ok() && direct.ok());
  for (size_t i = 0; i < 2; ++i) {
    ASSERT_EQ((*described)[i].size(), 3u);
    EXPECT_EQ(fs::path((*described)[i][0].path).filename(), i == 0 ? "p2.png" : "p4.png");
    for (size_t j = 0; j < 3; ++j) {
      EXPECT_EQ((*described)[i][j].id, (*direct)[i][j].id);
      EXPECT_EQ((*described)[i][j].distance, (*direct)[i][j].distance);
    }
  }
  // No turned views: Query's hits.
  queries[0].turned.clear();
  auto upright = QueryDescribed(**index, {queries[0]}, o);
  auto query = (*index)->Query({queries[0].upright}, 3);
  ASSERT_TRUE(upright.ok() && query.ok());
  for (size_t j = 0; j < 3; ++j) EXPECT_EQ((*upright)[0][j].id, (*query)[0][j].id);
  // A file that cannot be read is named; pdq8 holds its orientations and needs no views.
  auto missing = DescribeOtherViewsOfFiles(m, {paths[0], scratch_.Join("gone.png")}, o);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("gone.png"), std::string::npos);
  auto pdq8 = MakeMethod("pdq8");
  ASSERT_TRUE(pdq8.ok());
  EXPECT_TRUE(HoldsOrientations(**pdq8));
  EXPECT_FALSE(HoldsOrientations(m));
  auto none = DescribeOtherViewsOfFiles(**pdq8, paths, o);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE((*none)[0].turned.empty() && (*none)[1].turned.empty());
}

TEST_F(QueryImagesTest, RegionsFindAPhotoPastedIntoAScreenshot) {
  auto index = ImageIndex::Create(IndexDir(), "phash");
  ASSERT_TRUE(index.ok());
  ASSERT_TRUE((*index)->Add(Inputs({photos_.path()})).ok());
  StatusOr<Image> p4 = DecodeFile(photos_.Join("p4.png"), DecodeOptions{});
  ASSERT_TRUE(p4.ok());
  // p4 as a small part of a flat, light screenshot with a title bar.
  Image shot(960, 720, 3);
  for (int y = 0; y < shot.height; ++y) {
    for (int x = 0; x < shot.width; ++x) {
      for (int c = 0; c < 3; ++c) shot.at(y, x, c) = y < 60 ? uint8_t(60 + 60 * c) : 240;
    }
  }
  for (int y = 0; y < p4->height; ++y) {
    for (int x = 0; x < p4->width; ++x) {
      for (int c = 0; c < 3; ++c) shot.at(300 + y, 500 + x, c) = p4->at(y, x, c);
    }
  }
  QueryOptions plain;
  plain.k = 2;
  QueryOptions regions = plain;
  regions.regions = true;
  auto before = QueryImages(**index, {&shot}, plain);
  auto after = QueryImages(**index, {&shot}, regions);
  ASSERT_TRUE(before.ok() && after.ok()) << after.status().ToString();
  // phash bits of 64: the whole screenshot is far from p4, the picture found in it is p4.
  EXPECT_GT((*before)[0][0].distance, 16);
  ASSERT_EQ((*after)[0].size(), 2u);
  EXPECT_EQ(fs::path((*after)[0][0].path).filename(), "p4.png");
  EXPECT_LE((*after)[0][0].distance, 8);
  const QueryView& v = (*after)[0][0].view;  // the pasted window, in fractions of the page
  EXPECT_NEAR(v.x, 500.0 / 960, 0.01);
  EXPECT_NEAR(v.y, 300.0 / 720, 0.01);
  EXPECT_NEAR(v.width, 320.0 / 960, 0.01);
  EXPECT_NEAR(v.height, 240.0 / 720, 0.01);
  EXPECT_TRUE((*before)[0][0].view.upright());
  EXPECT_NE((*after)[0][1].id, (*after)[0][0].id);
  // The region views are what DescribeOtherViews gives; a photo filling its frame has none.
  auto views = DescribeOtherViews((*index)->method(), {&shot, &*p4}, regions);
  ASSERT_TRUE(views.ok());
  EXPECT_EQ((*views)[0].regions.size(), 1u);
  EXPECT_TRUE((*views)[0].turned.empty());
  EXPECT_TRUE((*views)[1].regions.empty());
}

}  // namespace
}  // namespace neardup
