#!/usr/bin/env bash
# Runs each test binary, sums their "N passed, N failed" lines, and fails if any test failed or
# any binary exited non-zero. --valgrind runs each under memcheck with zero leaks required.
set -u
vg=()
if [ "${1:-}" = "--valgrind" ]; then
  vg=(valgrind --quiet --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect,possible --errors-for-leak-kinds=definite,indirect,possible)
  shift
fi
pass=0; fail=0; bad=0
for t in "$@"; do
  out=$("${vg[@]}" "$t" 2>&1); rc=$?
  line=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -n 1)
  if [ -z "$line" ] || [ $rc -ne 0 ]; then
    printf '%s\n' "$out" | tail -n 40
    printf 'FAIL %s (exit %d)\n' "$t" "$rc"; bad=$((bad + 1))
  fi
  if [ -n "$line" ]; then
    p=${line%% passed*}; f=${line#*, }; f=${f%% failed}
    pass=$((pass + p)); fail=$((fail + f))
    [ "$f" -gt 0 ] && printf '%s\n' "$out" | grep -E '^(FAIL|  )' | head -n 60
    printf '%-40s %s\n' "$(basename "$t")" "$line"
  fi
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ] && [ $bad -eq 0 ]
