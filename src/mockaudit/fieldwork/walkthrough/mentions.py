"""Who and what a walkthrough answer mentions: people, systems, files, and yes or no.

Why a closed vocabulary: a system the rehearsal does not know is never reported as "out
of scope", so an unusual tool name can only make an answer unverified, not contradictory.
People are matched by id, full name, first or last name and e-mail, accents ignored.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from mockaudit.fieldwork.walkthrough.parse import normalise

SYSTEM_ALIASES: dict[str, tuple[str, ...]] = {
    "aws": (
        r"aws(?:-prod)?",
        r"amazon web services",
        r"cloudtrail",
        r"aws config",
        r"aws backup",
        r"aws-inspector",
        r"s3",
        r"rds",
        r"kms",
    ),
    "gcp": (r"gcp(?:-prod)?", r"google cloud", r"gke", r"bigquery", r"cloud sql"),
    "azure": (r"azure",),
    "okta": (r"okta",),
    "google-workspace": (r"google[- ]workspace", r"g ?suite", r"google admin"),
    "github": (r"github", r"dependabot"),
    "gitlab": (r"gitlab",),
    "bitbucket": (r"bitbucket",),
    "bamboohr": (r"bamboo ?hr", r"bamboo"),
    "workday": (r"workday",),
    "gusto": (r"gusto",),
    "rippling": (r"rippling",),
    "jira": (r"jira",),
    "linear": (r"linear",),
    "confluence": (r"confluence", r"atlassian\.net/wiki"),
    "notion": (r"notion",),
    "salesforce": (r"salesforce",),
    "hubspot": (r"hubspot",),
    "zendesk": (r"zendesk",),
    "intercom": (r"intercom",),
    "pagerduty": (r"pager ?duty",),
    "opsgenie": (r"opsgenie",),
    "datadog": (r"datadog",),
    "splunk": (r"splunk",),
    "grafana": (r"grafana",),
    "vanta": (r"vanta",),
    "drata": (r"drata",),
    "knowbe4": (r"knowbe4",),
    "kandji": (r"kandji",),
    "jamf": (r"jamf",),
    "intune": (r"intune",),
    "crowdstrike": (r"crowdstrike", r"falcon"),
    "sentinelone": (r"sentinel ?one",),
    "statuspage": (r"status ?page",),
    "terraform-cloud": (r"terraform(?:[- ]cloud)?",),
    "docusign": (r"docusign",),
    "airflow": (r"airflow",),
    "snyk": (r"snyk",),
    "1password": (r"1password",),
    "admin-console": (r"admin[- ]console",),
    "asset-tracker": (r"asset[- ]tracker",),
    "app-db": (r"app-db", r"application database"),
    "spreadsheet": (r"spreadsheets?", r"google sheets?", r"excel", r"a sheet"),
    "slack": (r"slack",),
    "email": (r"e-?mails?", r"inbox", r"gmail", r"outlook"),
    "google-drive": (r"google drive", r"gdrive", r"shared drive", r"my drive"),
    "sharepoint": (r"sharepoint",),
    "dropbox": (r"dropbox",),
    "local-disk": (r"my laptop", r"my desktop", r"local disk", r"my computer"),
    "vault": (r"mockaudit", r"the vault", r"evidence vault"),
}


_SYSTEM_PATTERNS = tuple(
    (canonical, re.compile(r"(?<![\w-])(?:" + "|".join(aliases) + r")(?![\w-])"))
    for canonical, aliases in SYSTEM_ALIASES.items()
)


@dataclass(frozen=True)
class Mention:
    """A system (or person) named in the text: canonical id and the words used."""

    id: str
    words: str


def systems(text: str) -> list[Mention]:
    """Every known system or storage place the text names, once each, in order."""
    low = normalise(text)
    seen: dict[str, tuple[int, str]] = {}
    for canonical, pattern in _SYSTEM_PATTERNS:
        match = pattern.search(low)
        if match and canonical not in seen:
            seen[canonical] = (match.start(), match.group(0))
    return [Mention(c, w) for c, (_, w) in sorted(seen.items(), key=lambda kv: kv[1][0])]


def canonical_system(name: str) -> str:
    """The canonical id of a documented system name ("aws-prod" → "aws"); itself if unknown."""
    found = systems(name)
    return found[0].id if found else normalise(name).strip()


_EXTENSIONS = r"(?:md|csv|pdf|png|jpe?g|json|txt|xlsx?|docx?|log)"


_FILE_TOKEN = re.compile(
    r"(?<![\w./-])(?:[\w.-]+/){2,}[\w.-]*"  # a/b/ or a/b/c
    r"|(?<![\w./-])[\w.-]+/(?:[\w.-]+\." + _EXTENSIONS + r"\b)?(?=\s|$|[,;)])"  # folder/
    r"|(?<![\w/-])[\w-]+(?:\.[\w-]+)*\." + _EXTENSIONS + r"\b"  # file.md
)


_URL = re.compile(r"\bhttps?://\S+|\bwww\.\S+")


def file_tokens(text: str) -> list[str]:
    """Paths and file names the text names ("evidence/config/", "tabletop-2026-05-13.md").

    URLs are left out (their host is read by ``systems``); so are "and/or" and "24/7",
    which have one slash and no file extension.
    """
    low = _URL.sub(" ", normalise(text))
    out = []
    for match in _FILE_TOKEN.finditer(low):
        token = match.group(0).rstrip(".,;")
        if "/" in token and not token.endswith("/") and "." not in token.rsplit("/", 1)[1]:
            if token.count("/") < 2:
                continue
        out.append(token.strip("/"))
    return out


@dataclass(frozen=True)
class PersonNames:
    """The ways an answer may name one person: id, full name, first/last name, e-mail."""

    id: str
    names: tuple[str, ...]


def person_names(person_id: str, name: str, email: str | None) -> PersonNames:
    forms = {normalise(person_id), normalise(name)}
    forms.update(part for part in normalise(name).split() if len(part) >= 3)
    if email:
        forms.add(normalise(email))
        forms.add(normalise(email).split("@")[0])
    return PersonNames(person_id, tuple(sorted(f for f in forms if f)))


def people(text: str, known: Sequence[PersonNames]) -> list[Mention]:
    """The known people the text names, once each, in order of first mention."""
    low = normalise(text)
    found: list[tuple[int, Mention]] = []
    for person in known:
        best: re.Match[str] | None = None
        for form in person.names:
            match = re.search(r"(?<![\w.@-])" + re.escape(form) + r"(?![\w@-])", low)
            if match and (best is None or match.start() < best.start()):
                best = match
        if best is not None:
            found.append((best.start(), Mention(person.id, best.group(0))))
    return [m for _, m in sorted(found, key=lambda pair: pair[0])]


_FIRST_PERSON = re.compile(r"(?<![\w'])(?:i|me|myself|i'm|i've|i'll|i'd)(?![\w'])(?!\.e\.)")


_NOBODY = re.compile(
    r"\bno ?one\b|\bnobody\b|\bno backup\b|\bno deputy\b|\bthere is no\b|\bthere's no\b"
    r"|\bit waits\b|\bwaits until i\b"
)


def speaks_for_self(text: str) -> bool:
    """The owner answers in the first person ("I run it"), so "I" is the owner."""
    return bool(_FIRST_PERSON.search(normalise(text)))


def names_nobody(text: str) -> bool:
    return bool(_NOBODY.search(normalise(text)))


_NEGATIVE_PHRASES = re.compile(
    r"\b(?:does not|doesn't|do not|don't|did not|didn't) (?:match|reflect|describe)\b"
    r"|\bout of date\b|\boutdated\b|\bdiffers?\b|\bdifferent from\b|\bnot (?:exactly|really)\b"
    r"|\bnot quite\b|\bpartly\b|\bpartially\b"
)


_POSITIVE_PHRASES = re.compile(
    r"^\s*(?:yes|yeah|yep|yup|correct|absolutely|definitely|it does|they do|it matches|"
    r"they match)\b|\bmatches\b|\bconsistent\b|\bexactly (?:what|as)\b|\bsame as\b"
)


_LEADING_NO = re.compile(
    r"^\s*(?:no|nope|never|none|nothing|not that i know)\b|^\s*no[,.]"
    r"|\bno (?:changes?|issues?|misses?|exceptions?)\b|\bnothing (?:changed|was missed)\b"
    r"|\bnever (?:skipped|missed|late)\b"
)


_LEADING_YES = re.compile(r"^\s*(?:yes|yeah|yep|yup|we did|it did|once|twice|a few times)\b")


def denies(text: str) -> bool:
    """The answer says no ("No.", "nothing changed", "never skipped")."""
    return bool(_LEADING_NO.search(normalise(text)))


def affirms(text: str) -> bool:
    return bool(_LEADING_YES.search(normalise(text)))


def says_differs(text: str) -> bool:
    """The owner admits that the written procedure does not match practice."""
    low = normalise(text)
    if _NEGATIVE_PHRASES.search(low):
        return True
    return bool(re.match(r"^\s*(?:no|nope)\b", low)) and not _POSITIVE_PHRASES.search(low)


def says_matches(text: str) -> bool:
    return bool(_POSITIVE_PHRASES.search(normalise(text)))


_DODGES = (
    "i don't know",
    "i dont know",
    "don't know",
    "not sure",
    "no idea",
    "have to check",
    "need to check",
    "let me check",
    "get back to you",
    "ask someone",
    "ask the team",
    "someone else",
    "it depends",
    "depends on",
    "from time to time",
    "when we can",
    "when we have time",
    "the usual way",
    "standard process",
    "we follow the process",
    "it's handled",
    "it is handled",
    "handled by the team",
    "not my area",
    "can't remember",
    "cannot remember",
    "don't remember",
    "n/a",
    "tbd",
)


_WHOLE_DODGES = frozenset({"pass", "skip", "na", "-", "?", "idk", "dunno", "next"})


def hedges(text: str) -> list[str]:
    """The dodging phrases in the answer ("not sure", "it depends")."""
    low = normalise(text)
    if low.strip(" .!") in _WHOLE_DODGES:
        return [low.strip(" .!")]
    return [d for d in _DODGES if re.search(r"(?<![\w])" + re.escape(d) + r"(?![\w])", low)]


def word_count(text: str) -> int:
    return len(re.findall(r"[\w'-]+", text))
