#include "eval/svg_chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "neardup/text.h"

namespace neardup::report {
namespace {

// "%.1f" without a trailing ".0" noise: SVG coordinates.
std::string Num(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", x);
  return buf;
}

std::string Text(double x, double y, const std::string& text, const char* anchor,
                 const char* extra = "") {
  return "<text x=\"" + Num(x) + "\" y=\"" + Num(y) + "\" text-anchor=\"" + anchor + "\"" + extra +
         ">" + HtmlEscape(text) + "</text>\n";
}

std::string Line(double x1, double y1, double x2, double y2, const char* cls) {
  return "<line x1=\"" + Num(x1) + "\" y1=\"" + Num(y1) + "\" x2=\"" + Num(x2) + "\" y2=\"" +
         Num(y2) + "\" class=\"" + cls + "\"/>\n";
}

std::string SvgOpen(int width, int height, const std::string& title) {
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(width) +
         "\" height=\"" + std::to_string(height) + "\" viewBox=\"0 0 " + std::to_string(width) +
         " " + std::to_string(height) + "\" role=\"img\" font-family=\"sans-serif\" " +
         "font-size=\"12\">\n<title>" + HtmlEscape(title) + "</title>\n" +
         "<style>.grid{stroke:#e3e3e3;stroke-width:1}.axis{stroke:#444;stroke-width:1}</style>\n";
}

}  // namespace

std::string HtmlEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const size_t n = Utf8SequenceLength(s, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD
      ++i;
      continue;
    }
    if (n == 1) {
      switch (s[i]) {
        case '&':
          out += "&amp;";
          break;
        case '<':
          out += "&lt;";
          break;
        case '>':
          out += "&gt;";
          break;
        case '"':
          out += "&quot;";
          break;
        case '\'':
          out += "&#39;";
          break;
        default:
          out += s[i];
      }
    } else {
      out.append(s.substr(i, n));
    }
    i += n;
  }
  return out;
}

std::string Fixed(double x, int decimals) {
  if (std::isnan(x)) return "n/a";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, x);
  return buf;
}

std::string SeriesColor(int i) {
  // Tableau 10: distinguishable, and readable on white.
  static const char* const kColors[] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                                        "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};
  return kColors[i % 10];
}

std::string StepChartSvg(const std::vector<CurveSeries>& series, const AxisLabels& labels,
                         int width, int height) {
  const double left = 60, right = 170, top = 30, bottom = 50;
  const double pw = width - left - right, ph = height - top - bottom;
  auto px = [&](double x) { return left + std::clamp(x, 0.0, 1.0) * pw; };
  auto py = [&](double y) { return top + (1 - std::clamp(y, 0.0, 1.0)) * ph; };
  std::string svg = SvgOpen(width, height, labels.title);
  svg += Text(left + pw / 2, 18, labels.title, "middle", " font-weight=\"bold\"");
  for (int t = 0; t <= 10; ++t) {
    const double v = t / 10.0;
    svg += Line(px(v), top, px(v), top + ph, "grid");
    svg += Line(left, py(v), left + pw, py(v), "grid");
    svg += Text(px(v), top + ph + 16, Fixed(v, 1), "middle");
    svg += Text(left - 6, py(v) + 4, Fixed(v, 1), "end");
  }
  svg += "<rect x=\"" + Num(left) + "\" y=\"" + Num(top) + "\" width=\"" + Num(pw) +
         "\" height=\"" + Num(ph) + "\" fill=\"none\" class=\"axis\"/>\n";
  svg += Text(left + pw / 2, height - 10, labels.x, "middle");
  svg += "<text transform=\"translate(16," + Num(top + ph / 2) +
         ") rotate(-90)\" text-anchor=\"middle\">" + HtmlEscape(labels.y) + "</text>\n";
  for (size_t s = 0; s < series.size(); ++s) {
    const CurveSeries& c = series[s];
    if (!c.points.empty()) {
      std::string d = "M" + Num(px(0)) + "," + Num(py(c.points[0].second));
      for (size_t i = 0; i < c.points.size(); ++i) {
        d += " H" + Num(px(c.points[i].first));
        if (i + 1 < c.points.size()) d += " V" + Num(py(c.points[i + 1].second));
      }
      svg += "<path d=\"" + d + "\" fill=\"none\" stroke=\"" + c.color +
             "\" stroke-width=\"2\" stroke-opacity=\"0.85\"/>\n";
      // The highest recall reached within the k-NN lists.
      svg += "<circle cx=\"" + Num(px(c.points.back().first)) + "\" cy=\"" +
             Num(py(c.points.back().second)) + "\" r=\"3.5\" fill=\"" + c.color + "\"/>\n";
    }
    const double ly = top + 10 + 20 * double(s), lx = left + pw + 14;
    svg += "<line x1=\"" + Num(lx) + "\" y1=\"" + Num(ly) + "\" x2=\"" + Num(lx + 24) + "\" y2=\"" +
           Num(ly) + "\" stroke=\"" + c.color + "\" stroke-width=\"3\"/>\n";
    svg += Text(lx + 30, ly + 4, c.points.empty() ? c.name + " (no points)" : c.name, "start");
  }
  svg += "</svg>\n";
  return svg;
}

std::string GroupedBarChartSvg(const std::vector<std::string>& rows,
                               const std::vector<std::string>& series_names,
                               const std::vector<std::vector<double>>& values,
                               const AxisLabels& labels, int width) {
  const double bar = 9, bar_gap = 1, row_gap = 10;
  const double left = 120, right = 50, legend = 22 * std::ceil(series_names.size() / 6.0);
  const double top = 30 + legend + 18;
  const double row_h = double(series_names.size()) * (bar + bar_gap) + row_gap;
  const double ph = row_h * double(rows.size());
  const int height = int(top + ph + 40);
  const double pw = width - left - right;
  auto px = [&](double x) { return left + std::clamp(x, 0.0, 1.0) * pw; };
  std::string svg = SvgOpen(width, height, labels.title);
  svg += Text(width / 2.0, 18, labels.title, "middle", " font-weight=\"bold\"");
  for (size_t s = 0; s < series_names.size(); ++s) {
    const double lx = left + double(s % 6) * (pw / 6), ly = 34 + 22 * double(s / 6);
    svg += "<rect x=\"" + Num(lx) + "\" y=\"" + Num(ly - 9) +
           "\" width=\"14\" height=\"10\" fill=\"" + SeriesColor(int(s)) + "\"/>\n";
    svg += Text(lx + 19, ly, series_names[s], "start");
  }
  for (int t = 0; t <= 10; ++t) {
    const double v = t / 10.0;
    svg += Line(px(v), top, px(v), top + ph, "grid");
    svg += Text(px(v), top - 5, Fixed(v, 1), "middle");
    svg += Text(px(v), top + ph + 14, Fixed(v, 1), "middle");
  }
  for (size_t r = 0; r < rows.size(); ++r) {
    const double y0 = top + row_h * double(r) + row_gap / 2;
    if (r > 0) svg += Line(left - 110, y0 - row_gap / 2, left + pw, y0 - row_gap / 2, "grid");
    svg += Text(left - 8, y0 + (row_h - row_gap) / 2 + 4, rows[r], "end");
    for (size_t s = 0; s < series_names.size(); ++s) {
      const double v = s < values[r].size() ? values[r][s] : NAN;
      const double y = y0 + double(s) * (bar + bar_gap);
      if (std::isnan(v)) {
        svg += Text(left + 3, y + bar - 1, "n/a", "start", " font-size=\"9\" fill=\"#999\"");
        continue;
      }
      svg += "<rect x=\"" + Num(left) + "\" y=\"" + Num(y) + "\" width=\"" +
             Num(std::max(0.5, px(v) - left)) + "\" height=\"" + Num(bar) + "\" fill=\"" +
             SeriesColor(int(s)) + "\"><title>" + HtmlEscape(rows[r] + ", " + series_names[s]) +
             ": " + Fixed(v, 3) + "</title></rect>\n";
      svg += Text(px(v) + 3, y + bar - 1, Fixed(v, 2), "start", " font-size=\"9\" fill=\"#555\"");
    }
  }
  svg += Line(left, top, left, top + ph, "axis");
  svg += Text(left + pw / 2, height - 8, labels.x, "middle");
  svg += "</svg>\n";
  return svg;
}

}  // namespace neardup::report
