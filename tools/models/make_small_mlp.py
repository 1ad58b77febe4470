#!/usr/bin/python3
"""Writes models/small_mlp.onnx: a small seeded-random network (Gemm, MatMul, activations, and a reshape
target computed from the input's shape) that the CLI and session tests run in milliseconds.

The weights are random (seed below), not trained. Uses Debian's python3-onnx and numpy:
    /usr/bin/python3 tools/models/make_small_mlp.py [OUT]
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

SEED = 20261124


def main(out):
    rng = np.random.default_rng(SEED)
    w1 = rng.standard_normal((64, 128)).astype(np.float32) * 0.1
    b1 = rng.standard_normal(128).astype(np.float32) * 0.1
    w2 = rng.standard_normal((128, 32)).astype(np.float32) * 0.1
    b2 = rng.standard_normal(32).astype(np.float32) * 0.1
    inits = [numpy_helper.from_array(a, n) for a, n in ((w1, "w1"), (b1, "b1"), (w2, "w2"), (b2, "b2"))]
    inits.append(numpy_helper.from_array(np.array([0], np.int64), "zero"))
    inits.append(numpy_helper.from_array(np.array([4, 8], np.int64), "tail"))
    nodes = [
        helper.make_node("Gemm", ["features", "w1", "b1"], ["h1"], name="fc1"),
        helper.make_node("Relu", ["h1"], ["a1"], name="relu1"),
        helper.make_node("MatMul", ["a1", "w2"], ["m2"], name="fc2"),
        helper.make_node("Add", ["m2", "b2"], ["h2"], name="fc2_bias"),
        helper.make_node("Tanh", ["h2"], ["a2"], name="tanh2"),
        # The reshape target is computed from the input's shape: folded away when planning.
        helper.make_node("Shape", ["features"], ["in_shape"], name="shape"),
        helper.make_node("Gather", ["in_shape", "zero"], ["batch"], name="batch_dim", axis=0),
        helper.make_node("Concat", ["batch", "tail"], ["target"], name="target_shape", axis=0),
        helper.make_node("Reshape", ["a2", "target"], ["grid"], name="to_grid"),
        helper.make_node("Transpose", ["grid"], ["grid_t"], name="transpose", perm=[0, 2, 1]),
        helper.make_node("Flatten", ["grid_t"], ["flat"], name="flatten", axis=1),
        helper.make_node("Sigmoid", ["flat"], ["probabilities"], name="sigmoid"),
    ]
    graph = helper.make_graph(
        nodes, "webconv_small_mlp",
        [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["batch", 64])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["batch", 32])],
        inits)
    model = helper.make_model(graph, producer_name="webconv tools/models/make_small_mlp.py",
                              opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, out)
    print(f"wrote {out} (seed {SEED}; random weights, not trained)")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "models/small_mlp.onnx")
