"""gen_fixtures.py — writes every fixture file from Debian's python3-torch.

Each tools/fixtures_<area>.py module has generate(outdir); this runs them all.
Usage: /usr/bin/python3 tools/gen_fixtures.py OUTDIR   (make fixtures: OUTDIR = tests/fixtures)
"""
import glob
import importlib.util
import os
import sys


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures"
    os.makedirs(outdir, exist_ok=True)
    here = os.path.dirname(os.path.abspath(__file__))
    for path in sorted(glob.glob(os.path.join(here, "fixtures_*.py"))):
        name = os.path.splitext(os.path.basename(path))[0]
        spec = importlib.util.spec_from_file_location(name, path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        mod.generate(outdir)
        print("generated", name)


if __name__ == "__main__":
    main()
