#!/usr/bin/env bash
# Regenerates Sources/CribleCore/FoldingData.swift (the text view's folding table and character
# classes below U+3000) from their definitions in TextFolding.swift and Tokenizer.swift.
# Run it after changing either; FoldingDataTests fails until the data matches them.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
CRIBLE_WRITE_FOLDING_DATA="$PWD/Sources/CribleCore/FoldingData.swift" \
    swift test --filter FoldingDataTests.testShippedFoldingDataIsWhatItsDefinitionsGive
echo "wrote Sources/CribleCore/FoldingData.swift"
