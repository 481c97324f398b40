# SPDX-License-Identifier: GPL-3.0-or-later
"""U-net definitions Calvaria runs: a classic 2-D U-net (Conv-BatchNorm-ReLU
pairs, max pooling, bilinear or transposed-convolution upsampling, skip
concatenation) and a MONAI-style UNet (residual units of strided
Conv-InstanceNorm-PReLU, transposed-convolution decoder), written in plain
PyTorch so that only Debian's python3-torch is needed."""

import torch
from torch import nn


class ConvBlock(nn.Sequential):
    def __init__(self, cin, cout):
        super().__init__(
            nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True),
            nn.Conv2d(cout, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class UNet(nn.Module):
    """base: channels of the first level; levels: poolings; up: 'bilinear' or 'transpose'."""

    def __init__(self, in_channels=3, out_channels=1, base=16, levels=4, up="bilinear"):
        super().__init__()
        widths = [base * 2 ** i for i in range(levels + 1)]
        self.down = nn.ModuleList([ConvBlock(in_channels, widths[0])] +
                                  [ConvBlock(widths[i], widths[i + 1]) for i in range(levels)])
        self.pool = nn.MaxPool2d(2)
        self.up = nn.ModuleList()
        self.merge = nn.ModuleList()
        for i in reversed(range(levels)):
            if up == "bilinear":
                self.up.append(nn.Sequential(nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False),
                                             nn.Conv2d(widths[i + 1], widths[i], 1)))
            else:
                self.up.append(nn.ConvTranspose2d(widths[i + 1], widths[i], 2, stride=2))
            self.merge.append(ConvBlock(2 * widths[i], widths[i]))
        self.head = nn.Conv2d(widths[0], out_channels, 1)

    def forward(self, x):
        skips = []
        for i, block in enumerate(self.down):
            x = block(x if i == 0 else self.pool(x))
            skips.append(x)
        x = skips.pop()
        for up, merge in zip(self.up, self.merge):
            x = merge(torch.cat([skips.pop(), up(x)], dim=1))
        return self.head(x)


class ResidualUnit(nn.Module):
    """MONAI's ResidualUnit: two Conv-InstanceNorm-PReLU units, the first
    strided, and a strided 3×3 (or 1×1) convolution on the residual path."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv = nn.Sequential(
            nn.Conv2d(cin, cout, 3, stride=stride, padding=1), nn.InstanceNorm2d(cout, affine=True), nn.PReLU(),
            nn.Conv2d(cout, cout, 3, padding=1), nn.InstanceNorm2d(cout, affine=True), nn.PReLU())
        self.residual = nn.Conv2d(cin, cout, 3 if stride != 1 else 1, stride=stride, padding=1 if stride != 1 else 0)

    def forward(self, x):
        return self.conv(x) + self.residual(x)


class MonaiStyleUNet(nn.Module):
    """The layout of monai.networks.nets.UNet(spatial_dims=2, channels=(16, 32, 64, 128),
    strides=(2, 2, 2), num_res_units=2): strided residual encoder, transposed
    convolutions with InstanceNorm and PReLU on the way up."""

    def __init__(self, in_channels=1, out_channels=2, channels=(16, 32, 64, 128)):
        super().__init__()
        self.down = nn.ModuleList()
        cin = in_channels
        for i, c in enumerate(channels):
            self.down.append(ResidualUnit(cin, c, 1 if i == 0 else 2))
            cin = c
        self.up = nn.ModuleList()
        for i in reversed(range(len(channels) - 1)):
            self.up.append(nn.Sequential(
                nn.ConvTranspose2d(channels[i + 1] if i == len(channels) - 2 else 2 * channels[i + 1], channels[i],
                                   3, stride=2, padding=1, output_padding=1),
                nn.InstanceNorm2d(channels[i], affine=True), nn.PReLU()))
        self.head = nn.Conv2d(2 * channels[0], out_channels, 1)

    def forward(self, x):
        skips = []
        for block in self.down:
            x = block(x)
            skips.append(x)
        x = skips.pop()
        for up in self.up:
            x = torch.cat([skips.pop(), up(x)], dim=1)
        return self.head(x)


def randomize_statistics(model, generator):
    """Random BatchNorm statistics and InstanceNorm affine parameters, so
    that folding them into convolutions is actually tested."""
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.copy_(0.1 * torch.randn(m.num_features, generator=generator))
            m.running_var.copy_(0.5 + torch.rand(m.num_features, generator=generator))
            m.weight.data.copy_(0.5 + torch.rand(m.num_features, generator=generator))
            m.bias.data.copy_(0.1 * torch.randn(m.num_features, generator=generator))
        elif isinstance(m, nn.InstanceNorm2d):
            m.weight.data.copy_(0.5 + torch.rand(m.num_features, generator=generator))
            m.bias.data.copy_(0.1 * torch.randn(m.num_features, generator=generator))
        elif isinstance(m, nn.PReLU):
            m.weight.data.copy_(0.1 + 0.3 * torch.rand(m.weight.shape, generator=generator))
