#!/usr/bin/env python3
"""Batched loss surface in plain PyTorch: the GPU baseline of bench-surface.

Reads what bench-surface wrote into DIR (raw little-endian arrays, described in
meta.json), evaluates every grid point's parameters center + a * xdir + b * ydir on the
whole sample set, many points at a time with batched matrix products (no first-layer
factorization), and prints one JSON line: the seconds taken (data already on the device,
after a warm-up) and the loss and accuracy of every cell.  fp32 with TF32 off unless
--tf32 is given.

    torch_surface_baseline.py DIR [--tf32] [--device cuda]
"""
import argparse
import json
import time

import numpy as np
import torch


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("directory")
    parser.add_argument("--tf32", action="store_true")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    args = parser.parse_args()
    torch.backends.cuda.matmul.allow_tf32 = args.tf32
    torch.backends.cudnn.allow_tf32 = args.tf32
    dev = torch.device(args.device)

    with open(f"{args.directory}/meta.json") as f:
        meta = json.load(f)
    sizes, n = meta["sizes"], meta["samples"]
    load = lambda name, dtype: torch.from_numpy(np.fromfile(f"{args.directory}/{name}", dtype=dtype)).to(dev)
    center, xdir, ydir = load("center.f32", "<f4"), load("xdir.f32", "<f4"), load("ydir.f32", "<f4")
    x = load("x.f32", "<f4").reshape(n, sizes[0])
    y = load("y.i32", "<i4").long()
    xs, ys = meta["xs"], meta["ys"]
    a = torch.tensor([ax for _ in ys for ax in xs], dtype=torch.float32, device=dev)
    b = torch.tensor([by for by in ys for _ in xs], dtype=torch.float32, device=dev)
    cells = a.numel()

    def layers(params):
        out, off = [], 0
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
            w = params[:, off:off + fan_out * fan_in].reshape(-1, fan_out, fan_in)
            off += fan_out * fan_in
            out.append((w, params[:, off:off + fan_out]))
            off += fan_out
        return out

    # Points and samples per chunk: keep the [points, samples, 200] activations near 2 GiB.
    points_per_chunk = 32
    samples_per_chunk = max(1, min(n, (2 << 30) // (4 * 200 * points_per_chunk)))

    def surface():
        loss = torch.zeros(cells, dtype=torch.float64, device=dev)
        correct = torch.zeros(cells, dtype=torch.float64, device=dev)
        with torch.no_grad():
            for p0 in range(0, cells, points_per_chunk):
                p1 = min(cells, p0 + points_per_chunk)
                params = center + a[p0:p1, None] * xdir + b[p0:p1, None] * ydir
                net = layers(params)
                for s0 in range(0, n, samples_per_chunk):
                    h = x[s0:s0 + samples_per_chunk]
                    for i, (w, bias) in enumerate(net):
                        h = torch.matmul(h, w.transpose(1, 2)) + bias[:, None, :]
                        if i < len(net) - 1:
                            h = torch.relu(h)
                    target = y[s0:s0 + samples_per_chunk]
                    ce = torch.nn.functional.cross_entropy(h.transpose(1, 2), target.expand(h.shape[0], -1),
                                                           reduction="none")
                    loss[p0:p1] += ce.double().sum(dim=1)
                    correct[p0:p1] += (h.argmax(dim=2) == target).double().sum(dim=1)
        return loss / n, 100.0 * correct / n

    surface()  # warm-up: kernels chosen, memory pooled
    # The fastest of the runs bench-surface asks for, as it times its own side.
    seconds = float("inf")
    for _ in range(meta.get("repeat", 1)):
        if dev.type == "cuda":
            torch.cuda.synchronize()
        start = time.perf_counter()
        loss, acc = surface()
        if dev.type == "cuda":
            torch.cuda.synchronize()
        seconds = min(seconds, time.perf_counter() - start)
    print(json.dumps({"seconds": seconds, "device": torch.cuda.get_device_name(dev) if dev.type == "cuda" else "cpu",
                      "tf32": args.tf32, "loss": loss.cpu().tolist(), "acc": acc.cpu().tolist()}))


if __name__ == "__main__":
    main()
