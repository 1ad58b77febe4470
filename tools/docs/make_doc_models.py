#!/usr/bin/python3
"""Writes the one-node models that docs/differences-from-ort-web.md runs through webconv and ONNX Runtime.

    /usr/bin/python3 tools/docs/make_doc_models.py OUT_DIR

Each model is a single node with seeded random weights (numpy seed 0) and small shapes, so that every
command in that document runs in about a second on SwiftShader:
  conv_opset6.onnx          Conv in an opset-6 model (ONNX Runtime's WebGPU EP moves such models to its CPU EP)
  conv3d_asym_pads.onnx     3-D Conv, pads [0,1,1,0,1,1] (begin != end, as in TransNetV2's torch export)
  conv_same_dilated.onnx    2-D Conv, auto_pad SAME_UPPER with dilations [2,2] (as tf2onnx writes)
  batchnorm_opset6.onnx     BatchNormalization-6 (is_test=1), as old converters wrote it
  averagepool_opset1.onnx   AveragePool-1
  conv_float16.onnx         float16 Conv
  relu_opset18.onnx         Relu in an opset-18 model
  convtranspose3d.onnx      3-D ConvTranspose, stride 2 (the upsampling step of 3-D U-Nets)
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def save(path, node, x_type, x_shape, inits, opset):
    x = helper.make_tensor_value_info("x", x_type, x_shape)
    y = helper.make_tensor_value_info("y", x_type, None)
    graph = helper.make_graph([node], os.path.basename(path)[:-5], [x], [y], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 3 if opset < 7 else (8 if opset >= 18 else 7)
    onnx.save(model, path)


def main(out):
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(0)

    def weights(shape, dtype=np.float32):
        return numpy_helper.from_array(rng.standard_normal(shape).astype(dtype), "w")

    def conv(name, **attrs):
        return helper.make_node("Conv", ["x", "w"], ["y"], name=name, **attrs)

    f32 = TensorProto.FLOAT
    save(f"{out}/conv_opset6.onnx", conv("conv_1", pads=[1, 1, 1, 1]), f32, [1, 2, 8, 8], [weights([4, 2, 3, 3])], 6)
    save(f"{out}/conv3d_asym_pads.onnx", conv("conv_1", pads=[0, 1, 1, 0, 1, 1]), f32, [1, 2, 4, 6, 6],
         [weights([3, 2, 3, 3, 3])], 13)
    save(f"{out}/conv_same_dilated.onnx", conv("conv_1", auto_pad="SAME_UPPER", dilations=[2, 2]), f32,
         [1, 2, 9, 9], [weights([3, 2, 3, 3])], 13)
    stats = [numpy_helper.from_array(rng.standard_normal(3).astype(np.float32), n) for n in ("scale", "bias", "mean")]
    stats.append(numpy_helper.from_array((rng.random(3) + 0.5).astype(np.float32), "var"))
    bn = helper.make_node("BatchNormalization", ["x", "scale", "bias", "mean", "var"], ["y"], name="bn_1", is_test=1)
    save(f"{out}/batchnorm_opset6.onnx", bn, f32, [1, 3, 4, 4], stats, 6)
    pool = helper.make_node("AveragePool", ["x"], ["y"], name="pool_1", kernel_shape=[2, 2])
    save(f"{out}/averagepool_opset1.onnx", pool, f32, [1, 3, 4, 4], [], 1)
    save(f"{out}/conv_float16.onnx", conv("conv_1"), TensorProto.FLOAT16, [1, 2, 8, 8],
         [weights([4, 2, 3, 3], np.float16)], 13)
    save(f"{out}/relu_opset18.onnx", helper.make_node("Relu", ["x"], ["y"], name="relu_1"), f32, [1, 4], [], 18)
    up = helper.make_node("ConvTranspose", ["x", "w"], ["y"], name="up_1", strides=[2, 2, 2])
    save(f"{out}/convtranspose3d.onnx", up, f32, [1, 4, 3, 4, 4], [weights([4, 2, 2, 2, 2])], 13)
    print(f"wrote 8 models to {out}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
