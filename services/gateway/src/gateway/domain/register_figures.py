"""How the registers' events (退管 / 老龄, 残联, 优抚; #20) move the figures of `metrics`. No I/O."""


# 退管 / 老龄, 残联, 优抚 (#20): a register's stock, and the figure of each kind of service welfare configures
# (registers.yaml); a kind configured later counts in the total until it has a figure here
REGISTER_STOCKS = {"retiree": "welfare.retirees", "elderly": "welfare.elderly", "disabled": "welfare.disabled",
                   "veteran": "welfare.veterans"}
REGISTER_SERVICES = {"hospital_visit": "welfare.hospital_visits", "home_visit": "welfare.elderly_home_visits",
                     "birthday_greeting": "welfare.birthday_greetings", "holiday_greeting": "welfare.holiday_greetings",
                     "rehabilitation": "welfare.rehabilitation", "assistive_device": "welfare.assistive_devices",
                     "condolence_visit": "welfare.veteran_visits", "placement": "welfare.veteran_placements",
                     "relief": "welfare.veteran_relief"}


def register_stock(d, sign: int) -> dict:
    key = REGISTER_STOCKS.get(d["register"])
    return {key: sign} if key else {}


def register_service(d) -> dict:
    out = {"welfare.register_services": 1, "welfare.register_money_fen": d.get("money_fen") or 0}
    key = REGISTER_SERVICES.get(d["kind"])
    if key:
        out[key] = 1
    if d["kind"] == "rehabilitation":
        out["welfare.rehabilitation_people"] = int(bool(d.get("first_for_person_in_year")))
        out["welfare.rehabilitation_households"] = int(bool(d.get("first_for_household_in_year")))
    return out
