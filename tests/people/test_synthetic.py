import datetime as dt

import phonenumbers
from stdnum.mx import curp as stdnum_curp
from stdnum.mx import rfc as stdnum_rfc

from recupera.people.names import curp_birth_date
from recupera.people.synthetic import build_curp, curp_name_letters, make_people


def test_curp_letters_follow_the_official_rules():
    assert curp_name_letters("Juan", "Pérez", "López") == ("PELJ", "RPN")
    # compound name starting with MARÍA/JOSÉ uses the next name; particles are skipped
    assert curp_name_letters("María José", "de la Cruz", "Núñez") == ("CUNJ", "RXS")
    assert curp_name_letters("José Luis", "Del Castillo", "")[0] == "CAXL"
    # Ñ becomes X; no second surname gives X
    assert curp_name_letters("Ana", "Ñúñez", "")[0] == "XUXA"
    # inconvenient words have their second letter replaced
    assert curp_name_letters("Octavio", "Pérez", "Domínguez") == ("PXDO", "RMC")
    curp = build_curp(first_name="Juan", last_name="Pérez", second_last_name="López",
                      birth_date=dt.date(2003, 2, 1), sex="H", state_code="SR")
    assert curp.startswith("PELJ030201HSRRPNA") and stdnum_curp.is_valid(curp)
    assert curp_birth_date(curp) == dt.date(2003, 2, 1)


def test_synthetic_people_are_valid_unique_and_deterministic():
    people = make_people(count=3000, seed=42)
    curps = [p["curp"] for p in people]
    assert all(stdnum_curp.is_valid(c) for c in curps)
    assert len(set(curps)) == len(curps)
    assert make_people(count=50, seed=42) == people[:50]
    assert make_people(count=10, seed=42, start=100) == people[100:110]
    assert make_people(count=50, seed=43) != people[:50]
    for p in people:
        assert curp_birth_date(p["curp"]) == p["birth_date"]
        assert p["curp"][:4] == curp_name_letters(p["first_name"], p["last_name"],
                                                  p["second_last_name"])[0]


def test_synthetic_rfcs_phones_emails_and_addresses_look_real():
    people = make_people(count=3000, seed=7)
    rfcs = [p["rfc"] for p in people if p["rfc"]]
    valid = sum(stdnum_rfc.is_valid(r, validate_check_digits=True) for r in rfcs)
    assert 0.95 < valid / len(rfcs) < 1.0  # most valid; a few bad check digits, as in real data
    phones = [ph["value"] for p in people for ph in p["phones"]]
    assert all(phonenumbers.is_valid_number(phonenumbers.parse(v)) for v in phones)
    assert not any(v.startswith("+52687") for v in phones)
    sonora = [p["address"] for p in people if p["address"]["state"] == "Sonora"]
    assert len(sonora) > 0.9 * len(people)
    assert all(83000 <= int(a["postal_code"]) <= 85999 for a in sonora)
    hermosillo = sum(a["municipality"] == "Hermosillo" for a in sonora) / len(sonora)
    assert 0.25 < hermosillo < 0.40  # weighted by population (about 32 %)
    assert all("@" in e["value"] for p in people for e in p["emails"])


def test_synthetic_people_store_through_the_bulk_service(collector):
    from recupera.people.models import Person
    from recupera.people.services import person_bulk_create

    taken: set[str] = set()
    first = make_people(count=200, seed=5, taken=taken)
    second = make_people(count=200, seed=5, start=200, taken=taken)
    person_bulk_create(actor=collector, rows=first)
    person_bulk_create(actor=collector, rows=second)
    assert Person.objects.count() == 400
