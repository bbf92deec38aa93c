"""The recovery kit: one printable HTML page with the vault id, the code and what to do.

Like 1Password's Emergency Kit or BitLocker's recovery key printout: the page is the
only place the code exists (the vault keeps an Argon2id-protected slot, never the code),
so it says plainly to print it, store it offline and delete the file.
"""

from __future__ import annotations

from html import escape

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="robots" content="noindex">
<title>mockaudit recovery kit — vault {vault_id}</title>
<style>
body {{ font: 12pt/1.5 Helvetica, Arial, sans-serif; max-width: 170mm; margin: 16mm auto;
  color: #1d2939; }}
h1 {{ font-size: 18pt; margin-bottom: 2mm; }}
.code {{ font: 20pt/1.6 "DejaVu Sans Mono", Menlo, Consolas, monospace; letter-spacing: 1pt;
  border: 2px solid #1d2939; padding: 5mm; text-align: center; margin: 6mm 0; }}
.warn {{ border-left: 4px solid #b42318; padding: 2mm 4mm; background: #fef3f2; }}
dt {{ font-weight: bold; }} dd {{ margin: 0 0 3mm 0; font-family: monospace; }}
ol li {{ margin-bottom: 2mm; }} code {{ font-size: 11pt; }}
</style></head><body>
<h1>mockaudit recovery kit</h1>
<p>This page opens the encrypted evidence vault below if every member's passphrase is
lost. Anyone holding it can read all of the vault's evidence.</p>
<dl>
<dt>Vault id</dt><dd>{vault_id}</dd>
<dt>Created</dt><dd>{created} by {created_by}</dd>
</dl>
<div class="code" aria-label="recovery code">{code}</div>
<p class="warn"><strong>Print this page, store the paper offline (a safe, a sealed
envelope with your compliance records), then delete this file.</strong> The code is shown
once; mockaudit does not keep it. Making a new kit (<code>mockaudit vault recovery-kit</code>)
replaces this one: this code then stops working.</p>
<h2>To recover the vault</h2>
<ol>
<li>In the folder that holds the vault, run<br>
<code>mockaudit member passwd --recovery --member NAME</code><br>
where NAME is the member whose passphrase is lost (<code>owner</code> for a vault
made by one person).</li>
<li>Type the code above when asked for it (case, spaces and dashes do not matter), then
choose the member's new passphrase. The vault opens only to set it.</li>
<li>Everyone else keeps their own passphrase. The custody log records that the recovery
kit was used, when and for whom.</li>
</ol>
</body></html>
"""


def render_kit(vault_id: str, code: str, created: str, created_by: str) -> str:
    return _PAGE.format(
        vault_id=escape(vault_id),
        code=escape(code),
        created=escape(created),
        created_by=escape(created_by),
    )
