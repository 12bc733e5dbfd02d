#!/usr/bin/env python3
"""Windows of the weekly Mauna Loa CO2 series for `simdrnn train --task regress`.

Reads statsmodels' co2.csv (Debian: python3-statsmodels), drops the weeks without a value, and writes
train.csv and test.csv (the last fifth of the windows, in time order) in SimdRnn's wide CSV form: one row
per window, the target first, then the inputs. Each input is one week's change in ppm over the past
WINDOW weeks; the target is the next week's change. A forecast of the next value is the last value plus
the predicted change, so the RMSE of the change is the RMSE of the forecast in ppm, and the persistence
forecast (next = last) is a predicted change of 0: its RMSE is printed for comparison.

Usage: co2_windows.py OUT_DIR [WINDOW]   (standard library only)
"""
import csv
import math
import os
import sys

SOURCE = "/usr/lib/python3/dist-packages/statsmodels/datasets/co2/co2.csv"


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__.strip().splitlines()[-1])
    out = sys.argv[1]
    window = int(sys.argv[2]) if len(sys.argv) == 3 else 52
    with open(SOURCE, newline="") as f:
        values = [float(row["co2"]) for row in csv.DictReader(f) if row["co2"].strip()]
    changes = [b - a for a, b in zip(values, values[1:])]
    rows = [(changes[i + window], changes[i:i + window]) for i in range(len(changes) - window)]
    split = len(rows) * 4 // 5
    os.makedirs(out, exist_ok=True)
    header = ["next_change"] + [f"change_{k}" for k in range(window)]
    for name, part in (("train.csv", rows[:split]), ("test.csv", rows[split:])):
        with open(os.path.join(out, name), "w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(header)
            for target, inputs in part:
                writer.writerow([f"{target:.4f}"] + [f"{x:.4f}" for x in inputs])
    test = rows[split:]
    persistence = math.sqrt(sum(t * t for t, _ in test) / len(test))
    mean = sum(t for t, _ in rows[:split]) / split
    mean_rmse = math.sqrt(sum((t - mean) ** 2 for t, _ in test) / len(test))
    print(f"{len(values)} weeks; {split} training and {len(test)} test windows of {window} weeks in {out}")
    print(f"test RMSE of persistence (next = last): {persistence:.4f} ppm; of last + mean training change: {mean_rmse:.4f} ppm")


if __name__ == "__main__":
    main()
