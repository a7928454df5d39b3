#!/bin/sh
# Runs the ratecheck vs vegeta CLI comparison (see README.md). Flags go to
# cmd/compare, for example: ./run.sh -only throughput,rates -n 1
set -eu
cd "$(dirname "$0")"
exec go run ./cmd/compare "$@"
