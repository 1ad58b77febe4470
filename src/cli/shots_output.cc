#include "cli/shots_output.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <sstream>

#include "common/json.h"

namespace webconv::cli {
namespace {

std::string Fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", digits, v);
  return buf;
}

std::string JsonProbabilities(const std::vector<float>& p) {
  if (p.empty()) return "null";
  std::string s = "[";
  for (size_t i = 0; i < p.size(); ++i) s += (i ? "," : "") + (std::isfinite(p[i]) ? Fixed(p[i], 6) : std::string("null"));
  return s + "]";
}

double Seconds(const shots::ShotResult& r, int64_t frame) { return static_cast<double>(frame) / r.video.fps; }

// The plot's geometry, shared by the SVG and the PNG: per x pixel column, the highest probability of the
// frames it covers (so a one-frame peak in a long film stays visible).
struct PlotColumns {
  int width = 0;
  std::vector<float> single, all;
};

PlotColumns Columns(const shots::ShotResult& r, int max_width) {
  PlotColumns c;
  const int64_t n = r.frames;
  c.width = static_cast<int>(std::min<int64_t>(max_width, std::max<int64_t>(1, n)));
  auto reduce = [&](const std::vector<float>& p, std::vector<float>* out) {
    if (p.empty()) return;
    out->assign(static_cast<size_t>(c.width), 0.f);
    for (int64_t f = 0; f < n; ++f) {
      const size_t x = static_cast<size_t>(f * c.width / n);
      if (std::isfinite(p[static_cast<size_t>(f)])) (*out)[x] = std::max((*out)[x], p[static_cast<size_t>(f)]);
    }
  };
  reduce(r.single, &c.single);
  reduce(r.all, &c.all);
  return c;
}

constexpr int kPlotWidth = 1200, kPlotHeight = 300, kLeft = 50, kRight = 20, kTop = 30, kBottom = 40;

double PlotX(const shots::ShotResult& r, double frame) {
  return kLeft + frame / static_cast<double>(std::max<int64_t>(1, r.frames)) * (kPlotWidth - kLeft - kRight);
}
double PlotY(double p) { return kTop + (1.0 - p) * (kPlotHeight - kTop - kBottom); }
// The centre of column `x` of `columns`.
double ColumnX(const PlotColumns& c, size_t x) {
  return kLeft + (static_cast<double>(x) + 0.5) * (kPlotWidth - kLeft - kRight) / std::max(1, c.width);
}

// --- PNG: a raster of the same plot, stored (uncompressed) deflate blocks, no dependency ---
struct Canvas {
  int w, h;
  std::vector<uint8_t> rgb;
  Canvas(int w_, int h_) : w(w_), h(h_), rgb(static_cast<size_t>(w_) * h_ * 3, 255) {}
  void Set(int x, int y, std::array<uint8_t, 3> c) {
    if (x < 0 || y < 0 || x >= w || y >= h) return;
    std::memcpy(&rgb[(static_cast<size_t>(y) * w + x) * 3], c.data(), 3);
  }
  void Line(double x0d, double y0d, double x1d, double y1d, std::array<uint8_t, 3> c, int dash = 0) {
    int x0 = static_cast<int>(std::lround(x0d)), y0 = static_cast<int>(std::lround(y0d));
    const int x1 = static_cast<int>(std::lround(x1d)), y1 = static_cast<int>(std::lround(y1d));
    const int dx = std::abs(x1 - x0), dy = -std::abs(y1 - y0), sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1;
    int err = dx + dy;
    for (int step = 0;; ++step) {
      if (!dash || (step / dash) % 2 == 0) Set(x0, y0, c);
      if (x0 == x1 && y0 == y1) break;
      const int e2 = 2 * err;
      if (e2 >= dy) { err += dy; x0 += sx; }
      if (e2 <= dx) { err += dx; y0 += sy; }
    }
  }
};

uint32_t Crc32(const uint8_t* data, size_t n, uint32_t crc = 0) {
  static const auto table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  crc = ~crc;
  for (size_t i = 0; i < n; ++i) crc = table[(crc ^ data[i]) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

void Put32(std::string* s, uint32_t v) {
  for (int k = 3; k >= 0; --k) s->push_back(static_cast<char>((v >> (8 * k)) & 0xFF));
}

void Chunk(std::string* png, const char* type, const std::string& data) {
  Put32(png, static_cast<uint32_t>(data.size()));
  const std::string body = std::string(type, 4) + data;
  png->append(body);
  Put32(png, Crc32(reinterpret_cast<const uint8_t*>(body.data()), body.size()));
}

std::string EncodePng(const Canvas& c) {
  std::string raw;  // each row: filter byte 0, then RGB
  for (int y = 0; y < c.h; ++y) {
    raw.push_back(0);
    raw.append(reinterpret_cast<const char*>(&c.rgb[static_cast<size_t>(y) * c.w * 3]), static_cast<size_t>(c.w) * 3);
  }
  std::string z = "\x78\x01";  // zlib header: deflate, 32K window, no dictionary
  for (size_t pos = 0; pos < raw.size() || pos == 0;) {
    const size_t len = std::min<size_t>(65535, raw.size() - pos);
    const bool last = pos + len >= raw.size();
    z.push_back(last ? 1 : 0);  // a stored block
    z.push_back(static_cast<char>(len & 0xFF));
    z.push_back(static_cast<char>(len >> 8));
    z.push_back(static_cast<char>(~len & 0xFF));
    z.push_back(static_cast<char>((~len >> 8) & 0xFF));
    z.append(raw, pos, len);
    pos += len;
    if (last) break;
  }
  uint32_t a = 1, b = 0;  // Adler-32 of the uncompressed data
  for (unsigned char ch : raw) {
    a = (a + ch) % 65521;
    b = (b + a) % 65521;
  }
  Put32(&z, (b << 16) | a);
  std::string png = "\x89PNG\r\n\x1a\n";
  std::string ihdr;
  Put32(&ihdr, static_cast<uint32_t>(c.w));
  Put32(&ihdr, static_cast<uint32_t>(c.h));
  ihdr += std::string("\x08\x02\x00\x00\x00", 5);  // 8-bit RGB, deflate, no filter method, no interlace
  Chunk(&png, "IHDR", ihdr);
  Chunk(&png, "IDAT", z);
  Chunk(&png, "IEND", "");
  return png;
}

constexpr std::array<uint8_t, 3> kSingleColor = {31, 119, 180}, kAllColor = {255, 127, 14}, kCutColor = {214, 39, 40},
                                 kAxisColor = {90, 90, 90}, kGridColor = {225, 225, 225};

}  // namespace

std::string ShotsText(const ShotsReport& rep) {
  const shots::ShotResult& r = *rep.result;
  const bool timed = r.video.fps > 0;
  std::ostringstream os;
  os << r.scenes.size() << (r.scenes.size() == 1 ? " scene" : " scenes") << " (threshold " << rep.threshold << "):\n";
  os << "  scene     first      last" << (timed ? "  start         end" : "") << "\n";
  for (size_t i = 0; i < r.scenes.size(); ++i) {
    char buf[96];
    std::snprintf(buf, sizeof(buf), "  %5zu  %8lld  %8lld", i + 1, static_cast<long long>(r.scenes[i][0]),
                  static_cast<long long>(r.scenes[i][1]));
    os << buf;
    if (timed)
      os << "  " << shots::Timecode(Seconds(r, r.scenes[i][0])) << "  " << shots::Timecode(Seconds(r, r.scenes[i][1] + 1));
    os << "\n";
  }
  return os.str();
}

std::string ShotsJson(const ShotsReport& rep) {
  const shots::ShotResult& r = *rep.result;
  const bool timed = r.video.fps > 0;
  std::string j = "{\"video\":" + JsonString(r.video.path) + ",\"container\":" + JsonString(r.video.container) +
                  ",\"codec\":" + JsonString(r.video.codec) + ",\"width\":" + std::to_string(r.video.width) +
                  ",\"height\":" + std::to_string(r.video.height) + ",\"frames\":" + std::to_string(r.frames) +
                  ",\"fps\":" + (timed ? Fixed(r.video.fps, 6) : "null") + ",\"model\":" + JsonString(rep.model_path) +
                  ",\"window\":" + std::to_string(r.geometry.window) + ",\"threshold\":" + Fixed(rep.threshold, 6) +
                  ",\"scenes\":[";
  for (size_t i = 0; i < r.scenes.size(); ++i)
    j += (i ? ",[" : "[") + std::to_string(r.scenes[i][0]) + "," + std::to_string(r.scenes[i][1]) + "]";
  j += "],\"scenes_seconds\":";
  if (timed) {
    j += "[";
    for (size_t i = 0; i < r.scenes.size(); ++i)
      j += (i ? ",[" : "[") + Fixed(Seconds(r, r.scenes[i][0]), 6) + "," + Fixed(Seconds(r, r.scenes[i][1] + 1), 6) + "]";
    j += "]";
  } else {
    j += "null";
  }
  j += ",\"single_frame\":" + JsonProbabilities(r.single) + ",\"all_frames\":" + JsonProbabilities(r.all) +
       ",\"warning\":" + (r.warning.empty() ? std::string("null") : JsonString(r.warning)) +
       ",\"timing\":{\"wall_ms\":" + Fixed(r.wall_ms, 3) + ",\"model_ms\":" + Fixed(r.model_ms, 3) +
       ",\"first_window_ms\":" + Fixed(r.first_window_ms, 3) + ",\"windows\":" + std::to_string(r.windows) +
       ",\"frames_per_second\":" + Fixed(r.wall_ms > 0 ? 1000.0 * static_cast<double>(r.frames) / r.wall_ms : 0, 3) +
       "}}";
  return j + "\n";
}

std::string ShotsCsv(const ShotsReport& rep) {
  const shots::ShotResult& r = *rep.result;
  const bool timed = r.video.fps > 0;
  std::string s = "scene,first_frame,last_frame,frames,start_timecode,end_timecode,start_seconds,end_seconds\n";
  for (size_t i = 0; i < r.scenes.size(); ++i) {
    const int64_t a = r.scenes[i][0], b = r.scenes[i][1];
    s += std::to_string(i + 1) + "," + std::to_string(a) + "," + std::to_string(b) + "," + std::to_string(b - a + 1) + ",";
    if (timed)
      s += shots::Timecode(Seconds(r, a)) + "," + shots::Timecode(Seconds(r, b + 1)) + "," + Fixed(Seconds(r, a), 3) +
           "," + Fixed(Seconds(r, b + 1), 3);
    else
      s += ",,,";
    s += "\n";
  }
  return s;
}

std::string ShotsSvg(const ShotsReport& rep) {
  const shots::ShotResult& r = *rep.result;
  const PlotColumns cols = Columns(r, kPlotWidth - kLeft - kRight);
  std::ostringstream o;
  o << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << kPlotWidth << "\" height=\"" << kPlotHeight
    << "\" viewBox=\"0 0 " << kPlotWidth << " " << kPlotHeight << "\" font-family=\"sans-serif\" font-size=\"12\">\n"
    << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  for (double p : {0.0, 0.25, 0.5, 0.75, 1.0}) {
    o << "<line x1=\"" << kLeft << "\" x2=\"" << kPlotWidth - kRight << "\" y1=\"" << PlotY(p) << "\" y2=\"" << PlotY(p)
      << "\" stroke=\"#e1e1e1\"/>\n<text x=\"" << kLeft - 6 << "\" y=\"" << PlotY(p) + 4 << "\" text-anchor=\"end\">" << p
      << "</text>\n";
  }
  for (size_t i = 1; i < r.scenes.size(); ++i) {  // a cut: where a scene starts
    const double x = PlotX(r, static_cast<double>(r.scenes[i][0]));
    o << "<line x1=\"" << x << "\" x2=\"" << x << "\" y1=\"" << kTop << "\" y2=\"" << kPlotHeight - kBottom
      << "\" stroke=\"#d62728\" stroke-width=\"1\" opacity=\"0.7\"><title>scene " << i + 1 << " starts at frame "
      << r.scenes[i][0] << "</title></line>\n";
  }
  o << "<line x1=\"" << kLeft << "\" x2=\"" << kPlotWidth - kRight << "\" y1=\"" << PlotY(rep.threshold) << "\" y2=\""
    << PlotY(rep.threshold) << "\" stroke=\"#5a5a5a\" stroke-dasharray=\"4 4\"/>\n";
  auto curve = [&](const std::vector<float>& c, const char* color) {
    if (c.empty()) return;
    o << "<polyline fill=\"none\" stroke=\"" << color << "\" stroke-width=\"1.2\" points=\"";
    for (size_t x = 0; x < c.size(); ++x) o << (x ? " " : "") << Fixed(ColumnX(cols, x), 1) << "," << Fixed(PlotY(c[x]), 1);
    o << "\"/>\n";
  };
  curve(cols.all, "#ff7f0e");
  curve(cols.single, "#1f77b4");
  // Frame ticks: about ten, at round numbers.
  const double span = static_cast<double>(std::max<int64_t>(1, r.frames));
  double tick = 1;  // 1, 2 or 5 times a power of ten, at most 12 ticks
  while (span / tick > 12) {
    if (span / (2 * tick) <= 12) tick *= 2;
    else if (span / (5 * tick) <= 12) tick *= 5;
    else tick *= 10;
  }
  for (double f = 0; f <= span; f += tick)
    o << "<text x=\"" << PlotX(r, f) << "\" y=\"" << kPlotHeight - kBottom + 16 << "\" text-anchor=\"middle\">"
      << static_cast<long long>(f) << "</text>\n";
  o << "<text x=\"" << kPlotWidth / 2 << "\" y=\"" << kPlotHeight - 6 << "\" text-anchor=\"middle\">frame</text>\n"
    << "<text x=\"" << kLeft << "\" y=\"18\"><tspan fill=\"#1f77b4\">single-frame</tspan>"
    << (r.all.empty() ? "" : "  <tspan fill=\"#ff7f0e\">all-frames</tspan>")
    << "  <tspan fill=\"#d62728\">cuts (" << (r.scenes.size() ? r.scenes.size() - 1 : 0)
    << ")</tspan>  <tspan fill=\"#5a5a5a\">threshold " << rep.threshold << "</tspan></text>\n"
    << "</svg>\n";
  return o.str();
}

std::string ShotsPng(const ShotsReport& rep) {
  const shots::ShotResult& r = *rep.result;
  const PlotColumns cols = Columns(r, kPlotWidth - kLeft - kRight);
  Canvas c(kPlotWidth, kPlotHeight);
  for (double p : {0.0, 0.25, 0.5, 0.75, 1.0}) c.Line(kLeft, PlotY(p), kPlotWidth - kRight, PlotY(p), kGridColor);
  for (size_t i = 1; i < r.scenes.size(); ++i) {
    const double x = PlotX(r, static_cast<double>(r.scenes[i][0]));
    c.Line(x, kTop, x, kPlotHeight - kBottom, kCutColor);
  }
  c.Line(kLeft, PlotY(rep.threshold), kPlotWidth - kRight, PlotY(rep.threshold), kAxisColor, 4);
  c.Line(kLeft, kTop, kLeft, kPlotHeight - kBottom, kAxisColor);
  c.Line(kLeft, kPlotHeight - kBottom, kPlotWidth - kRight, kPlotHeight - kBottom, kAxisColor);
  auto curve = [&](const std::vector<float>& v, std::array<uint8_t, 3> color) {
    for (size_t x = 1; x < v.size(); ++x)
      c.Line(ColumnX(cols, x - 1), PlotY(v[x - 1]), ColumnX(cols, x), PlotY(v[x]), color);
    if (v.size() == 1) c.Set(static_cast<int>(ColumnX(cols, 0)), static_cast<int>(PlotY(v[0])), color);
  };
  curve(cols.all, kAllColor);
  curve(cols.single, kSingleColor);
  return EncodePng(c);
}

}  // namespace webconv::cli
