// `neardup serve` as a client sees it: a real server process on a loopback port.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <filesystem>
#include <fstream>

#include "neardup/decode.h"
#include "neardup/preprocess.h"
#include "serve_process.h"
#include "testutil/run_cli.h"
#include "testutil/testutil.h"

namespace neardup::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr char kToken[] = "test-token-0123456789abcdef";

// A folder with one near-duplicate pair (a photo and its half-size copy) and an unrelated photo,
// a token file, and scratch folders for the trash, journals and thumbnails.
struct Fixture {
  TempDir dir;
  std::string root, original, copy, other, token_file;
  Fixture() {
    root = dir.Join("photos");
    fs::create_directories(root);
    const Image a = MakeBusyPhoto(320, 240, 7);
    original = root + "/beach.jpg";
    copy = root + "/beach_small.jpg";
    other = root + "/forest.jpg";
    EXPECT_TRUE(WriteImage(original, a, 92).ok());
    EXPECT_TRUE(WriteImage(copy, Resize(a, 160, 120), 80).ok());
    EXPECT_TRUE(WriteImage(other, MakeBusyPhoto(320, 240, 99), 92).ok());
    token_file = dir.Join("token");
    WriteBytes(token_file, std::string(kToken) + "\n");
  }
  std::vector<std::string> Args(std::vector<std::string> extra = {}) const {
    std::vector<std::string> a = {root,         "--bind",        "127.0.0.1:0",
                                  "-m",         "pdq8",          "--no-cache",
                                  "-q",         "--token-file",  token_file,
                                  "--journal-dir", dir.Join("journal"), "--thumbs",
                                  dir.Join("thumbs")};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
  std::vector<std::string> Env() const { return {"XDG_DATA_HOME=" + dir.Join("xdg")}; }
};

httplib::Headers Auth(const std::string& token = kToken) {
  return {{"Authorization", "Bearer " + token}};
}

std::string Enc(const std::string& s) { return httplib::detail::encode_query_param(s); }

TEST(ServeTest, ServesTheGroupsTheirPicturesAPairAndMetrics) {
  Fixture f;
  ServeProcess server(f.Args(), f.Env());
  ASSERT_GT(server.port(), 0) << server.printed();
  EXPECT_NE(server.printed().find("review page: http://127.0.0.1:"), std::string::npos);
  json groups = server.WaitForGroups();
  ASSERT_TRUE(groups.is_object());
  ASSERT_EQ(groups["total_groups"], 1) << groups.dump();
  const json& files = groups["groups"][0]["files"];
  ASSERT_EQ(files.size(), 2u);
  std::set<std::string> paths = {files[0]["path"], files[1]["path"]};
  EXPECT_EQ(paths, (std::set<std::string>{fs::canonical(f.original).string(),
                                          fs::canonical(f.copy).string()}));
  EXPECT_TRUE(files[0].contains("sha256"));
  EXPECT_EQ(groups["roots"][0], fs::canonical(f.root).string());

  httplib::Client c = server.Client();
  auto page = c.Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("/assets/review.js"), std::string::npos);
  auto js = c.Get("/assets/review.js");
  ASSERT_TRUE(js);
  EXPECT_EQ(js->status, 200);
  EXPECT_NE(js->get_header_value("Content-Type").find("javascript"), std::string::npos);

  // The file as it is, and a thumbnail (a JPEG no larger than asked, cached on disk).
  const std::string kept = files[0]["path"];
  auto full = c.Get(("/v1/image?path=" + Enc(kept)).c_str());
  ASSERT_TRUE(full);
  EXPECT_EQ(full->status, 200);
  EXPECT_EQ(full->body, ReadFile(kept));
  auto thumb = c.Get(("/v1/image?path=" + Enc(kept) + "&size=64").c_str());
  ASSERT_TRUE(thumb);
  ASSERT_EQ(thumb->status, 200);
  StatusOr<Image> t = DecodeImage(thumb->body, DecodeOptions{});
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(std::max(t->width, t->height), 64);
  EXPECT_EQ(std::distance(fs::directory_iterator(f.dir.Join("thumbs")), fs::directory_iterator()),
            1);

  auto pair = c.Get(("/v1/pair?a=" + Enc(files[0]["path"]) + "&b=" + Enc(files[1]["path"])).c_str());
  ASSERT_TRUE(pair);
  ASSERT_EQ(pair->status, 200) << pair->body;
  json p = json::parse(pair->body);
  ASSERT_FALSE(p["verdicts"].empty());
  EXPECT_TRUE(p["verdicts"][0]["match"].get<bool>()) << p.dump();
  EXPECT_EQ(p["size_a"][0].get<int>() + p["size_b"][0].get<int>(), 480);
  auto png = c.Get(p["picture"].get<std::string>().c_str());
  ASSERT_TRUE(png);
  EXPECT_EQ(png->status, 200);
  EXPECT_EQ(png->body.substr(1, 3), "PNG");

  auto health = c.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  auto metrics = c.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("neardup_requests_total{route=\"pair\",code=\"200\"} 1"),
            std::string::npos)
      << metrics->body;
  EXPECT_NE(metrics->body.find("neardup_request_seconds_count{route=\"image\"} 2"),
            std::string::npos);
  EXPECT_NE(metrics->body.find("neardup_images_described_total 3"), std::string::npos);

  auto missing = c.Get("/v1/nothing");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_TRUE(json::parse(missing->body).contains("error"));
}

TEST(ServeTest, EveryStateChangeNeedsTheToken) {
  Fixture f;
  ServeProcess server(f.Args(), f.Env());
  ASSERT_GT(server.port(), 0) << server.printed();
  ASSERT_TRUE(server.WaitForGroups().is_object());
  httplib::Client c = server.Client();
  for (const char* path : {"/v1/scan", "/v1/actions", "/v1/undo"}) {
    auto none = c.Post(path, "{}", "application/json");
    ASSERT_TRUE(none);
    EXPECT_EQ(none->status, 401) << path;
    auto wrong = c.Post(path, Auth("not-the-token-at-all"), "{}", "application/json");
    ASSERT_TRUE(wrong);
    EXPECT_EQ(wrong->status, 401) << path;
  }
  auto scan = c.Post("/v1/scan", Auth(), "{}", "application/json");
  ASSERT_TRUE(scan);
  EXPECT_EQ(scan->status, 202);
  EXPECT_TRUE(fs::exists(f.copy));  // nothing was touched
}

TEST(ServeTest, NeverServesAFileOutsideTheRoots) {
  Fixture f;
  const std::string secret = f.dir.Join("secret.jpg");
  fs::copy_file(f.other, secret);
  fs::create_symlink(secret, f.root + "/link_out.jpg");  // a symlink out of the root
  ServeProcess server(f.Args(), f.Env());
  ASSERT_GT(server.port(), 0) << server.printed();
  ASSERT_TRUE(server.WaitForGroups().is_object());
  httplib::Client c = server.Client();
  const std::string root = fs::canonical(f.root).string();
  for (const std::string& path :
       {secret, root + "/../secret.jpg", root + "/link_out.jpg", std::string("/etc/passwd"),
        std::string("photos/beach.jpg"), root, root + "/does_not_exist.jpg"}) {
    auto r = c.Get(("/v1/image?path=" + Enc(path)).c_str());
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 404) << path;
    EXPECT_EQ(r->body.find("\xff\xd8"), std::string::npos) << path;  // no JPEG bytes
    auto pair = c.Get(("/v1/pair?a=" + Enc(path) + "&b=" + Enc(root + "/beach.jpg")).c_str());
    ASSERT_TRUE(pair);
    EXPECT_EQ(pair->status, 404) << path;
  }
  // Encoded ".." by hand (%2e%2e) in the query string.
  auto raw = c.Get(("/v1/image?path=" + Enc(root) + "%2f%2e%2e%2fsecret.jpg").c_str());
  ASSERT_TRUE(raw);
  EXPECT_EQ(raw->status, 404);
}

TEST(ServeTest, TrashesThroughTheApiAndUndoBringsTheFileBack) {
  Fixture f;
  const std::string bytes = ReadFile(f.copy);
  const std::string copy_real = fs::canonical(f.copy).string();
  ServeProcess server(f.Args(), f.Env());
  ASSERT_GT(server.port(), 0) << server.printed();
  json doc = server.WaitForGroups();
  ASSERT_TRUE(doc.is_object());
  ASSERT_EQ(doc["total_groups"], 1);
  httplib::Client c = server.Client();
  json body = {{"action", "trash"}, {"plan", doc}};
  auto dry = c.Post("/v1/actions", Auth(), body.dump(), "application/json");
  ASSERT_TRUE(dry);
  ASSERT_EQ(dry->status, 200) << dry->body;
  EXPECT_TRUE(json::parse(dry->body)["dry_run"].get<bool>());
  EXPECT_EQ(json::parse(dry->body)["done"], 1);
  EXPECT_TRUE(fs::exists(f.copy) && fs::exists(f.original));

  body["yes"] = true;
  auto act = c.Post("/v1/actions", Auth(), body.dump(), "application/json");
  ASSERT_TRUE(act);
  ASSERT_EQ(act->status, 200) << act->body;
  json report = json::parse(act->body);
  EXPECT_EQ(report["done"], 1) << report.dump();
  const std::string gone = report["actions"][0]["path"];
  const std::string stays = gone == copy_real ? f.original : f.copy;
  EXPECT_FALSE(fs::exists(gone));
  EXPECT_TRUE(fs::exists(stays));
  const std::string trashed = f.dir.Join("xdg") + "/Trash/files/" + fs::path(gone).filename().string();
  EXPECT_TRUE(fs::exists(trashed));
  EXPECT_TRUE(fs::exists(f.dir.Join("xdg") + "/Trash/info/" + fs::path(gone).filename().string() +
                         ".trashinfo"));

  auto undo = c.Post("/v1/undo", Auth(), "{}", "application/json");
  ASSERT_TRUE(undo);
  ASSERT_EQ(undo->status, 200) << undo->body;
  EXPECT_EQ(json::parse(undo->body)["restored"], 1);
  EXPECT_TRUE(fs::exists(gone));
  EXPECT_FALSE(fs::exists(trashed));
  EXPECT_EQ(ReadFile(f.copy), bytes);
  auto again = c.Post("/v1/undo", Auth(), "{}", "application/json");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 404);  // nothing left to undo

  // A plan that is not one.
  auto bad = c.Post("/v1/actions", Auth(), "{\"plan\": {\"groups\": 3}}", "application/json");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  auto not_json = c.Post("/v1/actions", Auth(), "{{", "application/json");
  ASSERT_TRUE(not_json);
  EXPECT_EQ(not_json->status, 400);
}

TEST(ServeTest, RefusesLargeBodiesAndConnectionsBeyondTheQueue) {
  Fixture f;
  ServeProcess server(f.Args({"--max-body-mb", "1", "--workers", "1", "--max-queue", "0"}),
                      f.Env());
  ASSERT_GT(server.port(), 0) << server.printed();
  ASSERT_TRUE(server.WaitForGroups().is_object());
  {
    httplib::Client c = server.Client();
    auto big = c.Post("/v1/actions", Auth(), std::string(2 << 20, 'x'), "application/json");
    ASSERT_TRUE(big);
    EXPECT_EQ(big->status, 413);
  }
  // The one worker is held by a connection that sends nothing; the next one is refused at once.
  // On a loaded machine the worker may still be closing the connection before, so that the held
  // one is refused and the next served: then the hold is tried again.
  int hold = -1;
  int status = 0;
  std::string body;
  for (int attempt = 0; attempt < 10 && status != 503; ++attempt) {
    if (hold >= 0) ::close(hold);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    hold = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(uint16_t(server.port()));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::connect(hold, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    httplib::Client c = server.Client();
    auto busy = c.Get("/healthz");
    ASSERT_TRUE(busy);
    status = busy->status;
    body = busy->body;
  }
  EXPECT_EQ(status, 503);
  EXPECT_TRUE(json::parse(body).contains("error"));
  ::close(hold);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  httplib::Client c = server.Client();
  auto ok = c.Get("/healthz");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
}

TEST(ServeTest, AnswersCopyQueriesAgainstAnIndexAndAddsUploads) {
  Fixture f;
  const std::string ix = f.dir.Join("ix");
  ASSERT_EQ(RunCli({"index", "create", ix, "-m", "pdq8"}).exit_code, 0);
  ASSERT_EQ(RunCli({"index", "add", ix, f.original, f.other, "-q"}).exit_code, 0);
  ServeProcess server(f.Args({"--index", ix}), f.Env());
  ASSERT_GT(server.port(), 0) << server.printed();
  httplib::Client c = server.Client();
  auto q = c.Post("/v1/query?k=2", ReadFile(f.copy), "image/jpeg");
  ASSERT_TRUE(q);
  ASSERT_EQ(q->status, 200) << q->body;
  json r = json::parse(q->body);
  ASSERT_EQ(r["matches"].size(), 2u);
  EXPECT_EQ(r["matches"][0]["path"], fs::absolute(f.original).lexically_normal().string());
  EXPECT_TRUE(r["matches"][0]["match"].get<bool>());
  EXPECT_FALSE(r["matches"][1]["match"].get<bool>());
  EXPECT_TRUE(r["matches"][0].contains("verification")) << r.dump();

  auto garbage = c.Post("/v1/query", std::string("not an image"), "image/jpeg");
  ASSERT_TRUE(garbage);
  EXPECT_EQ(garbage->status, 422);  // an upload that does not decode
  EXPECT_TRUE(json::parse(garbage->body).contains("error"));

  // Uploads need the token; an added image is found by the next query.
  const std::string novel = f.dir.Join("novel.png");
  ASSERT_TRUE(WriteImage(novel, MakeBusyPhoto(200, 200, 1234)).ok());
  auto anon = c.Post("/v1/images", ReadFile(novel), "image/png");
  ASSERT_TRUE(anon);
  EXPECT_EQ(anon->status, 401);
  auto add = c.Post("/v1/images", Auth(), ReadFile(novel), "image/png");
  ASSERT_TRUE(add);
  ASSERT_EQ(add->status, 200) << add->body;
  EXPECT_EQ(json::parse(add->body)["added"], 1);
  auto again = c.Post("/v1/query?k=1", ReadFile(novel), "image/png");
  ASSERT_TRUE(again);
  json hit = json::parse(again->body)["matches"][0];
  EXPECT_EQ(hit["path"], json::parse(add->body)["path"]);
  EXPECT_DOUBLE_EQ(hit["score"].get<double>(), 1.0);
}

TEST(ServeTest, QueriesTurnedUploadsWithOrientations) {
  Fixture f;
  const std::string ix = f.dir.Join("ix");
  // phash holds one orientation: only the turned views find a sideways, mirrored upload.
  ASSERT_EQ(RunCli({"index", "create", ix, "-m", "phash"}).exit_code, 0);
  ASSERT_EQ(RunCli({"index", "add", ix, f.original, f.other, "-q"}).exit_code, 0);
  const std::string turned = f.dir.Join("turned.png");
  ASSERT_TRUE(WriteImage(turned, FlipHorizontal(Rotate90(MakeBusyPhoto(320, 240, 7), 1))).ok());
  ServeProcess server(f.Args({"--index", ix}), f.Env());
  ASSERT_GT(server.port(), 0) << server.printed();
  httplib::Client c = server.Client();
  const std::string original = fs::absolute(f.original).lexically_normal().string();
  auto plain = c.Post("/v1/query?k=2&verify=0", ReadFile(turned), "image/png");
  auto turns = c.Post("/v1/query?k=2&verify=0&orientations=1", ReadFile(turned), "image/png");
  ASSERT_TRUE(plain && turns);
  ASSERT_EQ(plain->status, 200) << plain->body;
  ASSERT_EQ(turns->status, 200) << turns->body;
  json a = json::parse(plain->body)["matches"], b = json::parse(turns->body)["matches"];
  ASSERT_EQ(a.size(), 2u);
  ASSERT_EQ(b.size(), 2u);
  EXPECT_FALSE(a[0]["match"].get<bool>()) << a.dump();
  EXPECT_EQ(b[0]["path"], original);
  EXPECT_TRUE(b[0]["match"].get<bool>()) << b.dump();
  EXPECT_EQ(b[0]["view"]["turn"], 90) << b.dump();  // turned 90 then mirrored: the upload undone
  EXPECT_EQ(b[0]["view"]["mirrored"], true);
  EXPECT_FALSE(a[0].contains("view"));
  EXPECT_NE(b[1]["path"], original);  // each reference once
  for (const char* bad_query : {"/v1/query?orientations=2", "/v1/query?regions=yes"}) {
    auto bad = c.Post(bad_query, ReadFile(turned), "image/png");
    ASSERT_TRUE(bad);
    EXPECT_EQ(bad->status, 400) << bad_query;
  }
  // regions=1 on an upload with no picture inside: the whole upload's hits, as they were.
  auto same = c.Post("/v1/query?k=2&verify=0&orientations=1&regions=1", ReadFile(turned),
                     "image/png");
  ASSERT_TRUE(same);
  ASSERT_EQ(same->status, 200) << same->body;
  EXPECT_EQ(json::parse(same->body)["matches"], b);
}

}  // namespace
}  // namespace neardup::testing
