#!/usr/bin/env python3
"""A per-step tagging set: restore capital letters in lower-cased text (truecasing).

Reads UTF-8 text (for instance the fortunes: cat /usr/share/games/fortunes/*.u8 > fortunes.txt), cuts it
into windows of STEPS characters, and writes train.csv and test.csv in SimdRnn's long CSV form: a header,
then one row per character with the window's id, the label (1 when the character was upper-case, else 0)
and the lower-cased character one-hot over a small alphabet (a-z, digits as one symbol, space, newline,
common punctuation, and one column for everything else). The test set is the last fifth of the windows.

Usage: truecase.py TEXT OUT_DIR [STEPS] [WINDOWS]   (standard library only; defaults 64 and 5000)
"""
import csv
import os
import sys

ALPHABET = list("abcdefghijklmnopqrstuvwxyz") + ["digit", "space", "newline"] + list(".,;:!?'\"-()") + ["other"]


def column(ch):
    c = ch.lower()
    if "a" <= c <= "z":
        return c
    if c.isdigit():
        return "digit"
    return {" ": "space", "\n": "newline"}.get(c, c if c in ALPHABET else "other")


def main():
    if len(sys.argv) not in (3, 4, 5):
        sys.exit(__doc__.strip().splitlines()[-1])
    text = open(sys.argv[1], encoding="utf-8").read()
    out = sys.argv[2]
    steps = int(sys.argv[3]) if len(sys.argv) > 3 else 64
    windows = min(int(sys.argv[4]) if len(sys.argv) > 4 else 5000, len(text) // steps)
    split = windows * 4 // 5
    index = {name: i for i, name in enumerate(ALPHABET)}
    os.makedirs(out, exist_ok=True)
    # Column names without commas or quotes: punctuation by its code point.
    header = ["sequence", "label"] + [f"c_{name}" if name.isalnum() else f"c_u{ord(name):04x}" for name in ALPHABET]
    upper = 0
    for name, first, last in (("train.csv", 0, split), ("test.csv", split, windows)):
        with open(os.path.join(out, name), "w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(header)
            for w in range(first, last):
                for ch in text[w * steps:(w + 1) * steps]:
                    one_hot = ["0"] * len(ALPHABET)
                    one_hot[index[column(ch)]] = "1"
                    label = 1 if ch.isupper() else 0
                    upper += label
                    writer.writerow([w, label] + one_hot)
    print(f"{split} training and {windows - split} test windows of {steps} characters in {out}; "
          f"{upper / (windows * steps):.4f} of the characters are upper-case (always guessing lower-case scores {1 - upper / (windows * steps):.4f})")


if __name__ == "__main__":
    main()
