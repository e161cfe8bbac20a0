#include "flags.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

#include "display.h"

namespace neardup::cli {
namespace {

// The shortest text that reads back as `x` ("1000", "0.35", "1e+18").
std::string Number(double x) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, x);
  return ec == std::errc() ? std::string(buf, end) : std::to_string(x);
}

// "(0..1024)", "(> 0)", "(>= 0)", "(> 0 and <= 10)".
std::string RangeText(double lo, double hi, bool lo_open) {
  if (std::isinf(hi)) return std::string("(") + (lo_open ? "> " : ">= ") + Number(lo) + ")";
  if (lo_open) return "(> " + Number(lo) + " and <= " + Number(hi) + ")";
  return "(" + Number(lo) + ".." + Number(hi) + ")";
}

// The whole of `text` read as a number (strtod: decimal, hex, "nan", "inf"); empty when it is
// not one.
std::optional<double> ParseNumber(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size()) return std::nullopt;
  return v;
}

// What a check says about a value that is not a number, or not a finite one; empty otherwise.
std::string NotFinite(const std::string& text, const std::optional<double>& v) {
  if (!v) return DisplayExcerpt(text, 40) + " is not a number";
  if (!std::isfinite(*v)) return DisplayExcerpt(text, 40) + " is not a finite number";
  return "";
}

}  // namespace

CLI::Validator WholeNumberIn(uint64_t lo, uint64_t hi) {
  const std::string range = "(" + std::to_string(lo) + ".." + std::to_string(hi) + ")";
  return CLI::Validator(
      [lo, hi, range](std::string& text) -> std::string {
        uint64_t v = 0;
        const char* end = text.data() + text.size();
        auto [p, ec] = std::from_chars(text.data(), end, v);
        if (ec == std::errc() && p == end) {
          if (v < lo || v > hi) return DisplayExcerpt(text, 40) + " is out of range " + range;
          text = std::to_string(v);
          return "";
        }
        // Negative, too large, or written as a float: say which.
        const std::optional<double> d = ParseNumber(text);
        if (std::string bad = NotFinite(text, d); !bad.empty()) return bad;
        if (*d < double(lo) || *d > double(hi)) {
          return DisplayExcerpt(text, 40) + " is out of range " + range;
        }
        if (*d != std::floor(*d)) return DisplayExcerpt(text, 40) + " is not a whole number";
        text = std::to_string(uint64_t(*d));
        return "";
      },
      range, "WholeNumberIn");
}

CLI::Validator FiniteIn(double lo, double hi, bool lo_open) {
  const std::string range = RangeText(lo, hi, lo_open);
  return CLI::Validator(
      [lo, hi, lo_open, range](std::string& text) -> std::string {
        const std::optional<double> v = ParseNumber(text);
        if (std::string bad = NotFinite(text, v); !bad.empty()) return bad;
        if ((lo_open ? *v <= lo : *v < lo) || *v > hi) {
          return DisplayExcerpt(text, 40) + " is out of range " + range;
        }
        return "";
      },
      range, "FiniteIn");
}

CLI::Validator Finite() {
  return CLI::Validator([](std::string& text) { return NotFinite(text, ParseNumber(text)); },
                        "finite", "Finite");
}

CLI::Option* AddThreadsOption(CLI::App* cmd, int* threads, const std::string& help) {
  return cmd->add_option("-j,--threads", *threads, help)
      ->check(WholeNumberIn(0, kMaxThreads))
      ->capture_default_str();
}

CLI::Option* AddOptionalNumber(CLI::App* cmd, const std::string& names,
                               std::optional<double>* value, const std::string& help) {
  return cmd
      ->add_option_function<double>(
          names, [value](const double& v) { *value = v; }, help)
      ->check(Finite());
}

CLI::Option* AddOptionalCount(CLI::App* cmd, const std::string& names, std::optional<int>* value,
                              int lo, int hi, const std::string& help) {
  return cmd
      ->add_option_function<int>(
          names, [value](const int& v) { *value = v; }, help)
      ->check(WholeNumberIn(uint64_t(lo), uint64_t(hi)));
}

Status CheckThreshold(const Method& method, double threshold, const std::string& option) {
  Status s = method.CheckThreshold(threshold);
  return s.ok() ? s : InvalidArgumentError(option + ": " + s.message());
}

}  // namespace neardup::cli
