"""TransNetV2 in PyTorch, as published (Souček and Lokoč, 2020; soCzech/TransNetV2): three stacks of two
dilated DCNN blocks (four (2+1)-D branches with temporal dilations 1, 2, 4, 8; batch norm), 2x2 average
pools, a frame-similarity branch over the stacks' spatial means, a colour-histogram similarity branch, a
1024-wide dense layer, and two heads: single-frame (transition centre) and all-frames (every transition
frame). Input: uint8 frames [B, T, 27, 48, 3]; outputs: logits [B, T, 1] and [B, T, 1].

Written for tools/train/train.py; exported to ONNX (opset 17) for webconv.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

LOOKUP = 101  # frames a similarity branch compares each frame with (50 either side)


class Branch(nn.Module):
    """(2+1)-D convolution: 3x3 spatial to 2F channels, then 3-tap temporal with dilation d to F."""

    def __init__(self, cin, f, d):
        super().__init__()
        self.spatial = nn.Conv3d(cin, 2 * f, (1, 3, 3), padding=(0, 1, 1), bias=False)
        self.temporal = nn.Conv3d(2 * f, f, (3, 1, 1), dilation=(d, 1, 1), padding=(d, 0, 0), bias=False)

    def forward(self, x):
        return self.temporal(self.spatial(x))


class DilatedBlock(nn.Module):
    def __init__(self, cin, f, relu):
        super().__init__()
        self.branches = nn.ModuleList([Branch(cin, f, d) for d in (1, 2, 4, 8)])
        self.bn = nn.BatchNorm3d(4 * f, eps=1e-3)
        self.relu = relu

    def forward(self, x):
        x = self.bn(torch.cat([b(x) for b in self.branches], 1))
        return F.relu(x) if self.relu else x


class Stack(nn.Module):
    """Two blocks, the first one's output added back after the second's ReLU, then a 1x2x2 average pool."""

    def __init__(self, cin, f):
        super().__init__()
        self.first = DilatedBlock(cin, f, relu=True)
        self.second = DilatedBlock(4 * f, f, relu=False)

    def forward(self, x):
        first = self.first(x)
        x = F.relu(self.second(first)) + first
        return F.avg_pool3d(x, (1, 2, 2))


def lookup_band(sim):
    """[B, T, T] similarities -> [B, T, LOOKUP]: for each frame, its similarity with the 50 frames before
    and after (zero beyond the ends)."""
    b, t, _ = sim.shape
    half = (LOOKUP - 1) // 2
    padded = F.pad(sim, (half, half))                                    # [B, T, T + 100]
    idx = torch.arange(t, device=sim.device)[:, None] + torch.arange(LOOKUP, device=sim.device)[None, :]
    return torch.gather(padded, 2, idx[None].expand(b, t, LOOKUP))


class FrameSimilarity(nn.Module):
    def __init__(self, cin):
        super().__init__()
        self.projection = nn.Linear(cin, 128, bias=True)
        self.fc = nn.Linear(LOOKUP, 128)

    def forward(self, features):
        x = torch.cat([f.mean(dim=(3, 4)) for f in features], 1).transpose(1, 2)   # [B, T, 448]
        x = F.normalize(self.projection(x), p=2, dim=2)
        return F.relu(self.fc(lookup_band(torch.bmm(x, x.transpose(1, 2)))))


class ColorHistograms(nn.Module):
    """512-bin RGB histograms (3 bits a channel), L2-normalised, compared frame to frame."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(LOOKUP, 128)

    def forward(self, frames):
        b, t, h, w, _ = frames.shape
        q = frames.to(torch.int64) >> 5
        bins = (q[..., 0] << 6) + (q[..., 1] << 3) + q[..., 2]                       # [B, T, H, W]
        bins = bins.reshape(b, t, h * w)
        hist = torch.zeros(b, t, 512, device=frames.device, dtype=torch.float32)
        hist = hist.scatter_add(2, bins, torch.ones_like(bins, dtype=torch.float32))
        hist = F.normalize(hist, p=2, dim=2)
        return F.relu(self.fc(lookup_band(torch.bmm(hist, hist.transpose(1, 2)))))


class TransNetV2(nn.Module):
    def __init__(self, filters=16, dense=1024, dropout=0.5):
        super().__init__()
        chans = [4 * filters * 2 ** i for i in range(3)]                                # 64, 128, 256
        self.stacks = nn.ModuleList([Stack(3, filters), Stack(chans[0], 2 * filters), Stack(chans[1], 4 * filters)])
        self.similarity = FrameSimilarity(sum(chans))
        self.histograms = ColorHistograms()
        self.fc1 = nn.Linear(chans[2] * 3 * 6 + 128 + 128, dense)
        self.dropout = nn.Dropout(dropout)
        self.single = nn.Linear(dense, 1)
        self.many = nn.Linear(dense, 1)

    def forward(self, frames):
        x = frames.permute(0, 4, 1, 2, 3).float() / 255.0                                 # [B, 3, T, 27, 48]
        features = []
        for s in self.stacks:
            x = s(x)
            features.append(x)
        b, c, t = x.shape[:3]
        x = x.permute(0, 2, 3, 4, 1).reshape(b, t, -1)                                   # [B, T, 256*3*6]
        x = torch.cat([self.histograms(frames), self.similarity(features), x], 2)
        x = self.dropout(F.relu(self.fc1(x)))
        return self.single(x), self.many(x)
