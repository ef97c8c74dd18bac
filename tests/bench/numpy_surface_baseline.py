#!/usr/bin/env python3
"""Point-by-point loss surface in NumPy: the baseline of bench-surface.

For each grid point the parameters are set to center + a * xdir + b * ydir and the whole
network is evaluated, as loss-landscape does (with one batch instead of a loop).  Reads
what bench-surface wrote into DIR (raw little-endian arrays, described in meta.json) and
prints one JSON line: the seconds taken and the loss and accuracy of every cell.  With
`once` after DIR it computes the surface once, for bench-surface to time the whole process.
"""
import ctypes
import json
import sys
import time

import numpy as np


def blas_core():
    """The core whose kernels NumPy's OpenBLAS runs (bench-surface prints Relief's beside
    it, to show both sides on the same kernels), or "unknown" for another BLAS."""
    with open("/proc/self/maps") as f:
        paths = {line.split()[-1] for line in f if "blas" in line and ".so" in line}
    for path in sorted(paths):
        try:
            corename = ctypes.CDLL(path).openblas_get_corename
        except (OSError, AttributeError):
            continue
        corename.restype = ctypes.c_char_p
        return corename().decode()
    return "unknown"


def main(directory, once=False):
    with open(f"{directory}/meta.json") as f:
        meta = json.load(f)
    sizes, n = meta["sizes"], meta["samples"]
    load = lambda name, dtype: np.fromfile(f"{directory}/{name}", dtype=dtype)
    center, xdir, ydir = load("center.f32", "<f4"), load("xdir.f32", "<f4"), load("ydir.f32", "<f4")
    x = load("x.f32", "<f4").reshape(n, sizes[0])
    y = load("y.i32", "<i4")
    xs, ys = np.array(meta["xs"]), np.array(meta["ys"])

    def unflatten(p):
        layers, off = [], 0
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
            w = p[off:off + fan_out * fan_in].reshape(fan_out, fan_in)
            off += fan_out * fan_in
            layers.append((w, p[off:off + fan_out]))
            off += fan_out
        return layers

    loss = np.empty((len(ys), len(xs)))
    acc = np.empty((len(ys), len(xs)))

    def surface():
        for iy, b in enumerate(ys):
            for ix, a in enumerate(xs):
                params = center + np.float32(a) * xdir + np.float32(b) * ydir
                h = x
                layers = unflatten(params)
                for i, (w, bias) in enumerate(layers):
                    h = h @ w.T + bias
                    if i < len(layers) - 1:
                        np.maximum(h, 0, out=h)
                top = h.max(axis=1, keepdims=True)
                logsumexp = top[:, 0] + np.log(np.exp(h - top).sum(axis=1))
                loss[iy, ix] = float(np.mean(logsumexp - h[np.arange(n), y]))
                acc[iy, ix] = 100.0 * float(np.mean(h.argmax(axis=1) == y))

    # The fastest of the runs bench-surface asks for, as it times its own side.
    seconds = float("inf")
    for _ in range(1 if once else meta.get("repeat", 1)):
        start = time.perf_counter()
        surface()
        seconds = min(seconds, time.perf_counter() - start)
    print(json.dumps({"seconds": seconds, "blas_core": blas_core(), "loss": loss.ravel().tolist(), "acc": acc.ravel().tolist()}))


if __name__ == "__main__":
    main(sys.argv[1], once=sys.argv[2:] == ["once"])
