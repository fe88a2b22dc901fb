#!/bin/sh
# Regenerates packaging/man/*.1 from the binaries' ArgumentParser help (swift-argument-parser's generate-manual
# plugin). Run after changing a command's help; InstallTests checks every subcommand and option is in its page.
set -eu
cd "$(dirname "$0")/.."
swift package --allow-writing-to-directory packaging/man generate-manual --configuration debug \
    --output-directory packaging/man --authors "FieldSync"
rm -f packaging/man/fieldsync-bench.1
