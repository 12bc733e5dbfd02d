#!/usr/bin/python3
"""SimdRnn against PyTorch: bidirectional, variable-length, two-layer models, both ways.

1. SimdRnn -> PyTorch: trains a bidirectional two-layer LSTM with `simdrnn train` on a CSV of sequences of
   different lengths (rows with fewer values are shorter sequences), loads the saved safetensors file into
   torch.nn.LSTM(..., num_layers=2, bidirectional=True, batch_first=True) + nn.Linear with load_state_dict,
   runs the test sequences through pack_padded_sequence, and compares the class probabilities with those
   samples/Embedded prints for the same file (InferenceSession.Predict with each sequence's length).
2. PyTorch -> SimdRnn: a randomly initialised bidirectional two-layer GRU and RNN from PyTorch, saved as a
   plain state_dict (no SimdRnn metadata), classified by samples/Embedded; the same comparison.

Run from the repository root with Debian's python3-torch: /usr/bin/python3 tests/torch/compare.py
It prints the largest absolute difference of any probability per comparison and exits 1 above 1e-5.
No safetensors module: the file format is read and written by hand (8-byte little-endian header length,
JSON header, raw little-endian data).
"""
import json
import os
import struct
import subprocess
import sys
import tempfile

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOLERANCE = 1e-5


def read_safetensors(path):
    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(length))
        data = f.read()
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        assert entry["dtype"] == "F32", f"{name}: expected F32, found {entry['dtype']}"
        start, end = entry["data_offsets"]
        values = torch.frombuffer(bytearray(data[start:end]), dtype=torch.float32)
        tensors[name] = values.reshape(entry["shape"]).clone()
    return tensors


def write_safetensors(path, tensors):
    header, chunks, offset = {}, [], 0
    for name, tensor in tensors.items():
        raw = tensor.detach().contiguous().to(torch.float32).numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensor.shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for chunk in chunks:
            f.write(chunk)


class Classifier(torch.nn.Module):
    """The module layout of a SimdRnn file: `rnn` (the recurrent stack) and `fc` (the last-step head)."""

    def __init__(self, kind, inputs, hidden, layers, classes):
        super().__init__()
        self.rnn = kind(inputs, hidden, num_layers=layers, bidirectional=True, batch_first=True)
        self.fc = torch.nn.Linear(2 * hidden, classes)

    def forward(self, x, lengths):
        packed = torch.nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        _, h_n = self.rnn(packed)
        if isinstance(h_n, tuple):  # LSTM: (h_n, c_n)
            h_n = h_n[0]
        features = torch.cat([h_n[-2], h_n[-1]], dim=1)  # the top layer's forward and reverse h_n
        return torch.softmax(self.fc(features), dim=1)


def sequences(count, steps, inputs, generator):
    """Sequences of 1..steps steps; the label says whether the first input's sum over the sequence is positive."""
    rows = []
    for _ in range(count):
        length = int(torch.randint(1, steps + 1, (1,), generator=generator))
        values = torch.rand(length, inputs, generator=generator) * 2 - 1
        rows.append((int(values[:, 0].sum() > 0), values))
    return rows


def write_csv(path, rows, labelled):
    with open(path, "w") as f:
        for label, values in rows:
            fields = ([str(label)] if labelled else []) + [repr(float(v)) for v in values.flatten()]
            f.write(",".join(fields) + "\n")


def padded(rows, steps, inputs):
    x = torch.zeros(len(rows), steps, inputs)
    for i, (_, values) in enumerate(rows):
        x[i, : len(values)] = values
    return x, torch.tensor([len(values) for _, values in rows])


def simdrnn_probabilities(model, csv, labelled):
    command = ["dotnet", "run", "-c", "Release", "--project", os.path.join(ROOT, "samples", "Embedded"), "--", model, "--probabilities"]
    if labelled:
        command.append("--labelled")
    with open(csv) as stdin:
        out = subprocess.run(command, stdin=stdin, capture_output=True, text=True, check=True).stdout
    rows = [line.split(") ", 1)[1] for line in out.splitlines() if ": class " in line]
    return torch.tensor([[float(p) for p in row.split()] for row in rows])


def compare(name, expected, found):
    worst = float((expected - found).abs().max())
    agree = int((expected.argmax(1) == found.argmax(1)).sum())
    print(f"{name}: {len(expected)} sequences, largest probability difference {worst:.2e}, same class for {agree}")
    return worst <= TOLERANCE


def main():
    generator = torch.Generator().manual_seed(1)
    ok = True
    with tempfile.TemporaryDirectory() as work:
        # 1. SimdRnn -> PyTorch
        steps, inputs, hidden = 12, 3, 16
        train, test = sequences(2000, steps, inputs, generator), sequences(300, steps, inputs, generator)
        train_csv, test_csv, model = (os.path.join(work, n) for n in ("train.csv", "test.csv", "model.safetensors"))
        write_csv(train_csv, train, labelled=True)
        write_csv(test_csv, test, labelled=True)
        subprocess.run(["dotnet", "run", "-c", "Release", "--project", os.path.join(ROOT, "src", "Cli"), "--", "train",
                        "--data-format", "csv", "--train", train_csv, "--test", test_csv, "--steps", str(steps), "--inputs", str(inputs),
                        "--cell", "lstm", "--hidden", str(hidden), "--layers", "2", "--bidirectional", "--dropout", "0.2",
                        "--epochs", "3", "--lr", "0.01", "--save", model], check=True, stdout=subprocess.DEVNULL)
        state = {k: v for k, v in read_safetensors(model).items() if not k.startswith("optimizer.")}  # the saved Adam moments
        torch_model = Classifier(torch.nn.LSTM, inputs, hidden, 2, 2)
        torch_model.load_state_dict(state)
        torch_model.eval()
        x, lengths = padded(test, steps, inputs)
        with torch.no_grad():
            expected = torch_model(x, lengths)
        ok &= compare("SimdRnn-trained bidirectional LSTM, 2 layers, in PyTorch", expected, simdrnn_probabilities(model, test_csv, labelled=True))
        accuracy = float((expected.argmax(1) == torch.tensor([label for label, _ in test])).float().mean())
        print(f"  (PyTorch's test accuracy of that model: {accuracy:.4f})")

        # 2. PyTorch -> SimdRnn: files without metadata are read as 28 steps.
        steps, inputs, hidden = 28, 4, 10
        rows = sequences(200, steps, inputs, generator)
        csv = os.path.join(work, "rows.csv")
        write_csv(csv, rows, labelled=False)
        x, lengths = padded(rows, steps, inputs)
        for kind in (torch.nn.GRU, torch.nn.RNN):
            torch.manual_seed(2)
            torch_model = Classifier(kind, inputs, hidden, 2, 3).eval()
            path = os.path.join(work, f"{kind.__name__}.safetensors")
            write_safetensors(path, torch_model.state_dict())
            with torch.no_grad():
                expected = torch_model(x, lengths)
            ok &= compare(f"PyTorch bidirectional {kind.__name__}, 2 layers, in SimdRnn", expected, simdrnn_probabilities(path, csv, labelled=False))

    print("agreement within 1e-5" if ok else "DISAGREEMENT above 1e-5")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
