// onnx_dump: prints webconv's canonical dump of each model given, in the format of tools/onnx_dump.py
// ("=== PATH" then the dump, or "error" with the reason on stderr), so the two can be diffed by hand:
//   diff <(onnx_dump m.onnx) <(/usr/bin/python3 tools/onnx_dump.py m.onnx)
#include <cstdio>

#include "onnx/loader.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s MODEL.onnx...\n", argv[0]);
    return 2;
  }
  int rc = 0;
  for (int i = 1; i < argc; ++i) {
    std::printf("=== %s\n", argv[i]);
    auto m = webconv::onnx::LoadModelFile(argv[i]);
    if (!m.ok()) {
      std::printf("error\n");
      std::fprintf(stderr, "%s\n", m.status().ToString().c_str());
      rc = m.status().exit_code();
      continue;
    }
    const std::string dump = webconv::onnx::DumpModel(m.value()->proto);
    std::fwrite(dump.data(), 1, dump.size(), stdout);
  }
  return rc;
}
