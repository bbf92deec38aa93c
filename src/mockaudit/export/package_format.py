"""What an evidence package holds: member names, schema ids and the README text.

Shared by the writer (``package.py``), which needs the vault, and the verifier
(``package_check.py``), which must not: anyone holding the ZIP can check it.
"""

from __future__ import annotations

PACKAGE_SCHEMA = "mockaudit.package/1"
PROOF_SCHEMA = "mockaudit.package-proof/1"

EVIDENCE_DIR = "evidence"
MANIFEST = "manifest.json"
CHECKPOINT = "custody-checkpoint.txt"
VERIFIER_KEY = "verifier-key.txt"
PROOF = "custody-proof.json"
README = "README.txt"
META_FILES = (MANIFEST, CHECKPOINT, VERIFIER_KEY, PROOF, README)
"""Every member that is not evidence; the manifest lists the evidence files."""

EXPORT_PURPOSE = "evidence package"

README_TEXT = """\
mockaudit evidence package
==========================

REHEARSAL: this package was produced by mockaudit, a SOC 2 audit rehearsal
tool. It holds the evidence a service auditor would request, decrypted from an
encrypted mockaudit vault. It is not an attestation by an independent CPA firm.

Vault origin: {origin}
Run:          {run_id} (seed {seed}, {report_type}, period {period})
Files:        {files} evidence file(s) from {evidence} evidence item(s)

Layout
------
evidence/controls/<control>/<request>/   what a request about that control received
evidence/controls/<control>/linked/      evidence linked to the control in the vault
evidence/requests/<request>/             requests about no single control
                                         (policies, populations, system lists)
Each file is named <evidence id>_<original name>. Names are sanitised: the
original name, exactly as collected, is in manifest.json.

manifest.json        every evidence file: its path here, evidence id, SHA-256,
                     size, original name, and its chain-of-custody events
custody-checkpoint.txt
                     the vault's custody log, signed after this export was
                     recorded: a C2SP signed note (c2sp.org/signed-note) whose
                     text is a tlog checkpoint (origin, tree size, root hash)
verifier-key.txt     the key that signed it: name+keyid+base64(0x01 || Ed25519
                     public key)
custody-proof.json   the custody event that recorded this export, which carries
                     the SHA-256 of manifest.json, and its RFC 6962 inclusion
                     proof up to the signed root

How to verify
-------------
1. With mockaudit:  mockaudit package verify THIS_FILE.zip
   It checks everything below and names the first file that fails.
2. By hand:
   a. For every entry in manifest.json, the SHA-256 of the file at "path"
      equals "sha256" (e.g. sha256sum), and no file is missing or extra.
   b. Verify the Ed25519 signature of custody-checkpoint.txt with
      verifier-key.txt using any C2SP signed-note tool (for example Go's
      golang.org/x/mod/sumdb/note). The signed message is the note text up
      to the blank line.
   c. Hash the "payload" of custody-proof.json as an RFC 6962 leaf
      (SHA-256 of 0x00 || payload) and check its inclusion proof against the
      checkpoint's tree size and root hash. The payload's
      "package_manifest_sha256" must equal the SHA-256 of manifest.json
      (which in turn records the SHA-256 of this README).
3. Compare verifier-key.txt with the key the vault owner gave you separately
   (mockaudit prints it when the vault is created). A package signed by any
   other key proves nothing.
4. Keep custody-checkpoint.txt. Later, "mockaudit vault verify --against
   custody-checkpoint.txt" on the vault proves its custody log still extends
   this checkpoint: no earlier event was rewritten, reordered or removed.
"""
