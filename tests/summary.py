#!/usr/bin/env python3
"""Summarise meson test logs into one closing line: "N passed, N failed".

Each Check suite prints "NN%: Checks: C, Failures: F, Errors: E"; its test
cases are counted one by one.  A test binary without that line (a shell
script, a crashed suite) counts as one test, by its result.  Tests that
exit 77 are counted as skipped and say why in their own output.
"""
import json
import re
import sys

CHECK_RE = re.compile(r"Checks: (\d+), Failures: (\d+), Errors: (\d+)")


def main(argv):
    docs_ok = True
    logs = []
    i = 1
    while i < len(argv):
        if argv[i] == "--docs-ok":
            docs_ok = argv[i + 1] == "1"
            i += 2
        else:
            logs.append(argv[i])
            i += 1
    passed = failed = skipped = 0
    for path in logs:
        label = "asan" if "asan" in path else "build"
        try:
            lines = open(path, encoding="utf-8", errors="replace").read().splitlines()
        except OSError:
            print(f"summary: no test log at {path}: counted as 1 failure")
            failed += 1
            continue
        for line in lines:
            if not line.strip():
                continue
            t = json.loads(line)
            name = f"{label}:{t['name']}"
            result = t.get("result", "")
            out = t.get("stdout", "") or ""
            m = CHECK_RE.search(out)
            if result == "SKIP":
                skipped += 1
                print(f"SKIP  {name}")
            elif m and result in ("OK", "FAIL", "EXPECTEDFAIL"):
                c, f, e = map(int, m.groups())
                passed += c - f - e
                failed += f + e
                if result != "OK" and f + e == 0:
                    failed += 1  # the binary failed after its tests (e.g. a leak)
                print(f"{'ok   ' if result == 'OK' else 'FAIL '} {name}: {c - f - e}/{c} checks")
            elif result == "OK":
                passed += 1
                print(f"ok    {name}")
            else:
                failed += 1
                print(f"FAIL  {name} ({result})")
    if docs_ok:
        passed += 1
        print("ok    docs: Doxygen, no warnings")
    else:
        failed += 1
        print("FAIL  docs: Doxygen warnings (see above)")
    tail = f", {skipped} skipped" if skipped else ""
    print(f"{passed} passed, {failed} failed{tail}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
