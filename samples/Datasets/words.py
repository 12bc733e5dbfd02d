#!/usr/bin/env python3
"""A word's language from its letters: CSV files of variable-length sequences from the Debian word lists.

Reads /usr/share/dict/{american-english,ngerman,french,spanish,italian} (packages wamerican, wngerman, wfrench,
wspanish, witalian), lower-cases each word, keeps words of 2 to 16 letters with no apostrophe, drops words found
in more than one list (their language cannot be told), and draws the same number of words per language. Each
word becomes one CSV row: its language (0 english, 1 german, 2 french, 3 spanish, 4 italian), then one step per
letter, a one-hot vector over the alphabet of all kept words. Rows have as many steps as their word has letters,
so `simdrnn train --data-format csv --steps 16 --inputs <alphabet size>` reads them as sequences of their own lengths.

usage: words.py OUT_DIR [--train-per-language N] [--test-per-language N] [--seed S]
Writes OUT_DIR/words-train.csv, OUT_DIR/words-test.csv and OUT_DIR/alphabet.txt, and prints the alphabet size.
"""
import argparse
import os
import random

LISTS = ["american-english", "ngerman", "french", "spanish", "italian"]
MAX_LETTERS = 16


def words(name):
    with open(os.path.join("/usr/share/dict", name), encoding="utf-8") as f:
        kept = set()
        for line in f:
            word = line.strip().lower()
            if 2 <= len(word) <= MAX_LETTERS and word.isalpha():
                kept.add(word)
        return kept


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--train-per-language", type=int, default=8000)
    parser.add_argument("--test-per-language", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    lists = [words(name) for name in LISTS]
    seen = {}
    for kept in lists:
        for word in kept:
            seen[word] = seen.get(word, 0) + 1
    rng = random.Random(args.seed)
    wanted = args.train_per_language + args.test_per_language
    chosen = []
    for language, kept in enumerate(lists):
        unique = sorted(word for word in kept if seen[word] == 1)
        if len(unique) < wanted:
            raise SystemExit(f"words.py: {LISTS[language]} has {len(unique)} words of its own, fewer than {wanted}")
        rng.shuffle(unique)
        chosen.append(unique[:wanted])

    alphabet = sorted({letter for group in chosen for word in group for letter in word})
    index = {letter: i for i, letter in enumerate(alphabet)}
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "alphabet.txt"), "w", encoding="utf-8") as f:
        f.write("".join(alphabet) + "\n")

    def row(language, word):
        fields = [str(language)]
        for letter in word:
            one_hot = ["0"] * len(alphabet)
            one_hot[index[letter]] = "1"
            fields.extend(one_hot)
        return ",".join(fields)

    for name, part in (("words-train.csv", slice(0, args.train_per_language)), ("words-test.csv", slice(args.train_per_language, wanted))):
        rows = [(language, word) for language, group in enumerate(chosen) for word in group[part]]
        rng.shuffle(rows)
        with open(os.path.join(args.out, name), "w") as f:
            for language, word in rows:
                f.write(row(language, word) + "\n")

    print(len(alphabet))


if __name__ == "__main__":
    main()
