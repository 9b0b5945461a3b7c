#!/usr/bin/env bash
# Prepares this machine and runs every test lane that can run here: unit, cli (walctl against a fake server),
# integration (the server in-process on the embedded default), postgres (a real PostgreSQL), kafka (librdkafka's
# mock cluster, in-process), sqs (the SQS emulator in a Node process), process (the real server binary, killed and
# restarted), peer bench (a small run of bench/WalService.PeerBench against Hangfire, Wolverine and CAP on a real
# PostgreSQL) and docker (real brokers in containers, reported skipped where no Docker engine answers; the compose
# file is checked without one).
# Usage: scripts/test.sh [extra dotnet test arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=scripts/prepare.sh
source scripts/prepare.sh

dotnet build WalService.slnx -c Release -warnaserror --nologo -clp:ErrorsOnly

log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
dotnet test --solution WalService.slnx -c Release --no-build "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# Each failure again, without the server logs captured around it, then one closing line any reader understands.
awk '/^failed /{n=12} n&&!/^  (Standard output|Error output)/{print; n--; next} {n=0}' "$log"
sum() { grep -E "^\s+$1: [0-9]+" "$log" | awk '{ s += $2 } END { print s + 0 }'; }
echo "Tests: $(sum succeeded) passed, $(sum failed) failed, $(sum skipped) skipped"
exit "$status"
