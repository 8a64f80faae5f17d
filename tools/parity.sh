#!/usr/bin/env bash
# make parity: regenerate every fixture live with Debian's python3-torch, check the committed
# fixtures are exactly what torch produces now, run the suite against the fresh fixtures, and
# diff the tutorial tour against PyTorch's run of the same cells (object addresses masked).
set -euo pipefail
build=${1:-build}
py=${PYTHON:-/usr/bin/python3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$py" -c 'import torch; print("torch", torch.__version__)'
"$py" tools/gen_fixtures.py "$tmp/fixtures" >/dev/null
status=0
for f in tests/fixtures/*.txt; do
  if ! cmp -s "$f" "$tmp/fixtures/$(basename "$f")"; then
    echo "parity: $f differs from what torch generates now:"; diff "$f" "$tmp/fixtures/$(basename "$f")" | head -20
    status=1
  fi
done
echo "parity: suite against live fixtures"
TG_FIXTURES="$tmp/fixtures" tools/run_tests.sh $(ls "$build"/tests/test_* | grep -v "\.[od]$") || status=1
mask() { sed -E 's/0x[0-9a-f]+/0xADDR/g'; }
"$build"/examples/autograd_tour | mask > "$tmp/c.txt"
"$py" tools/autograd_tour.py | mask > "$tmp/p.txt"
if diff -u "$tmp/p.txt" "$tmp/c.txt"; then
  echo "parity: autograd_tour matches PyTorch line for line ($(wc -l < "$tmp/c.txt") lines)"
else
  echo "parity: autograd_tour differs from PyTorch"; status=1
fi
exit $status
