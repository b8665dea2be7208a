"""satfarm's bench networks in PyTorch, as anchors for the webgpu figures.

bench-cnn: the bench CNN of `npm run bench:training` (simple-cnn, depth 3: conv16-BN-ReLU,
conv16-BN-ReLU, 2x2 max-pool, conv32-BN-ReLU, global average pool, dense 10; 3x3 'same' convs without
bias), 28 px, one channel. vgg11: VGG11 as satfarm builds it (packages/models/src/vgg.ts: 3x3 'same'
convs without bias, each with batch norm (Keras momentum 0.9) and ReLU, a 2x2 max-pool after each of
the five stacks, global average pooling, dense 512 + ReLU, dense 10), width x1, 3 channels.
Adam 1e-3, softmax cross-entropy, random inputs. Prints one JSON line: device, network, batch,
samples per second.
    python3 bench/device/torch_anchor.py [--network bench-cnn|vgg11] [--resolution R] [--batch 256]
                                         [--steps 50] [--device cuda|cpu]
"""
import argparse
import json
import time

import torch
from torch import nn


def block(cin: int, cout: int) -> list[nn.Module]:
    return [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout, momentum=0.1), nn.ReLU()]


def bench_cnn() -> nn.Module:
    return nn.Sequential(
        *block(1, 16), *block(16, 16), nn.MaxPool2d(2), *block(16, 32),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(32, 10),
    )


VGG11_STACKS = [[64], [128], [256, 256], [512, 512], [512, 512]]


def vgg11(channels: int) -> nn.Module:
    layers: list[nn.Module] = []
    cin = channels
    for stack in VGG11_STACKS:
        for cout in stack:
            layers += block(cin, cout)
            cin = cout
        layers.append(nn.MaxPool2d(2))
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(cin, 512), nn.ReLU(), nn.Linear(512, 10)]
    return nn.Sequential(*layers)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--network", choices=["bench-cnn", "vgg11"], default="bench-cnn")
    parser.add_argument("--resolution", type=int)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    args = parser.parse_args()
    device = torch.device(args.device)
    torch.manual_seed(1)
    channels = 1 if args.network == "bench-cnn" else 3
    resolution = args.resolution or (28 if args.network == "bench-cnn" else 64)
    model = (bench_cnn() if args.network == "bench-cnn" else vgg11(channels)).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    x = torch.randn(args.batch, channels, resolution, resolution, device=device)
    y = torch.randint(0, 10, (args.batch,), device=device)

    def step() -> None:
        optimizer.zero_grad(set_to_none=True)
        loss_fn(model(x), y).backward()
        optimizer.step()

    def sync() -> None:
        if device.type == "cuda":
            torch.cuda.synchronize()

    for _ in range(args.warmup):
        step()
    sync()
    start = time.perf_counter()
    for _ in range(args.steps):
        step()
    sync()
    seconds = time.perf_counter() - start
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"
    print(json.dumps({
        "device": name, "torch": torch.__version__, "network": args.network, "resolution": resolution,
        "channels": channels, "batch": args.batch, "steps": args.steps,
        "samplesPerSecond": args.steps * args.batch / seconds,
    }))


if __name__ == "__main__":
    main()
