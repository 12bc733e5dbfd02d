#!/usr/bin/env python3
"""Loads a SimdRnn model file into the PyTorch module of docs/interop.md and compares its outputs with SimdRnn's.

Usage: heads_check.py MODEL.safetensors ROWS.csv PREDICTIONS.jsonl
  ROWS.csv          sequences, one per row of T x I values (what `simdrnn predict --csv` reads)
  PREDICTIONS.jsonl `simdrnn predict --model MODEL --csv ROWS.csv --json` of the same rows
Prints the largest absolute difference of the outputs (probabilities or values) and exits 1 above 1e-4.
Needs PyTorch (Debian: python3-torch, run with /usr/bin/python3); reads safetensors by hand.
"""
import json
import struct
import sys

import torch
from torch import nn


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    metadata = header.pop("__metadata__", {})
    tensors = {}
    for name, info in header.items():
        assert info["dtype"] == "F32", f"{name}: expected F32"
        start, end = info["data_offsets"]
        tensors[name] = torch.frombuffer(bytearray(data[start:end]), dtype=torch.float32).reshape(info["shape"])
    return metadata, tensors


class Model(nn.Module):
    def __init__(self, cell, inputs, hidden, outputs, layers, head):
        super().__init__()
        self.head = head
        recurrent = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}
        if cell == "rnn-relu":
            self.rnn = nn.RNN(inputs, hidden, layers, nonlinearity="relu", batch_first=True)
        else:
            self.rnn = recurrent[cell](inputs, hidden, layers, batch_first=True)
        self.fc = nn.Linear(hidden, outputs)

    def forward(self, x):
        out, _ = self.rnn(x)
        if self.head in ("classify", "regress"):
            out = out[:, -1, :]
        return self.fc(out)


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__.strip().splitlines()[2])
    metadata, tensors = read_safetensors(sys.argv[1])
    head = metadata.get("head", "classify")
    steps, inputs = int(metadata["steps"]), int(metadata["input"])
    outputs = int(metadata["classes"] if head in ("classify", "tag") else metadata["outputs"])
    model = Model(metadata["cell"], inputs, int(metadata["hidden"]), outputs, int(metadata["layers"]), head)
    model.load_state_dict({k: v for k, v in tensors.items() if not k.startswith("optimizer.")})
    rows = [[float(v) for v in line.split(",")] for line in open(sys.argv[2]) if line.strip()]
    x = torch.tensor(rows).reshape(len(rows), steps, inputs)
    with torch.no_grad():
        y = model(x)
        if head in ("classify", "tag"):
            y = torch.softmax(y, dim=-1)
    expected = [json.loads(line)["outputs"] for line in open(sys.argv[3]) if line.strip()]
    worst = max(abs(a - b) for row, want in zip(y.reshape(len(rows), -1).tolist(), expected) for a, b in zip(row, want))
    print(f"{sys.argv[1]}: {metadata['cell']} {head} head, {len(rows)} sequences: largest difference from SimdRnn {worst:.2e}")
    sys.exit(0 if worst <= 1e-4 else 1)


if __name__ == "__main__":
    main()
