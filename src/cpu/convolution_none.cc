// cpu/convolution.h where the build has no convolution library (the WebAssembly build, or a native build
// without libdnnl-dev): callers run
// their im2col + Sgemm path.
#ifndef WEBCONV_HAVE_ONEDNN
#include "cpu/convolution.h"

namespace webconv::cpu {

bool ConvolutionAvailable() { return false; }
const char* ConvolutionLibrary() { return ""; }
bool Convolution(const ConvolutionSpec&, const float*, const float*, const float*, float*,
                 std::shared_ptr<ConvolutionWeights>*, Workspace*) {
  return false;
}

}  // namespace webconv::cpu
#endif
