"""The mock report's stylesheet, inlined into the HTML (no external resource).

Screen: a centred A4-width document. Print (A4 or Letter): one section per page,
headings kept with what follows, table rows never split and table headers
repeated on each page, IDs and dates never broken at a hyphen (``.nw``, see
report_print), a watermark on every page, and the rehearsal notice with the page
number in the page's bottom margin (an ``@page`` margin box, report_print), where
no body text can go, so no page of the rehearsal can be mistaken for a real SOC 2
report.
"""

from __future__ import annotations

REPORT_CSS = """
:root { --ink: #1d2939; --muted: #475467; --rule: #d0d5dd; --warn: #b42318; }
* { box-sizing: border-box; }
body { margin: 0; background: #f2f4f7; color: var(--ink);
  font: 11pt/1.45 Georgia, "Times New Roman", serif; }
main { max-width: 210mm; margin: 0 auto; background: #fff; padding: 14mm 16mm 24mm; }
h1, h2, h3, h4 { font-family: Helvetica, Arial, sans-serif; line-height: 1.2; }
h1 { font-size: 22pt; margin: 0.2em 0 0.3em; }
h2 { font-size: 15pt; margin: 0.6em 0 0.4em; border-bottom: 2px solid var(--ink);
  padding-bottom: 4px; }
h3 { font-size: 12pt; margin: 1.1em 0 0.4em; }
p { margin: 0.45em 0; }
.muted { color: var(--muted); }
.small { font-size: 9pt; }
.rehearsal-banner { border: 2px solid var(--warn); background: #fef3f2; color: var(--warn);
  font: bold 9.5pt/1.35 Helvetica, Arial, sans-serif; padding: 6px 10px; margin: 0 0 10px; }
.report-section { margin-top: 26px; }
.cover { text-align: left; }
.cover .stamp { display: inline-block; border: 3px solid var(--warn); color: var(--warn);
  font: bold 14pt Helvetica, Arial, sans-serif; padding: 4px 12px; transform: rotate(-2deg);
  margin: 6px 0 12px; }
.facts { border-collapse: collapse; margin: 8px 0; font-size: 10pt; }
.facts th { text-align: left; padding: 2px 14px 2px 0; color: var(--muted); font-weight: normal; }
.facts td { padding: 2px 0; }
nav ol { margin: 4px 0 0 18px; padding: 0; }
table.grid { width: 100%; border-collapse: collapse; font-size: 9pt; margin: 8px 0 14px;
  font-family: Helvetica, Arial, sans-serif; }
table.grid th, table.grid td { border: 1px solid var(--rule); padding: 4px 6px;
  vertical-align: top; text-align: left; }
table.grid th { background: #f2f4f7; }
table.grid tr.exception td { background: #fff4f2; }
table.grid tr.not-testable td { background: #f8f9fb; }
.result-exception { color: var(--warn); font-weight: bold; }
.sev { display: inline-block; min-width: 52px; text-align: center; color: #fff; border-radius: 3px;
  padding: 0 4px; font-weight: bold; }
.sev-high { background: #b42318; } .sev-medium { background: #dc6803; }
.sev-low { background: #667085; }
.opinion-box { border: 1px solid var(--rule); background: #f9fafb; padding: 8px 12px;
  margin: 8px 0; }
.response { border: 1px solid var(--rule); padding: 8px 12px; margin: 10px 0; }
.response .blank { border: 1px dashed #98a2b3; min-height: 60px; padding: 6px; color: #98a2b3;
  font-style: italic; }
.signature { margin-top: 18px; border-top: 1px solid var(--ink); width: 70mm; padding-top: 4px;
  font-size: 9.5pt; }
.placeholder { color: #6941c6; font-style: italic; }
.charts { display: flex; flex-wrap: wrap; gap: 14px 28px; align-items: flex-start; }
.chart { break-inside: avoid; margin: 0; }
svg { max-width: 100%; height: auto; }
.chart h3 { margin-top: 0.6em; }
pre.note { background: #101828; color: #f2f4f7; padding: 10px; font-size: 9pt; overflow-x: auto;
  white-space: pre-wrap; word-break: break-all; }
.nw { white-space: nowrap; }
.print-watermark { display: none; }
thead { display: table-header-group; }
@media print {
  body { background: #fff; }
  main { max-width: none; padding: 0; }
  .report-section { break-before: page; margin-top: 0; }
  h2, h3, h4 { break-after: avoid; }
  table.grid tr, .response, .chart, .opinion-box, .signature { break-inside: avoid; }
  .print-watermark { display: block; position: fixed; top: 45%; left: 0; right: 0;
    text-align: center; font: bold 70pt Helvetica, Arial, sans-serif; color: rgba(180,35,24,0.08);
    transform: rotate(-30deg); z-index: -1; }
}
"""
