#!/usr/bin/env bash
# Regenerate the README's pictures of the exports as a GRC lead sees them (make screenshots):
# the Northwind findings workbook printed by LibreOffice Calc (Summary page and first
# Findings page) and page 1 of the mock report printed by headless Chromium.
# Everything goes through the real CLI on a throwaway vault; needs soffice, chromium and
# pdftoppm (Debian: libreoffice-calc-nogui chromium poppler-utils).
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${BIN:-.venv/bin}"
for tool in soffice chromium pdftoppm pdfinfo; do
    command -v "$tool" >/dev/null || { echo "screenshots: $tool is missing (apt-get install libreoffice-calc-nogui chromium poppler-utils)" >&2; exit 1; }
done
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export MOCKAUDIT_PASSPHRASE="screenshots only - throwaway vault"
vault="$work/vault"
"$bin/mockaudit" init --vault "$vault" >/dev/null
"$bin/mockaudit" import scenarios/northwind-first-type2 --vault "$vault" >/dev/null
"$bin/mockaudit" audit --vault "$vault" --seed 7 --as-of 2026-07-15 >/dev/null
"$bin/mockaudit" findings export --vault "$vault" --format xlsx --out "$work/findings.xlsx" >/dev/null
"$bin/mockaudit" report --vault "$vault" --format pdf --paper a4 --out "$work/report.pdf" >/dev/null
soffice --headless --convert-to pdf --outdir "$work" "$work/findings.xlsx" >/dev/null 2>&1
# Page 1 is the Summary sheet, page 2 the first page of Findings.
pdftoppm -png -r 100 -f 1 -l 1 -singlefile "$work/findings.pdf" docs/workbook-summary
pdftoppm -png -r 100 -f 2 -l 2 -singlefile "$work/findings.pdf" docs/workbook-findings
pdftoppm -png -r 80 -f 1 -l 1 -singlefile "$work/report.pdf" docs/report-page1
pages() { pdfinfo "$1" | awk '/^Pages:/ {print $2}'; }
echo "workbook: $(pages "$work/findings.pdf") printed pages; report (A4): $(pages "$work/report.pdf") pages"
echo "wrote docs/workbook-summary.png docs/workbook-findings.png docs/report-page1.png"
