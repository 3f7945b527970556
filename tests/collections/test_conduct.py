"""The conduct rules (docs/domain.md §5) as pure checks: each refusal carries its Spanish reason."""

import datetime as dt
from zoneinfo import ZoneInfo

from recupera.collections import conduct
from recupera.collections.conduct import ConductRules, ContactAttempt, check_contact

HMO = ZoneInfo("America/Hermosillo")
RULES = ConductRules()
# Tuesday 10 March 2026
TUESDAY_10AM = dt.datetime(2026, 3, 10, 10, 0, tzinfo=HMO)


def attempt(**kw):
    base = {"at": TUESDAY_10AM, "channel": conduct.CALL_OUT, "party": conduct.BORROWER,
            "discusses_debt": True}
    base.update(kw)
    return ContactAttempt(**base)


def codes(violations):
    return [v.code for v in violations]


def test_a_call_within_hours_to_the_borrower_is_allowed():
    assert check_contact(attempt(), RULES) == []


def test_a_call_at_22_30_hermosillo_time_is_refused_with_its_reason():
    found = check_contact(attempt(at=dt.datetime(2026, 3, 10, 22, 30, tzinfo=HMO)), RULES)
    assert codes(found) == [conduct.OUTSIDE_HOURS]
    assert "22:30" in found[0].message and "07:00 a 22:00" in found[0].message


def test_hermosillo_time_is_used_whatever_zone_the_time_comes_in():
    # 05:30 UTC on Wednesday is 22:30 on Tuesday in Hermosillo (UTC-7 all year).
    utc = dt.datetime(2026, 3, 11, 5, 30, tzinfo=dt.UTC)
    assert codes(check_contact(attempt(at=utc), RULES)) == [conduct.OUTSIDE_HOURS]


def test_window_edges_07_00_allowed_22_00_refused_06_59_refused():
    assert check_contact(attempt(at=TUESDAY_10AM.replace(hour=7, minute=0)), RULES) == []
    assert codes(check_contact(attempt(at=TUESDAY_10AM.replace(hour=22, minute=0)), RULES)) == ["horario"]
    assert codes(check_contact(attempt(at=TUESDAY_10AM.replace(hour=6, minute=59)), RULES)) == ["horario"]


def test_saturday_is_refused_naming_the_day():
    found = check_contact(attempt(at=dt.datetime(2026, 3, 14, 11, 0, tzinfo=HMO)), RULES)
    assert codes(found) == [conduct.OUTSIDE_HOURS]
    assert "sábado" in found[0].message


def test_an_inbound_call_or_a_letter_is_not_limited_by_the_window():
    late = dt.datetime(2026, 3, 10, 23, 0, tzinfo=HMO)
    assert check_contact(attempt(at=late, channel=conduct.CALL_IN), RULES) == []
    assert check_contact(attempt(at=late, channel=conduct.LETTER), RULES) == []


def test_the_8th_call_attempt_in_7_days_is_refused():
    prior = [TUESDAY_10AM - dt.timedelta(hours=20 * i + 1) for i in range(7)]
    found = check_contact(attempt(prior_call_attempts=prior, discusses_debt=False), RULES)
    assert codes(found) == [conduct.FREQUENCY_CAP]
    assert "intento número 8" in found[0].message and "máximo es 7" in found[0].message


def test_the_7th_attempt_is_allowed_and_old_attempts_do_not_count():
    six = [TUESDAY_10AM - dt.timedelta(hours=10 * i + 1) for i in range(6)]
    old = [TUESDAY_10AM - dt.timedelta(days=8)] * 5
    assert check_contact(attempt(prior_call_attempts=six + old, discusses_debt=False), RULES) == []


def test_no_call_within_7_days_after_a_conversation_unless_the_debtor_asked():
    last = TUESDAY_10AM - dt.timedelta(days=3)
    found = check_contact(attempt(last_conversation_at=last), RULES)
    assert codes(found) == [conduct.AFTER_CONVERSATION]
    assert check_contact(attempt(last_conversation_at=last, debtor_requested=True), RULES) == []
    assert check_contact(attempt(last_conversation_at=TUESDAY_10AM - dt.timedelta(days=7)), RULES) == []


def test_asking_a_reference_to_pay_is_refused_but_locating_is_allowed():
    found = check_contact(attempt(party=conduct.REFERENCE, person_is_debtor=False), RULES)
    assert codes(found) == [conduct.THIRD_PARTY_ASKED_TO_PAY]
    assert "referencia personal" in found[0].message and "localizar" in found[0].message
    assert check_contact(attempt(party=conduct.REFERENCE, person_is_debtor=False,
                                 discusses_debt=False), RULES) == []


def test_the_guarantor_and_the_representative_may_be_asked_to_pay():
    assert check_contact(attempt(party=conduct.GUARANTOR), RULES) == []
    assert check_contact(attempt(party=conduct.REPRESENTATIVE, person_is_debtor=False), RULES) == []


def test_no_negotiation_with_a_minor_or_an_older_adult_who_is_not_the_debtor():
    minor = check_contact(attempt(party=conduct.REPRESENTATIVE, person_is_debtor=False,
                                  person_birth_date=dt.date(2010, 1, 1)), RULES)
    assert codes(minor) == [conduct.MINOR]
    older = check_contact(attempt(party=conduct.REPRESENTATIVE, person_is_debtor=False,
                                  person_birth_date=dt.date(1950, 1, 1)), RULES)
    assert codes(older) == [conduct.OLDER_ADULT]
    # An older adult who is the guarantor is a debtor: negotiating with them is allowed.
    assert check_contact(attempt(party=conduct.GUARANTOR, person_birth_date=dt.date(1950, 1, 1)),
                         RULES) == []


def test_only_contact_points_on_file():
    found = check_contact(attempt(contact_on_file=False), RULES)
    assert codes(found) == [conduct.NOT_ON_FILE]
    assert check_contact(attempt(channel=conduct.VISIT, contact_on_file=False), RULES) == []


def test_every_broken_rule_is_reported_together():
    prior = [TUESDAY_10AM - dt.timedelta(hours=i + 1) for i in range(7)]
    found = check_contact(attempt(at=TUESDAY_10AM.replace(hour=23), party=conduct.REFERENCE,
                                  person_is_debtor=False, prior_call_attempts=prior), RULES)
    assert set(codes(found)) == {conduct.OUTSIDE_HOURS, conduct.FREQUENCY_CAP,
                                 conduct.THIRD_PARTY_ASKED_TO_PAY}


def test_limits_are_configurable():
    rules = ConductRules(window_start=dt.time(9, 0), window_end=dt.time(20, 0),
                         weekdays=frozenset(range(6)), max_call_attempts=3)
    assert codes(check_contact(attempt(at=TUESDAY_10AM.replace(hour=8)), rules)) == ["horario"]
    assert check_contact(attempt(at=dt.datetime(2026, 3, 14, 11, 0, tzinfo=HMO)), rules) == []
    prior = [TUESDAY_10AM - dt.timedelta(hours=i + 1) for i in range(3)]
    assert codes(check_contact(attempt(prior_call_attempts=prior), rules)) == ["frecuencia"]


def test_age_on_birthday():
    assert conduct.age_on(dt.date(2008, 3, 10), dt.date(2026, 3, 10)) == 18
    assert conduct.age_on(dt.date(2008, 3, 11), dt.date(2026, 3, 10)) == 17
