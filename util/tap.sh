# shellcheck shell=bash
# The ok/not ok lines of the project's check scripts (util/check-*.sh),
# sourced by bash: pass NAME, fail NAME [DIAG...], check NAME COMMAND..., and
# tap_done LABEL, which prints "LABEL: N passed, N failed" and returns
# non-zero when a check failed.

n=0
passed=0
failed=0

pass() {
    n=$((n + 1))
    passed=$((passed + 1))
    echo "ok $n - $1"
}

# fail NAME [DIAG...]: each DIAG as a "#   " line under it
fail() {
    n=$((n + 1))
    failed=$((failed + 1))
    echo "not ok $n - $1"
    shift
    [ $# -gt 0 ] && printf '#   %s\n' "$@"
    return 0
}

# check NAME COMMAND...: passes when COMMAND succeeds; its status is the
# command's, for the caller to stop on
check() {
    local what=$1
    shift

    if "$@"; then
        pass "$what"
        return 0
    fi

    fail "$what"
    return 1
}

tap_done() {
    echo "$1: $passed passed, $failed failed"
    [ "$failed" = 0 ]
}
