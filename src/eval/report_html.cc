// WriteBenchReport(): index.html (inline CSS and SVG, thumbnails beside it), report.json,
// summary.md.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <set>
#include <vector>

#include "core/parallel.h"
#include "eval/report_text.h"
#include "eval/svg_chart.h"
#include "neardup/bench_run.h"
#include "neardup/decode.h"
#include "neardup/preprocess.h"

namespace neardup {
namespace {

namespace fs = std::filesystem;
using report::Fixed;
using report::HtmlEscape;

// Longest side of a thumbnail, in pixels.
constexpr int kThumbSide = 160;

Status WriteText(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << text;
  f.close();
  if (!f) return IOError(path + ": cannot write");
  return Status::Ok();
}

std::string ThumbName(int32_t id) { return "thumbs/" + std::to_string(id) + ".jpg"; }

// Writes the thumbnail of every image of an example pair; returns the ids that got one.
StatusOr<std::set<int32_t>> WriteThumbs(const BenchRunResult& result, const std::string& out_dir) {
  std::set<int32_t> wanted;
  for (const MethodRun& run : result.methods) {
    for (const auto* list : {&run.worst_misses, &run.worst_false_positives}) {
      for (const PairExample& e : *list) wanted.insert({e.a, e.b});
    }
  }
  std::error_code ec;
  fs::create_directories(out_dir + "/thumbs", ec);
  if (ec) return IOError(out_dir + "/thumbs: " + ec.message());
  const std::vector<int32_t> ids(wanted.begin(), wanted.end());
  std::vector<char> made(ids.size(), 0);
  std::vector<Status> write_errors(ids.size());
  ParallelFor(int64_t(ids.size()), result.threads, 1, [&](int64_t begin, int64_t end, int) {
    for (int64_t i = begin; i < end; ++i) {
      const BenchImage& img = result.benchmark.images()[ids[i]];
      DecodeOptions options;
      options.min_side = kThumbSide;
      StatusOr<Image> pixels = DecodeFile(result.benchmark.images_dir() + "/" + img.path, options);
      if (!pixels.ok()) continue;  // shown as a placeholder
      const double s = std::min(1.0, double(kThumbSide) / std::max(pixels->width, pixels->height));
      const Image thumb = Resize(*pixels, std::max(1, int(pixels->width * s + 0.5)),
                                 std::max(1, int(pixels->height * s + 0.5)));
      write_errors[i] = WriteImage(out_dir + "/" + ThumbName(ids[i]), thumb, 85);
      made[i] = write_errors[i].ok();
    }
  });
  std::set<int32_t> out;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (!write_errors[i].ok()) return write_errors[i];
    if (made[i]) out.insert(ids[i]);
  }
  return out;
}

constexpr const char* kCss = R"(
body{font-family:system-ui,sans-serif;margin:24px auto;max-width:1140px;color:#222;padding:0 16px}
h1{font-size:1.5em;margin-bottom:4px}h2{margin-top:36px;border-bottom:1px solid #ddd}
.facts{color:#555;margin:0 0 12px}
table{border-collapse:collapse;margin:8px 0}
th,td{border:1px solid #ddd;padding:4px 10px;text-align:right}
th:first-child,td:first-child{text-align:left}th{background:#f4f4f4}
td.best{font-weight:bold;background:#eef6ee}
.swatch{display:inline-block;width:10px;height:10px;margin-right:6px}
.note{color:#666;font-size:.9em;max-width:900px}
.pairs{display:flex;flex-wrap:wrap;gap:12px}
.pair{border:1px solid #ddd;border-radius:4px;padding:6px;width:340px;font-size:12px;margin:0}
.pair .imgs{display:flex;gap:6px;height:160px;align-items:center;justify-content:center}
.pair .imgs div{width:160px;height:160px;display:flex;align-items:center;justify-content:center;
background:#f4f4f4}
.pair img{max-width:160px;max-height:160px}
.pair figcaption{margin-top:4px;overflow-wrap:anywhere}
.missing{color:#999}.tag{color:#b00;white-space:nowrap}
)";

std::string Th(const std::string& s) { return "<th>" + HtmlEscape(s) + "</th>"; }

// `value` in a cell, bold when it is the column's best.
std::string Td(const std::string& text, bool best = false) {
  return std::string(best ? "<td class=\"best\">" : "<td>") + HtmlEscape(text) + "</td>";
}

std::string FactsHtml(const BenchRunResult& r) {
  std::string h = "<h1>neardup benchmark: " + HtmlEscape(r.bench_dir) + "</h1>\n";
  h += "<p class=\"facts\">" + std::to_string(r.benchmark.images().size()) +
       " images: " + std::to_string(r.originals) + " originals, " + std::to_string(r.copies) +
       " copies, " + (r.naturals > 0 ? std::to_string(r.naturals) + " natural variants, " : "") +
       std::to_string(r.distractors) + " distractors. " + std::to_string(r.positives) +
       " positive pairs in " + std::to_string(r.families.size()) +
       " families. k = " + std::to_string(r.k) + " neighbours per image, " +
       std::to_string(r.threads) + " threads, descriptor cache off. Run " + HtmlEscape(r.date) +
       ".</p>\n";
  if (!r.errors.empty()) {
    h +=
        "<p class=\"tag\">" + std::to_string(r.errors.size()) +
        " images could not be described (listed at the end); their pairs count as not found.</p>\n";
  }
  return h;
}

// The best value of a column over the methods (-1 when none has one).
double BestOf(const BenchRunResult& r, const std::function<double(const MethodRun&)>& value) {
  double best = -1;
  for (const MethodRun& m : r.methods) {
    const double v = value(m);
    if (!std::isnan(v)) best = std::max(best, v);
  }
  return best;
}

// A cell of a column whose best value is bold; NaN is "n/a".
std::string ValueTd(double v, double best) { return Td(Fixed(v, 4), !std::isnan(v) && v == best); }

double RecallOf(const std::optional<OperatingPoint>& op) {
  return op ? op->recall : std::numeric_limits<double>::quiet_NaN();
}

std::string MethodTableHtml(const BenchRunResult& r) {
  constexpr EvalProtocol kAll = EvalProtocol::kAllPairs, kQuery = EvalProtocol::kQuerySide;
  using Column = std::function<double(const MethodRun&)>;
  const std::vector<Column> columns = {
      [](const MethodRun& m) { return m.report.figures(kAll).micro_ap; },
      [](const MethodRun& m) { return m.report.figures(kQuery).micro_ap; },
      [](const MethodRun& m) {
        return m.report.best_f1 ? m.report.best_f1->f1 : std::numeric_limits<double>::quiet_NaN();
      },
      [](const MethodRun& m) { return RecallOf(m.report.figures(kAll).recall_at_p99); },
      [](const MethodRun& m) { return RecallOf(m.report.figures(kQuery).recall_at_p99); },
      [](const MethodRun& m) { return RecallOf(m.report.figures(kAll).recall_at_p999); },
      [](const MethodRun& m) { return RecallOf(m.report.figures(kQuery).recall_at_p999); },
      [](const MethodRun& m) { return m.groups[int(kAll)].precision; },
      [](const MethodRun& m) { return m.groups[int(kQuery)].precision; },
      [](const MethodRun& m) { return m.groups[int(kAll)].recall; },
  };
  std::vector<double> best;
  for (const Column& c : columns) best.push_back(BestOf(r, c));
  std::string h = "<h2>Methods</h2>\n<table>\n<tr>" + Th("method") + Th("µAP all") +
                  Th("µAP query") + Th("best F1") + Th("at score ≥") + Th("R@P0.99 all") +
                  Th("R@P0.99 query") + Th("R@P0.999 all") + Th("R@P0.999 query") +
                  Th("group P all") + Th("group P query") + Th("group R") + Th("retrieved") +
                  Th("describe img/s") + Th("search s") + Th("failed") + "</tr>\n";
  for (size_t i = 0; i < r.methods.size(); ++i) {
    const MethodRun& m = r.methods[i];
    const EvalReport& e = m.report;
    h += "<tr><td><span class=\"swatch\" style=\"background:" + report::SeriesColor(int(i)) +
         "\"></span>" + HtmlEscape(m.method) + "</td>";
    for (size_t c = 0; c < columns.size(); ++c) {
      h += ValueTd(columns[c](m), best[c]);
      if (c == 2) h += Td(e.best_f1 ? report::ThresholdText(m.method, e.best_f1->threshold) : "");
    }
    h += Td(Fixed(e.positives > 0 ? double(e.positives_listed) / double(e.positives) : 0, 4));
    h += Td(report::Rate(m.images_per_second)) + Td(Fixed(m.search_seconds, 3)) +
         Td(std::to_string(m.failed)) + "</tr>\n";
  }
  h += "</table>\n<p class=\"note\">µAP: micro average precision over every image's k nearest "
       "neighbours (positives never retrieved count as misses). R@P0.99: the highest recall at a "
       "threshold whose precision is at least 0.99 (n/a: never reached). all: every pair ranked; "
       "query: the query-side protocol of Copydays and DISC21, pairs of two distractors left out. "
       "best F1, the curves, the families and the worst pairs: " +
       std::string(EvalProtocolTitle(r.protocol)) +
       ". group P / R: pairwise precision and recall of the groups <code>neardup find</code> "
       "prints at the method's default threshold (below). retrieved: the share of positives "
       "found in the k-NN lists, the ceiling of every recall. describe: decode + descriptor, wall "
       "time over all images; search: exact k-NN over all images.</p>\n";
  return h;
}

std::string GroupsHtml(const BenchRunResult& r) {
  std::string h = "<h2>Groups at the default threshold</h2>\n<table>\n<tr>" + Th("method") +
                  Th("threshold") + Th("pairs") + Th("groups") + Th("images") + Th("largest") +
                  Th("P all") + Th("P query") + Th("R") + Th("F1 all") + Th("F1 query") +
                  Th("mixed") + Th("joining") + Th("s") + "</tr>\n";
  for (const MethodRun& m : r.methods) {
    const GroupEvalReport& a = m.groups[int(EvalProtocol::kAllPairs)];
    const GroupEvalReport& q = m.groups[int(EvalProtocol::kQuerySide)];
    h += "<tr>" + Td(m.method) + Td(report::MethodThresholdText(m.method, m.group_threshold)) +
         Td(std::to_string(m.matched_pairs)) + Td(std::to_string(a.groups)) +
         Td(std::to_string(a.images_grouped)) + Td(std::to_string(a.largest_group)) +
         Td(Fixed(a.precision, 4)) + Td(Fixed(q.precision, 4)) + Td(Fixed(a.recall, 4)) +
         Td(Fixed(a.f1, 4)) + Td(Fixed(q.f1, 4)) + Td(std::to_string(a.mixed_groups)) +
         Td(std::to_string(a.groups_joining_originals)) + Td(Fixed(m.join_seconds, 3)) + "</tr>\n";
  }
  h += "</table>\n<p class=\"note\">The groups <code>neardup find</code> would print (its "
       "default threshold and grouping mode) from the same descriptors. P: of all pairs inside a "
       "group, the share whose images share a truth group (query: pairs of two distractors left "
       "out); R: of all pairs of images sharing a truth group, the share inside one group. mixed: "
       "groups holding images of two or more truth groups; joining: groups holding originals of "
       "two or more. s: join + grouping.</p>\n";
  return h;
}

std::string CurvesHtml(const BenchRunResult& r) {
  std::vector<report::CurveSeries> series;
  for (size_t i = 0; i < r.methods.size(); ++i) {
    report::CurveSeries s{r.methods[i].method, report::SeriesColor(int(i)), {}};
    for (const PrPoint& p : r.methods[i].report.pr_curve) {
      s.points.emplace_back(p.recall, p.precision);
    }
    series.push_back(std::move(s));
  }
  return "<h2>Precision and recall</h2>\n" +
         report::StepChartSvg(series,
                              {"Precision-recall (upper envelope)", "recall", "precision"}) +
         "<p class=\"note\">A dot marks the highest recall reached within the k-NN lists.</p>\n";
}

std::string FamiliesHtml(const BenchRunResult& r) {
  if (r.families.empty()) return "";
  std::vector<std::string> names;
  for (const MethodRun& m : r.methods) names.push_back(m.method);
  std::vector<std::vector<double>> values;
  for (const std::string& f : r.families) {
    values.emplace_back();
    for (const MethodRun& m : r.methods) values.back().push_back(report::FamilyRecallAtP99(m, f));
  }
  std::string h = "<h2>Recall per family</h2>\n" +
                  report::GroupedBarChartSvg(r.families, names, values,
                                             {"Recall at precision ≥ 0.99", "recall", "family"});
  h += "<table>\n<tr>" + Th("family");
  for (const std::string& n : names) h += Th(n);
  h += "</tr>\n";
  for (size_t f = 0; f < r.families.size(); ++f) {
    double best = 0;
    for (double v : values[f]) best = std::isnan(v) ? best : std::max(best, v);
    h += "<tr>" + Td(r.families[f]);
    for (double v : values[f]) h += Td(Fixed(v, 3), v == best && v > 0);  // NaN: n/a
    h += "</tr>\n";
  }
  h += "</table>\n<p class=\"note\">Each method at its own threshold of precision ≥ 0.99 (" +
       std::string(EvalProtocolTitle(r.protocol)) +
       "); n/a where that precision is never "
       "reached.</p>\n";
  return h;
}

std::string ThumbHtml(const BenchRunResult& r, int32_t id, const std::set<int32_t>& thumbs) {
  if (thumbs.count(id) == 0) return "<div class=\"missing\">unreadable</div>";
  return "<div><img src=\"" + ThumbName(id) + "\" alt=\"" +
         HtmlEscape(r.benchmark.images()[id].path) + "\" loading=\"lazy\"></div>";
}

// "name.jpg (copy: flip_h)", "name.jpg (distractor: hn_sticker)".
std::string ImageLabel(const BenchImage& img) {
  std::string role = BenchRoleName(img.role);
  if (img.role == BenchRole::kCopy) {
    role += ": " + (img.family.empty() ? kUnknownFamily : img.family);
  } else if (!img.family.empty()) {
    role += ": " + img.family;  // a hard negative's kind
  }
  return HtmlEscape(img.path) + " (" + HtmlEscape(role) + ")";
}

std::string PairsHtml(const BenchRunResult& r, const MethodRun& m,
                      const std::vector<PairExample>& pairs, const std::set<int32_t>& thumbs) {
  if (pairs.empty()) return "<p class=\"note\">None.</p>\n";
  std::string h = "<div class=\"pairs\">\n";
  for (const PairExample& e : pairs) {
    const auto& images = r.benchmark.images();
    h += "<figure class=\"pair\"><div class=\"imgs\">" + ThumbHtml(r, e.a, thumbs) +
         ThumbHtml(r, e.b, thumbs) + "</div><figcaption>";
    h += "<b>score " + HtmlEscape(report::PairScoreText(m.method, e.score, e.distance)) + "</b>";
    if (!e.family.empty()) h += " · " + HtmlEscape(e.family);
    if (!e.retrieved) h += " · <span class=\"tag\">not retrieved</span>";
    h += "<br>" + ImageLabel(images[e.a]) + "<br>" + ImageLabel(images[e.b]);
    h += "</figcaption></figure>\n";
  }
  return h + "</div>\n";
}

std::string ExamplesHtml(const BenchRunResult& r, const std::set<int32_t>& thumbs) {
  std::string h =
      "<h2>Worst pairs per method</h2>\n<p class=\"note\">Worst misses: the positive "
      "pairs with the lowest scores (a pair outside both images' k-NN lists is "
      "scored directly). Worst false positives: the retrieved unrelated pairs with "
      "the highest scores.</p>\n";
  for (const MethodRun& m : r.methods) {
    h += "<h3>" + HtmlEscape(m.method) + ": worst misses</h3>\n" +
         PairsHtml(r, m, m.worst_misses, thumbs);
    h += "<h3>" + HtmlEscape(m.method) + ": worst false positives</h3>\n" +
         PairsHtml(r, m, m.worst_false_positives, thumbs);
  }
  return h;
}

std::string ErrorsHtml(const BenchRunResult& r) {
  if (r.errors.empty() && r.unknown_files.empty()) return "";
  std::string h = "<h2>Problems</h2>\n<ul>\n";
  for (const BenchImageError& e : r.errors) {
    h += "<li>" + HtmlEscape(e.path) + ": " + HtmlEscape(e.message) + "</li>\n";
  }
  for (const std::string& f : r.unknown_files) {
    h += "<li>" + HtmlEscape(f) + ": not in truth.csv (not scored)</li>\n";
  }
  return h + "</ul>\n";
}

}  // namespace

Status WriteBenchReport(const BenchRunResult& result, const std::string& out_dir) {
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec) return IOError(out_dir + ": " + ec.message());
  ASSIGN_OR_RETURN(std::set<int32_t> thumbs, WriteThumbs(result, out_dir));
  std::string html =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<title>neardup benchmark: " +
      HtmlEscape(result.bench_dir) + "</title>\n<style>" + kCss + "</style>\n</head>\n<body>\n";
  html += FactsHtml(result) + MethodTableHtml(result) + GroupsHtml(result) + CurvesHtml(result) +
          FamiliesHtml(result) + ExamplesHtml(result, thumbs) + ErrorsHtml(result) +
          "</body>\n</html>\n";
  RETURN_IF_ERROR(WriteText(out_dir + "/index.html", html));
  RETURN_IF_ERROR(WriteText(out_dir + "/report.json", report::BenchReportJson(result)));
  return WriteText(out_dir + "/summary.md", BenchSummaryMarkdown(result));
}

}  // namespace neardup
