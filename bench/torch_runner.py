"""PyTorch cuDNN timings for the benchmark rows (FP32: TF32 off), the `--torch` column of suite.py.

Layer rows run the same Conv (shape, stride, dilation, groups, bias) with random weights; the
TransNetV2 backbone rows run the same architecture as tools/models/make_transnetv2.py (BatchNorm in
inference form). Other whole models have no PyTorch twin here and get no cuDNN time. Timing follows
the device's cudnn-transnet.py: CUDA events around each call, median of N after warm-up calls.
cuDNN autotuning (cudnn.benchmark) is on, so the column is cuDNN's best algorithm per shape.
"""


def available():
    try:
        import torch
        return torch.cuda.is_available()
    except Exception:  # noqa: BLE001 (no torch, or a broken install: no column)
        return False


class Runner:
    def __init__(self, runs, warmup):
        import torch
        self.torch, self.runs, self.warmup = torch, runs, warmup
        torch.backends.cudnn.allow_tf32 = False
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.benchmark = True
        self.device_name = torch.cuda.get_device_name(0)

    def _time(self, f):
        torch = self.torch
        with torch.no_grad():
            for _ in range(max(self.warmup, 1)):
                f()
            torch.cuda.synchronize()
            e0, e1, ts = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True), []
            for _ in range(self.runs):
                e0.record()
                f()
                e1.record()
                torch.cuda.synchronize()
                ts.append(e0.elapsed_time(e1))
        ts.sort()
        n = len(ts)
        return ts[n // 2] if n % 2 else 0.5 * (ts[n // 2 - 1] + ts[n // 2])

    def conv(self, s):
        torch = self.torch
        F = torch.nn.functional
        nd = len(s["kernel"])
        conv = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}[nd]
        x = torch.randn([1, s["cin"]] + s["in_spatial"], device="cuda")
        w = torch.randn([s["cout"], s["cin"] // s["group"]] + s["kernel"], device="cuda")
        b = torch.randn(s["cout"], device="cuda") if s["bias"] else None
        begin, end = s["pads"][:nd], s["pads"][nd:]
        if begin == end:
            return self._time(lambda: conv(x, w, b, s["stride"], begin, s["dilation"], s["group"]))
        flat = [p for i in reversed(range(nd)) for p in (begin[i], end[i])]
        return self._time(lambda: conv(F.pad(x, flat), w, b, s["stride"], 0, s["dilation"], s["group"]))

    def transnetv2_backbone(self, frames):
        torch = self.torch
        nn = torch.nn

        class Block(nn.Module):
            def __init__(self, cin, f, relu):
                super().__init__()
                self.sp = nn.ModuleList(nn.Conv3d(cin, 2 * f, (1, 3, 3), padding=(0, 1, 1), bias=False)
                                        for _ in range(4))
                self.tm = nn.ModuleList(nn.Conv3d(2 * f, f, (3, 1, 1), dilation=(d, 1, 1), padding=(d, 0, 0),
                                                  bias=False) for d in (1, 2, 4, 8))
                self.bn, self.relu = nn.BatchNorm3d(4 * f, eps=1e-3), relu

            def forward(self, x):
                y = self.bn(torch.cat([t(p(x)) for p, t in zip(self.sp, self.tm)], 1))
                return torch.relu(y) if self.relu else y

        class Backbone(nn.Module):
            def __init__(self):
                super().__init__()
                stacks, cin = [], 3
                for f in (16, 32, 64):
                    stacks.append(nn.ModuleList([Block(cin, f, True), Block(4 * f, f, False)]))
                    cin = 4 * f
                self.stacks, self.pool = nn.ModuleList(stacks), nn.AvgPool3d((1, 2, 2))

            def forward(self, x):
                for first, second in self.stacks:
                    x = first(x)
                    x = self.pool(torch.relu(second(x)) + x)
                return x

        m = Backbone().cuda().eval()
        x = torch.randn(1, 3, frames, 27, 48, device="cuda")
        return self._time(lambda: m(x))

    def row(self, r):
        """cuDNN milliseconds for a row, or None when it has no PyTorch twin."""
        if "spec" in r:
            return self.conv(r["spec"])
        t = r.get("torch")
        if t and t.get("net") == "transnetv2_backbone":
            return self.transnetv2_backbone(t["frames"])
        return None
