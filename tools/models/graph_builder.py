"""Small ONNX graph-writing helper shared by the model builders (make_transnetv2.py, make_resnet.py,
make_mobilenetv2.py, make_mobilenetv3.py, make_dbnet.py, make_tf_same.py, make_unet3d.py,
make_tcn1d.py).

Weights are seeded random (He-scaled, so activations keep their scale through deep stacks), never trained.
Every node gets a unique readable name, so webconv's errors and inspect output point at it.
"""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

BN_EPS = 1e-5


def same_pads(size, kernel, stride, dilation=1, upper=True):
    """The (begin, end) padding auto_pad=SAME_UPPER/SAME_LOWER gives one axis (ONNX spec formula)."""
    out = -(-size // stride)
    total = max(0, (out - 1) * stride + (kernel - 1) * dilation + 1 - size)
    small = total // 2
    return (small, total - small) if upper else (total - small, small)


class GraphBuilder:
    def __init__(self, seed=None, rng=None):
        """Weights come from `rng` when given (a caller keeping its own stream), else from a new one seeded with `seed`."""
        self.rng = rng if rng is not None else np.random.default_rng(seed)
        self.nodes, self.inits = [], []
        self.count = 0

    def name(self, prefix):
        self.count += 1
        return f"{prefix}_{self.count}"

    def const(self, array, prefix):
        n = self.name(prefix)
        self.inits.append(numpy_helper.from_array(np.asarray(array), n))
        return n

    def node(self, op, inputs, prefix, **attrs):
        out = self.name(prefix)
        self.nodes.append(helper.make_node(op, inputs, [out], name=out, **attrs))
        return out

    def rename_output(self, old, new):
        """Gives a graph output a stable name (the file webconv and ONNX Runtime write is named after it)."""
        for n in self.nodes:
            n.output[:] = [new if o == old else o for o in n.output]
            n.input[:] = [new if i == old else i for i in n.input]
        return new

    def weight(self, shape, fan_in, gain=2.0):
        return (self.rng.standard_normal(shape) * np.sqrt(gain / fan_in)).astype(np.float32)

    def conv(self, x, cin, cout, kernel, stride=1, pads=None, dilation=1, group=1, bias=True, auto_pad=None,
             prefix="conv"):
        """N-D Conv; kernel/stride/dilation are tuples (one entry per spatial axis) or ints (2-D)."""
        kernel = tuple(kernel) if isinstance(kernel, (tuple, list)) else (kernel, kernel)
        rank = len(kernel)
        stride = tuple(stride) if isinstance(stride, (tuple, list)) else (stride,) * rank
        dilation = tuple(dilation) if isinstance(dilation, (tuple, list)) else (dilation,) * rank
        fan_in = cin // group * int(np.prod(kernel))
        inputs = [x, self.const(self.weight((cout, cin // group) + kernel, fan_in), "w")]
        if bias:
            inputs.append(self.const((0.1 * self.rng.standard_normal(cout)).astype(np.float32), "b"))
        attrs = {"kernel_shape": list(kernel), "strides": list(stride)}
        if any(d != 1 for d in dilation):
            attrs["dilations"] = list(dilation)
        if group != 1:
            attrs["group"] = group
        if auto_pad is not None:
            attrs["auto_pad"] = auto_pad
        elif pads is not None:
            attrs["pads"] = list(pads)
        return self.node("Conv", inputs, prefix, **attrs)

    def conv_transpose(self, x, cin, cout, kernel, stride, pads=None, output_padding=None, prefix="deconv"):
        kernel, stride = tuple(kernel), tuple(stride)
        # Each output element sums about cin * prod(kernel / stride) products.
        fan_in = max(1, cin * int(np.prod([k / s for k, s in zip(kernel, stride)])))
        inputs = [x, self.const(self.weight((cin, cout) + kernel, fan_in), "wt"),
                  self.const((0.1 * self.rng.standard_normal(cout)).astype(np.float32), "bt")]
        attrs = {"kernel_shape": list(kernel), "strides": list(stride)}
        if pads is not None:
            attrs["pads"] = list(pads)
        if output_padding is not None:
            attrs["output_padding"] = list(output_padding)
        return self.node("ConvTranspose", inputs, prefix, **attrs)

    def batchnorm(self, x, c):
        r = self.rng
        params = ((1 + 0.1 * r.standard_normal(c), "bn_scale"), (0.1 * r.standard_normal(c), "bn_bias"),
                  (0.1 * r.standard_normal(c), "bn_mean"), (1 + 0.2 * r.random(c), "bn_var"))
        ins = [x] + [self.const(a.astype(np.float32), p) for a, p in params]
        return self.node("BatchNormalization", ins, "bn", epsilon=BN_EPS)

    def relu(self, x):
        return self.node("Relu", [x], "relu")

    def add(self, a, b, prefix="add"):
        return self.node("Add", [a, b], prefix)

    def gemm_head(self, x, cin, classes):
        """GlobalAveragePool -> Flatten -> Gemm(transB=1) classifier."""
        x = self.node("GlobalAveragePool", [x], "gap")
        x = self.node("Flatten", [x], "flatten", axis=1)
        w = self.const(self.weight((classes, cin), cin, gain=1.0), "fc_w")
        b = self.const((0.1 * self.rng.standard_normal(classes)).astype(np.float32), "fc_b")
        return self.node("Gemm", [x, w, b], "fc", transB=1)

    def model(self, graph_name, inputs, outputs, opset, producer, doc):
        """inputs: (name, shape) pairs; outputs: names. All float32; output shapes come from ONNX's inference."""
        graph = helper.make_graph(
            self.nodes, graph_name,
            [helper.make_tensor_value_info(n, TensorProto.FLOAT, list(s)) for n, s in inputs],
            [helper.make_tensor_value_info(n, TensorProto.FLOAT, None) for n in outputs], self.inits)
        model = helper.make_model(graph, producer_name=producer, opset_imports=[helper.make_opsetid("", opset)])
        model.ir_version = 8
        model.doc_string = doc
        inferred = onnx.shape_inference.infer_shapes(model, strict_mode=True)
        known = {vi.name: vi for vi in list(inferred.graph.value_info) + list(inferred.graph.output)}
        for out in model.graph.output:
            if known.get(out.name) is not None and known[out.name].type.tensor_type.HasField("shape"):
                out.type.tensor_type.shape.CopyFrom(known[out.name].type.tensor_type.shape)
        onnx.checker.check_model(model)
        return model
