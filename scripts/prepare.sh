#!/usr/bin/env bash
# Installs what the build and the tests need when it is missing. Sourced by test.sh; safe to run again.
set -euo pipefail

need_apt=()
command -v dotnet >/dev/null 2>&1 || { echo "the .NET 10 SDK is required (https://dot.net); install it first" >&2; exit 1; }
command -v python3 >/dev/null 2>&1 || need_apt+=(python3)
command -v kill >/dev/null 2>&1 || need_apt+=(procps)
# The postgres lane starts a real PostgreSQL server of its own (tools/WalService.LocalBackends/PostgresServer.cs).
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)
# The redis target's and the replication tests start Redis servers of their own (tools/WalService.LocalBackends/RedisServer.cs).
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
# The docker lane checks docker-compose.yml without a Docker engine (docker-compose config).
command -v docker-compose >/dev/null 2>&1 || need_apt+=(docker-compose)
# The sqs and process lanes and the bench start an SQS emulator of their own (tools/WalService.LocalBackends/SqsEmulator.cs,
# its packages in tests/sqs-emulator).
command -v node >/dev/null 2>&1 || need_apt+=(nodejs)
command -v npm >/dev/null 2>&1 || need_apt+=(npm)

if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing: ${need_apt[*]}"
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
  fi
fi

# The emulator's packages, exactly as locked; again whenever the lock file is newer than what is installed.
if [ ! -d tests/sqs-emulator/node_modules ] || [ tests/sqs-emulator/package-lock.json -nt tests/sqs-emulator/node_modules ]; then
  npm ci --prefix tests/sqs-emulator --no-audit --no-fund
fi

dotnet restore WalService.slnx --nologo -v quiet
