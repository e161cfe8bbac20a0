// Inline SVG charts and HTML text helpers for the benchmark report (private to the library).
// Every function returns markup to embed in an HTML page as is: no scripts, no external
// resources, text escaped.
#ifndef NEARDUP_SRC_EVAL_SVG_CHART_H_
#define NEARDUP_SRC_EVAL_SVG_CHART_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace neardup::report {

// `s` with &, <, >, " and ' escaped; invalid UTF-8 bytes become U+FFFD.
std::string HtmlEscape(std::string_view s);

// printf("%.*f") of x, or "n/a" for NaN.
std::string Fixed(double x, int decimals);

// The colour ("#rrggbb") of the i-th series; distinct for the first 10, then they repeat.
std::string SeriesColor(int i);

struct CurveSeries {
  std::string name;
  std::string color;
  // (x, y) points in [0,1]^2, x ascending. Drawn as a step curve of an upper envelope: the y of
  // point i+1 holds over (x_i, x_{i+1}], and y of the first point over [0, x_0].
  std::vector<std::pair<double, double>> points;
};

struct AxisLabels {
  std::string title;
  std::string x;
  std::string y;
};

// A square-ish chart of x in [0,1] by y in [0,1] with ticks every 0.1, a grid, and a legend on
// the right; an empty series still gets its legend entry ("no points").
std::string StepChartSvg(const std::vector<CurveSeries>& series, const AxisLabels& labels,
                         int width = 760, int height = 480);

// Horizontal bars grouped by row: values[row][series] in [0,1] (NaN = "n/a", no bar), one bar per
// series in each row, the value printed at its end; x axis [0,1] with ticks every 0.1 and a legend
// on top. `rows` names the groups.
std::string GroupedBarChartSvg(const std::vector<std::string>& rows,
                               const std::vector<std::string>& series_names,
                               const std::vector<std::vector<double>>& values,
                               const AxisLabels& labels, int width = 760);

}  // namespace neardup::report

#endif  // NEARDUP_SRC_EVAL_SVG_CHART_H_
