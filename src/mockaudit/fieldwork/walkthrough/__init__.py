"""Walkthrough rehearsal (soc2-domain.md §7): the simulated auditor interviews a control owner.

``rehearsal`` holds the conversation (``Rehearsal``, ``rehearse``); ``questions`` the fixed
bank; ``checks``, ``scope_checks`` and ``verdicts`` judge each answer against the documents,
using ``parse`` (numbers, durations, dates) and ``mentions`` (systems, people, hedges);
``facts`` is what the session gathers from the vault; ``report`` rolls rehearsals up per
owner and writes the transcript. Pure: no files, no database.
"""
