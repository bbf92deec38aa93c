"""The synthetic company: its name, its people roster and its workforce over the period.

Faker is used only here, and only for names and company prose: it manages about
2,000 records a second, so the workforce's hundreds or thousands of employees
combine a small pool of Faker names with ``random.Random`` draws. The roster
(scenario.toml's ``people``) is the subset that owns controls or appears by id
in populations; everyone else is an employee known only to the HR exports.
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date, timedelta

from faker import Faker

from mockaudit.domain.reference_controls import OWNER_ROLES
from mockaudit.scenarios.synthetic.period_calendar import DAY, Period, spread_seconds

# role, weight among ordinary staff, the owner role that manages it, is engineering
_STAFF_ROLES: tuple[tuple[str, int, str, bool], ...] = (
    ("Software Engineer", 30, "VP Eng", True),
    ("Senior Software Engineer", 10, "VP Eng", True),
    ("Site Reliability Engineer", 6, "SRE Lead", True),
    ("Security Engineer", 3, "Security Lead", True),
    ("IT Support Specialist", 3, "IT Lead", False),
    ("Account Executive", 10, "CEO", False),
    ("Customer Success Manager", 9, "Support Lead", False),
    ("Support Specialist", 9, "Support Lead", False),
    ("Product Manager", 5, "Product Lead", False),
    ("Product Designer", 4, "Product Lead", False),
    ("Data Analyst", 4, "CTO", False),
    ("Recruiter", 3, "Head of People", False),
    ("Accountant", 2, "CFO", False),
    ("Compliance Analyst", 2, "GRC Lead", False),
)
_ENGINEERING_OWNERS = frozenset({"CTO", "VP Eng", "SRE Lead", "Security Lead"})

_PRODUCTS = (
    "invoicing",
    "payroll",
    "expense management",
    "customer support",
    "analytics",
    "identity verification",
    "scheduling",
    "contract management",
    "inventory",
    "subscription billing",
    "document signing",
    "fleet tracking",
)
_MARKETS = (
    "mid-market finance teams",
    "healthcare clinics",
    "logistics companies",
    "online retailers",
    "professional services firms",
    "SaaS companies",
    "property managers",
    "schools",
)


@dataclass(frozen=True)
class Employee:
    """One person in the HR system; ``person_id`` is set when they are on the roster."""

    number: int
    first: str
    last: str
    email: str
    type: str  # employee | contractor
    role: str
    manager: str  # roster id of the manager
    start: date
    end: date | None = None
    person_id: str | None = None
    handle: str = ""  # source-control login, engineers only

    @property
    def id(self) -> str:
        return f"E{self.number}"

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"


@dataclass(frozen=True)
class Workforce:
    """Everyone employed at some time in the period, the roster, and who owns what."""

    company: str
    domain: str
    services: str
    employees: tuple[Employee, ...]
    owners: dict[str, str]  # owner role -> roster id
    next_number: int  # an employee number no one has

    @property
    def roster(self) -> tuple[Employee, ...]:
        return tuple(e for e in self.employees if e.person_id is not None)

    def hires(self, period: Period) -> tuple[Employee, ...]:
        """Employees who started inside the period, by start date."""
        found = [e for e in self.employees if e.start >= period.start]
        return tuple(sorted(found, key=lambda e: (e.start, e.number)))

    def leavers(self) -> tuple[Employee, ...]:
        """Employees whose employment ended inside the period, by end date."""
        found = [e for e in self.employees if e.end is not None]
        return tuple(sorted(found, key=lambda e: (e.end or e.start, e.number)))

    def active_on(self, day: date) -> tuple[Employee, ...]:
        return tuple(e for e in self.employees if e.start <= day and (e.end is None or day < e.end))

    @property
    def engineers(self) -> tuple[str, ...]:
        """Source-control logins of every engineer, roster first."""
        return tuple(e.handle for e in self.employees if e.handle)

    def roster_ids(self, *roles: str) -> tuple[str, ...]:
        """Roster ids of current (not departed) people holding any of ``roles``."""
        return tuple(
            e.person_id
            for e in self.employees
            if e.person_id is not None and e.end is None and e.role in roles
        )


def slug(text: str) -> str:
    """Lower-case ASCII letters only: ``"O'Connor-Díaz"`` → ``"oconnordiaz"``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z]", "", ascii_text.lower()) or "x"


def build_workforce(
    fake: Faker, rng: random.Random, period: Period, headcount: int, roster_size: int
) -> Workforce:
    """A company of about ``headcount`` people with a roster of ``roster_size``.

    The roster holds one person per owner role (long-tenured, never leaving) plus
    staff, a few of whom start or leave during the period — so the roster shows
    hires and leavers exactly as the HR populations do.
    """
    company = str(fake.company())
    domain = f"{slug(company.split()[0].rstrip(','))}.example"
    services = f"{rng.choice(_PRODUCTS).capitalize()} platform for {rng.choice(_MARKETS)}"
    names = _NamePool(fake, rng, domain)
    builder = _Builder(rng, period, names)
    roster = builder.roster(roster_size)
    owners = {e.role: e.person_id or "" for e in roster if e.role in OWNER_ROLES}
    staff = builder.staff(max(headcount - len(roster), 10), owners)
    everyone = builder.turnover(roster, staff, headcount, owners)
    return Workforce(company, domain, services, everyone, owners, builder.next_number)


class _NamePool:
    """Faker names for the roster; pooled Faker first/last names for everyone else."""

    def __init__(self, fake: Faker, rng: random.Random, domain: str) -> None:
        self._fake = fake
        self._rng = rng
        self._domain = domain
        self._firsts = [str(fake.first_name()) for _ in range(120)]
        self._lasts = [str(fake.last_name()) for _ in range(120)]
        self._emails: set[str] = set()
        self._handles: set[str] = set()

    def faker_name(self) -> tuple[str, str]:
        return str(self._fake.first_name()), str(self._fake.last_name())

    def pooled_name(self) -> tuple[str, str]:
        return self._rng.choice(self._firsts), self._rng.choice(self._lasts)

    def email(self, first: str, last: str) -> str:
        return self._unique(f"{slug(first)}.{slug(last)}", self._emails) + f"@{self._domain}"

    def handle(self, first: str, last: str) -> str:
        return self._unique(f"{slug(first)[:1]}{slug(last)}", self._handles)

    @staticmethod
    def _unique(base: str, taken: set[str]) -> str:
        candidate, n = base, 1
        while candidate in taken:
            n += 1
            candidate = f"{base}{n}"
        taken.add(candidate)
        return candidate


class _Builder:
    def __init__(self, rng: random.Random, period: Period, names: _NamePool) -> None:
        self.rng = rng
        self.period = period
        self.names = names
        self.next_number = 1001

    def employee(
        self, role: str, manager: str, *, roster: bool, engineering: bool, contractor: bool
    ) -> Employee:
        first, last = self.names.faker_name() if roster else self.names.pooled_name()
        email = self.names.email(first, last)
        tenure = self.rng.randint(60, 6 * 365)
        number, self.next_number = self.next_number, self.next_number + 1
        return Employee(
            number=number,
            first=first,
            last=last,
            email=email,
            type="contractor" if contractor else "employee",
            role=role,
            manager=manager,
            start=self.period.start - timedelta(days=tenure),
            person_id=email.split("@")[0] if roster else None,
            handle=self.names.handle(first, last) if engineering else "",
        )

    def roster(self, size: int) -> list[Employee]:
        people = [
            self.employee(
                role, "", roster=True, engineering=role in _ENGINEERING_OWNERS, contractor=False
            )
            for role in OWNER_ROLES
        ]
        ceo = next(e.person_id for e in people if e.role == "CEO") or ""
        people = [replace(e, manager=ceo if e.role != "CEO" else "") for e in people]
        owners = {e.role: e.person_id or "" for e in people}
        for _ in range(max(size - len(people), 0)):
            role, manager_role, engineering = self._staff_role()
            people.append(
                self.employee(
                    role,
                    owners[manager_role],
                    roster=True,
                    engineering=engineering,
                    contractor=False,
                )
            )
        return people

    def staff(self, count: int, owners: dict[str, str]) -> list[Employee]:
        out = []
        for _ in range(count):
            role, manager_role, engineering = self._staff_role()
            contractor = self.rng.random() < 0.12
            out.append(
                self.employee(
                    role,
                    owners[manager_role],
                    roster=False,
                    engineering=engineering,
                    contractor=contractor,
                )
            )
        return out

    def _staff_role(self) -> tuple[str, str, bool]:
        weights = [w for _, w, _, _ in _STAFF_ROLES]
        role, _, manager_role, engineering = self.rng.choices(_STAFF_ROLES, weights)[0]
        return role, manager_role, engineering

    def turnover(
        self,
        roster: list[Employee],
        staff: list[Employee],
        headcount: int,
        owners: dict[str, str],
    ) -> tuple[Employee, ...]:
        """Move some people's start into the period (hires) and end others in it (leavers).

        Start and end dates are spread over the period like any per-event
        population; roster hires and leavers take dates from the middle, so an
        owner-who-left defect can pick a roster leaver who left well before period_end.
        """
        months = self.period.days / 30.4
        n_hires = max(4, round(headcount * 0.30 * months / 12))
        n_leavers = max(3, round(headcount * 0.15 * months / 12))
        hire_days = self._spread_days(n_hires)
        leave_days = self._spread_days(n_leavers)
        staff_roster = [e for e in roster if e.role not in owners]
        count_l = min(3, n_leavers - 2, max(len(staff_roster) // 2, 1))
        count_h = min(3, n_hires - 2, len(staff_roster) - count_l)
        pick = self.rng.sample(staff_roster, count_h + count_l)
        roster_hires, roster_leavers = pick[:count_h], pick[count_h:]
        middle_h = _middle(len(hire_days), len(roster_hires))
        middle_l = _middle(len(leave_days), len(roster_leavers))
        changed: dict[int, Employee] = {}
        for person, slot in zip(roster_hires, middle_h, strict=True):
            changed[person.number] = replace(person, start=self.period.date_of(hire_days[slot]))
        for person, slot in zip(roster_leavers, middle_l, strict=True):
            changed[person.number] = replace(person, end=self.period.date_of(leave_days[slot]))
        free_h = [d for i, d in enumerate(hire_days) if i not in middle_h]
        free_l = [d for i, d in enumerate(leave_days) if i not in middle_l]
        pool = self.rng.sample(staff, min(len(staff), len(free_h) + len(free_l)))
        for person, day in zip(pool[: len(free_h)], free_h, strict=False):
            changed[person.number] = replace(person, start=self.period.date_of(day))
        for person, day in zip(pool[len(free_h) :], free_l, strict=False):
            changed[person.number] = replace(person, end=self.period.date_of(day))
        return tuple(changed.get(e.number, e) for e in [*roster, *staff])

    def _spread_days(self, n: int) -> list[int]:
        seconds = spread_seconds(self.rng, 0, n, n, self.period.seconds)
        return [s // DAY for s in seconds]


def _middle(total: int, count: int) -> list[int]:
    """``count`` distinct indices spread over ``1..total-2`` (never the first or last)."""
    inner = max(total - 2, 0)
    return [1 + (i * inner) // count for i in range(min(count, inner))]
