"""Assistance programmes as configuration: eligibility rules, amount rules and the poverty lines."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from liandong.idnumbers import age_on, born_on, sex_of

from .money import fen_to_yuan, times, yuan_to_fen


class ConfigurationError(ValueError):
    """The programme configuration is wrong (found at start, not at the first application)."""


@dataclass(frozen=True)
class Member:
    name: str
    id_number: str
    relation: str  # applicant, spouse, child, parent, sibling, other
    monthly_income_fen: int = 0
    disability_grade: int = 0  # 0 none; 1 (most severe) .. 4
    employment: str = "unemployed"  # employed, unemployed, retired, student, unable_to_work
    college_admitted: bool = False


@dataclass(frozen=True)
class Household:
    members: tuple[Member, ...]
    residence: str = "urban"  # urban, rural
    financial_assets_fen: int = 0
    housing_area_m2: Decimal = Decimal(0)
    medical_expenses_fen: int = 0  # out-of-pocket, last 12 months
    emergency_reason: str = ""
    requested_amount_fen: int = 0
    # (#20) what the applicant states (优抚对象, 困难党员) and the documents handed in (优抚证, 党组织证明)
    stated_statuses: tuple[str, ...] = ()
    documents_provided: tuple[str, ...] = ()

    @property
    def size(self) -> int:
        return len(self.members)

    @property
    def monthly_income_fen(self) -> int:
        return sum(m.monthly_income_fen for m in self.members)

    @property
    def income_per_member_fen(self) -> int:
        # rounded down: a household exactly on the line by a fraction of a fen is not below it
        return self.monthly_income_fen // self.size


@dataclass(frozen=True)
class RuleResult:
    rule: str
    passed: bool
    explanation: str
    figures: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"rule": self.rule, "passed": self.passed, "explanation": self.explanation, "figures": self.figures}


@dataclass(frozen=True)
class Eligibility:
    programme: str
    year: int
    results: tuple[RuleResult, ...]
    monthly_amount_fen: int

    @property
    def eligible(self) -> bool:
        return all(r.passed for r in self.results)

    def failed(self) -> list[RuleResult]:
        return [r for r in self.results if not r.passed]

    def to_dict(self) -> dict:
        return {"programme": self.programme, "year": self.year, "eligible": self.eligible,
                "rules": [r.to_dict() for r in self.results],
                "amount_fen": self.monthly_amount_fen if self.eligible else 0,
                "amount_yuan": fen_to_yuan(self.monthly_amount_fen if self.eligible else 0)}


@dataclass(frozen=True)
class Programme:
    code: str
    name: str
    schedule: str  # monthly | once
    notice_days: int
    review_every_months: int
    documents: tuple[str, ...]
    rules: tuple[dict, ...]
    amount: dict

    def to_dict(self) -> dict:
        return {"code": self.code, "name": self.name, "schedule": self.schedule, "notice_days": self.notice_days,
                "review_every_months": self.review_every_months, "documents": list(self.documents),
                "rules": [dict(r) for r in self.rules], "amount": dict(self.amount)}


class Catalogue:
    """The configured programmes and the lines (标准) per area and year."""

    def __init__(self, config: dict):
        try:
            self.lines = [dict(line) for line in config.get("lines") or []]
            self.programmes = {code: Programme(code, p["name"], p.get("schedule", "monthly"),
                                               int(p.get("notice_days", 7)), int(p.get("review_every_months", 0)),
                                               tuple(p.get("documents") or ()), tuple(p.get("rules") or ()),
                                               dict(p["amount"]))
                               for code, p in (config.get("programmes") or {}).items()}
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigurationError(f"bad programme configuration: {exc}") from exc
        for p in self.programmes.values():
            if p.schedule not in ("monthly", "once"):
                raise ConfigurationError(f"{p.code}: schedule must be monthly or once")
            for rule in p.rules:
                if rule.get("rule") not in RULES:
                    raise ConfigurationError(f"{p.code}: unknown rule {rule.get('rule')!r}")
            if p.amount.get("rule") not in AMOUNTS:
                raise ConfigurationError(f"{p.code}: unknown amount rule {p.amount.get('rule')!r}")

    def get(self, code: str) -> Programme | None:
        return self.programmes.get(code)

    def line_fen(self, name: str, org_path: str, year: int) -> int | None:
        """The line named `name` for the most specific configured area on `org_path` in `year`."""
        segments = [s for s in org_path.split("/") if s]
        best = None
        for line in self.lines:
            if int(line.get("year", 0)) != year or line.get("area") not in segments or name not in line:
                continue
            depth = segments.index(line["area"])
            if best is None or depth > best[0]:
                best = (depth, yuan_to_fen(line[name]))
        return best[1] if best else None

    def check(self, programme: Programme, household: Household, org_path: str, year: int,
              today: date | None = None) -> Eligibility:
        """`today`: the day ages are counted on (default: the last day of `year`)."""
        ctx = _Context(self, household, org_path, year, today or date(year, 12, 31))
        results = tuple(RULES[r["rule"]](ctx, r) for r in programme.rules)
        amount = AMOUNTS[programme.amount["rule"]](ctx, programme.amount) if all(r.passed for r in results) else 0
        return Eligibility(programme.code, year, results, max(0, amount))


@dataclass
class _Context:
    catalogue: Catalogue
    household: Household
    org_path: str
    year: int
    today: date = date.max

    def line(self, name: str) -> int | None:
        return self.catalogue.line_fen(name, self.org_path, self.year)


def _no_line(rule: str, name: str, ctx: _Context) -> RuleResult:
    return RuleResult(rule, False, f"no {name} line is configured for {ctx.org_path} in {ctx.year}",
                      {"line": name, "year": ctx.year})


def _residence(ctx, p):
    want, got = p["residence"], ctx.household.residence
    return RuleResult("residence", want == got, f"household residence is {got}, the programme needs {want}",
                      {"required": want, "actual": got})


def _income_below_line(ctx, p):
    line = ctx.line(p["line"])
    if line is None:
        return _no_line("income_per_member_below_line", p["line"], ctx)
    factor = str(p.get("factor", "1"))
    limit = times(line, factor)
    per = ctx.household.income_per_member_fen
    ok = per < limit
    return RuleResult("income_per_member_below_line", ok,
                      f"income per member {fen_to_yuan(per)} yuan/month is {'below' if ok else 'not below'} "
                      f"{'the line' if factor == '1' else f'{factor} x the line'} of {fen_to_yuan(limit)} yuan",
                      {"household_income_fen": ctx.household.monthly_income_fen, "members": ctx.household.size,
                       "income_per_member_fen": per, "line_fen": line, "factor": factor, "limit_fen": limit})


def _assets(ctx, p):
    line = ctx.line(p["line"])
    if line is None:
        return _no_line("assets_per_member_at_most", p["line"], ctx)
    limit = line * int(p["months"])
    per = ctx.household.financial_assets_fen // ctx.household.size
    ok = per <= limit
    return RuleResult("assets_per_member_at_most", ok,
                      f"financial assets per member {fen_to_yuan(per)} yuan are {'within' if ok else 'above'} "
                      f"{p['months']} months of the line ({fen_to_yuan(limit)} yuan)",
                      {"assets_per_member_fen": per, "limit_fen": limit})


def _disability(ctx, p):
    grade = int(p["grade"])
    who = [m.name for m in ctx.household.members if 0 < m.disability_grade <= grade]
    return RuleResult("member_disability_grade_at_most", bool(who),
                      f"members with disability grade 1..{grade}: {', '.join(who) or 'none'}",
                      {"grade_at_most": grade, "qualifying_members": len(who)})


def _college(ctx, p):
    who = [m.name for m in ctx.household.members if m.college_admitted]
    return RuleResult("member_college_admitted", bool(who),
                      f"members admitted to college this year: {', '.join(who) or 'none'}",
                      {"qualifying_members": len(who)})


def _medical(ctx, p):
    limit = yuan_to_fen(p["yuan"])
    got = ctx.household.medical_expenses_fen
    ok = got >= limit
    return RuleResult("medical_expenses_at_least", ok,
                      f"out-of-pocket medical expenses {fen_to_yuan(got)} yuan are "
                      f"{'at least' if ok else 'below'} {fen_to_yuan(limit)} yuan",
                      {"medical_expenses_fen": got, "threshold_fen": limit})


def _housing(ctx, p):
    limit = Decimal(str(p["m2"]))
    per = (ctx.household.housing_area_m2 / ctx.household.size).quantize(Decimal("0.01"))
    ok = per <= limit
    return RuleResult("housing_area_per_member_at_most", ok,
                      f"housing area per member {per} m2 is {'within' if ok else 'above'} {limit} m2",
                      {"area_per_member_m2": str(per), "limit_m2": str(limit)})


def _emergency(ctx, p):
    reason = ctx.household.emergency_reason.strip()
    return RuleResult("emergency_stated", bool(reason),
                      f"emergency: {reason}" if reason else "no emergency (fire, accident, sudden illness) is stated",
                      {})


def _age_by_sex(ctx, p):
    """4050 / 4555 (#20): the applicant (申请人, else the first member) is a woman of at least `female` years or a
    man of at least `male` in the year of the check, as the ID number states birth year and sex (odd 17th digit:
    a man). The policies count the age reached in the year (年满)."""
    members = ctx.household.members
    applicant = next((m for m in members if m.relation == "applicant"), members[0])
    number = applicant.id_number
    sex = sex_of(number)
    age, needed = ctx.year - born_on(number).year, int(p[sex])
    ok = age >= needed
    return RuleResult("applicant_age_by_sex_at_least", ok,
                      f"the applicant ({'man' if sex == 'male' else 'woman'}) is {age} in {ctx.year}: "
                      f"{'at least' if ok else 'under'} {needed}", {"sex": sex, "age": age, "required": needed})


def _aged(ctx, years: int) -> list[Member]:
    return [m for m in ctx.household.members if (age_on(m.id_number, ctx.today) or 0) >= years]


def _age(ctx, p):
    years = int(p["years"])
    who = _aged(ctx, years)
    return RuleResult("member_age_at_least", bool(who),
                      f"members aged {years} or more on {ctx.today.isoformat()} (from the ID numbers' birth dates): "
                      f"{', '.join(m.name for m in who) or 'none'}",
                      {"years_at_least": years, "on": ctx.today.isoformat(), "qualifying_members": len(who)})


def _status(ctx, p):
    status, label = p["status"], p.get("label", p["status"])
    ok = status in ctx.household.stated_statuses
    return RuleResult("status_stated", ok, f"{label}: {'stated' if ok else 'not stated'} by the applicant",
                      {"status": status})


def _document(ctx, p):
    document = p["document"]
    ok = document in ctx.household.documents_provided
    return RuleResult("document_provided", ok, f"{document}: {'provided' if ok else 'not provided'}",
                      {"document": document})


RULES = {
    "member_age_at_least": _age,
    "status_stated": _status,
    "document_provided": _document,
    "residence": _residence,
    "income_per_member_below_line": _income_below_line,
    "assets_per_member_at_most": _assets,
    "member_disability_grade_at_most": _disability,
    "member_college_admitted": _college,
    "medical_expenses_at_least": _medical,
    "housing_area_per_member_at_most": _housing,
    "emergency_stated": _emergency,
    "applicant_age_by_sex_at_least": _age_by_sex,  # 4050 / 4555 (#20)
}


def _gap_to_line(ctx, p):
    # 补差: the household is brought up to the line for every member
    line = ctx.line(p["line"]) or 0
    return line * ctx.household.size - ctx.household.monthly_income_fen


def _fixed_per_household(ctx, p):
    return yuan_to_fen(p["yuan"])


def _fixed_per_member(ctx, p):
    grade = int(p.get("disability_grade_at_most", 99))
    n = sum(1 for m in ctx.household.members if 0 < m.disability_grade <= grade)
    return yuan_to_fen(p["yuan"]) * n


def _requested_capped(ctx, p):
    cap = (ctx.line(p["line"]) or 0) * int(p["max_months_of_line"])
    return min(ctx.household.requested_amount_fen, cap)


def _share_of_expenses(ctx, p):
    share = ctx.household.medical_expenses_fen * int(p["percent"]) // 100
    return min(share, yuan_to_fen(p["max_yuan"]))


def _fixed_per_aged_member(ctx, p):
    return yuan_to_fen(p["yuan"]) * len(_aged(ctx, int(p["years"])))


AMOUNTS = {
    "fixed_per_aged_member": _fixed_per_aged_member,
    "gap_to_line": _gap_to_line,
    "fixed_per_household": _fixed_per_household,
    "fixed_per_qualifying_member": _fixed_per_member,
    "requested_capped": _requested_capped,
    "share_of_expenses": _share_of_expenses,
}
