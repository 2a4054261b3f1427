#!/usr/bin/env bash
# Builds the servers the demo and the tests run against, once, into .tools/bin (ignored by
# git): the Temporal CLI (its dev server) and versitygw (an S3-compatible server). Both
# come from the Go module proxy; nothing else is downloaded.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="$root/.tools/bin"
mkdir -p "$bin"

build() { # name module@version
  local name=$1 module=$2 started=$SECONDS
  if [ -x "$bin/$name" ]; then return; fi
  echo "tools: building $name ($module) into .tools/bin; the first time takes minutes…" >&2
  (cd "$root" && GOBIN="$bin" GOFLAGS=-buildvcs=false go install "$module")
  echo "tools: $name built in $((SECONDS - started)) s" >&2
}

# v1.9.1, the newest CLI, cannot be installed with `go install` (replace directives in its
# go.mod); v1.5.1 can and its dev server persists to a SQLite file.
if [ ! -x "$bin/temporal" ] && command -v temporal >/dev/null && temporal server start-dev --help >/dev/null 2>&1; then
  ln -sf "$(command -v temporal)" "$bin/temporal"
  echo "tools: using $(command -v temporal)" >&2
fi
build temporal github.com/temporalio/cli/cmd/temporal@v1.5.1
build versitygw github.com/versity/versitygw/cmd/versitygw@v1.8.0
