"""Print, per exercise and per function, how many catalogued real mistakes the grader catches and names.

    python -m tests.real_mistakes.measure [-v]
"""

import sys
import warnings

from tests.real_mistakes import catalogue, caught, feedback_text, grade, named, own_words


def main(argv):
    verbose = "-v" in argv
    rows = {}
    misses = []
    for ex, i, m in catalogue():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            results = grade(ex, m.function, m.code)
            c = caught(results)
            n = c and named(ex, m, results)
        for key in (ex, (ex, m.function)):
            tot = rows.setdefault(key, [0, 0, 0])
            tot[0] += 1
            tot[1] += c
            tot[2] += n
        if not n:
            misses.append((ex, i, m, c, own_words(ex, m, results) if c else feedback_text(results)))
    print(f"{'':28} entries caught named")
    total = [0, 0, 0]
    for key, (k, c, n) in rows.items():
        if isinstance(key, str):
            total = [a + b for a, b in zip(total, (k, c, n))]
            print(f"{key:28} {k:7} {c:6} {n:5}")
        else:
            print(f"  {key[1]:26} {k:7} {c:6} {n:5}")
    print(f"{'total':28} {total[0]:7} {total[1]:6} {total[2]:5}"
          f"   named: {100 * total[2] / max(total[0], 1):.0f} %")
    if verbose:
        for ex, i, m, c, words in misses:
            print(f"\n--- {ex}-{i:02d} {m.function} ({'caught' if c else 'NOT CAUGHT'}): {m.bug}\n"
                  f"    wanted {m.cause}\n    " + words.replace("\n", "\n    "))


if __name__ == "__main__":
    main(sys.argv[1:])
