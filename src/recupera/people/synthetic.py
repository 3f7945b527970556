"""Synthetic persons for demos, tests and benchmarks: deterministic for a seed, valid identifiers.

Faker's CURP/RFC check digits are often wrong, so the CURP and RFC are built here with the
official rules (RENAPO's Instructivo Normativo for the CURP; SAT's check digit for the RFC).

    make_people(count=1000, seed=7)            -> list of dicts for services.person_bulk_create
    make_people(count=1000, seed=7, start=1000) -> the next 1,000 (person i depends only on
                                                   seed and i, except CURP de-duplication)

Every CURP passes stdnum.mx.curp.validate and is unique within a call; pass the same `taken`
set to consecutive calls to keep them unique across batches. About 98.5 % of the RFCs carry a
correct check digit (real data fails ~1.5 %, docs/domain.md §8) and ~15 % of persons have none.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect
from functools import lru_cache
from itertools import accumulate
from random import Random
from typing import Any

from recupera.people.catalog import read_catalog
from recupera.people.names import fold

# --------------------------------------------------------------------------- CURP and RFC rules

VOWELS = frozenset("AEIOU")
# Particles skipped in compound names and surnames ("DE LA CRUZ" -> CRUZ).
PARTICLES = frozenset("DA DAS DE DEL DER DI DIE DD EL LA LAS LE LES LOS MAC MC VAN VON Y".split())
# A compound first name starting with one of these uses the following name (MARÍA JOSÉ -> JOSÉ).
COMMON_FIRST = frozenset("MARIA MA MA. M M. JOSE J J.".split())
# Four-letter words RENAPO replaces (second letter becomes X).
INCONVENIENT = frozenset("""
    BACA BAKA BUEI BUEY CACA CACO CAGA CAGO CAKA CAKO COGE COGI COJA COJE COJI COJO COLA CULO
    FALO FETO GETA GUEI GUEY JETA JOTO KACA KACO KAGA KAGO KAKA KAKO KOGE KOGI KOJA KOJE KOJI
    KOJO KOLA KULO LILO LOCA LOCO LOKA LOKO MAME MAMO MEAR MEAS MEON MIAR MION MOCO MOKO MULA
    MULO NACA NACO PEDA PEDO PENE PIPI PITO POPO PUTA PUTO QULO RATA ROBA ROBE ROBO RUIN SENO
    TETA VACA VAGA VAGO VAKA VUEI VUEY WUEI WUEY
""".split())
_CURP_ALPHABET = "0123456789ABCDEFGHIJKLMN&OPQRSTUVWXYZ"  # & stands where Ñ sorts
_CURP_VALUE = {c: i for i, c in enumerate(_CURP_ALPHABET)}
_CURP_WEIGHTS = tuple(range(18, 1, -1))  # 18 for the 1st character … 2 for the 17th
_RFC_ALPHABET = "0123456789ABCDEFGHIJKLMN&OPQRSTUVWXYZ Ñ"
_RFC_VALUE = {c: i for i, c in enumerate(_RFC_ALPHABET)}
_DIGITS = "0123456789"
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_HOMOCLAVE_1 = "123456789ABCDEFGHIJKLMNPQRSTUV"
_HOMOCLAVE_2 = "123456789ABCDEFGHIJKLMNPQRSTUVWXYZ"


def _words(name: str) -> list[str]:
    return fold((name or "").upper().replace("Ñ", "X")).split()


@lru_cache(maxsize=8192)
def _significant(name: str, *, first_name: bool = False) -> str:
    words = _words(name)
    if first_name and len(words) > 1 and words[0] in COMMON_FIRST:
        words = words[1:]
    kept = [w for w in words if w not in PARTICLES]
    return (kept or words or [""])[0]


def _internal(word: str, *, vowel: bool) -> str:
    for c in word[1:]:
        if (c in VOWELS) == vowel and c.isalpha():
            return c
    return "X"


def curp_name_letters(first_name: str, last_name: str, second_last_name: str = "") -> tuple[str, str]:
    """(the 4 initial letters, the 3 internal consonants) of a CURP for these names."""
    s1 = _significant(last_name)
    s2 = _significant(second_last_name)
    n = _significant(first_name, first_name=True)
    four = (s1[:1] or "X") + _internal(s1, vowel=True) + (s2[:1] or "X") + (n[:1] or "X")
    if four in INCONVENIENT:
        four = four[0] + "X" + four[2:]
    consonants = (_internal(s1, vowel=False) + (_internal(s2, vowel=False) if s2 else "X")
                  + _internal(n, vowel=False))
    return four, consonants


def curp_check_digit(first17: str) -> str:
    total = sum(_CURP_VALUE[c] * (18 - i) for i, c in enumerate(first17))
    return str((10 - total % 10) % 10)


def rfc_check_digit(first12: str) -> str:
    total = sum(_RFC_VALUE[c] * (13 - i) for i, c in enumerate(first12))
    return _RFC_ALPHABET[(11 - total) % 11]


def build_curp(*, first_name: str, last_name: str, second_last_name: str, birth_date: dt.date,
               sex: str, state_code: str, differentiator: str | None = None) -> str:
    """A valid CURP. differentiator: the 17th character (digit before 2000, letter after)."""
    four, consonants = curp_name_letters(first_name, last_name, second_last_name)
    if differentiator is None:
        differentiator = "0" if birth_date.year < 2000 else "A"
    first17 = f"{four}{birth_date:%y%m%d}{sex}{state_code}{consonants}{differentiator}"
    return first17 + curp_check_digit(first17)


# --------------------------------------------------------------------------- data pools

SONORA_SURNAMES = (
    "Acosta", "Aguilar", "Álvarez", "Amarillas", "Armenta", "Bojórquez", "Borbón", "Burruel",
    "Castro", "Cota", "Duarte", "Durazo", "Encinas", "Escalante", "Espinoza", "Félix", "Figueroa",
    "García", "Gastélum", "González", "Hernández", "Ibarra", "Leyva", "López", "Martínez",
    "Miranda", "Molina", "Montaño", "Moreno", "Morales", "Noriega", "Ochoa", "Ortiz", "Quiroz",
    "Robles", "Rodríguez", "Romero", "Ruiz", "Salazar", "Soto", "Valdez", "Valenzuela", "Vázquez",
    "Verdugo", "Villegas", "Yocupicio", "Zazueta", "Zamora", "Bórquez", "Urquídez", "Peñúñuri",
    "Mendívil", "Ayala", "De la Cruz", "Del Castillo", "Ruiz de Chávez",
)
STREETS = (
    "Av. Revolución", "Calle Rosales", "Blvd. Luis Encinas", "Calle Jesús García", "Av. Serdán",
    "Calle No Reelección", "Blvd. Kino", "Calle Yáñez", "Calle Garmendia", "Av. Obregón",
    "Calle Guerrero", "Calle Morelos", "Calle Hidalgo", "Av. Juárez", "Calle Matamoros",
    "Calle Zaragoza", "Calle 5 de Febrero", "Calle Sufragio Efectivo", "Calle Allende",
    "Blvd. Rodolfo Elías Calles", "Calle Tamaulipas", "Calle Sinaloa", "Calle Chihuahua",
    "Calle Pino Suárez", "Av. Sonora", "Calle Miguel Alemán", "Calle Guadalupe Victoria",
    "Calle Madero", "Calle Independencia", "Calle Pesqueira", "Calle Mina", "Calle Galeana",
    "Calle Niños Héroes", "Calle Aldama", "Av. Tecnológico", "Calle Del Pitic", "Calle Palo Verde",
    "Calle Mezquite", "Calle Sahuaro", "Calle Jacarandas", "Calle Olivos", "Calle Nogal",
)
NEIGHBORHOODS = (
    "Centro", "Modelo", "Balderrama", "San Benito", "Pitic", "Olivares", "Las Quintas",
    "Valle Verde", "El Sahuaro", "Villa de Seris", "Los Naranjos", "Infonavit", "Municipio Libre",
    "Bugambilias", "Fovissste", "Las Palmas", "San Juan", "Jardines", "Nuevo Hermosillo",
    "Villa Sonora", "Cuauhtémoc", "Allende", "Hidalgo", "Miguel Alemán", "Benito Juárez",
    "Loma Linda", "Los Álamos", "Sochiloa", "Cortinas", "Itson", "Cajeme", "Primero de Mayo",
    "Constitución", "Kennedy", "Buenos Aires", "Colosio", "Industrial", "Ferrocarrilera",
    "Aviación", "Real del Arco", "Las Granjas", "Popular", "Obrera", "Lomas de Madrid",
)
# Postal-code ranges by INEGI code; the rest by region (all inside Sonora's 83000-85999).
POSTAL_BY_CODE: dict[str, tuple[int, int]] = {
    "030": (83000, 83349), "055": (83400, 83479), "048": (83550, 83559), "017": (83600, 83699),
    "043": (84000, 84099), "035": (84120, 84129), "036": (84160, 84179), "002": (84200, 84299),
    "058": (84600, 84610), "019": (84620, 84630), "041": (84340, 84349), "018": (85000, 85210),
    "072": (85230, 85239), "012": (85250, 85269), "026": (85280, 85289), "071": (85290, 85299),
    "025": (85330, 85349), "029": (85400, 85509), "003": (85760, 85769), "042": (85800, 85899),
    "033": (85900, 85960),
}
POSTAL_BY_REGION: dict[str, tuple[int, int]] = {
    "Capital": (83000, 83349), "Alto Golfo": (83400, 83599), "Gran Desierto": (83700, 83799),
    "Frontera": (84100, 84149), "Cuatro Sierras": (84300, 84399), "Sierra Alta": (84500, 84599),
    "Tres Ríos": (84700, 84899), "Puerto": (85510, 85549), "Río Yaqui": (85200, 85229),
    "Río Mayo": (85700, 85759),
}
AREA_BY_CODE: dict[str, str] = {
    "030": "662", "018": "644", "043": "631", "055": "653", "042": "642", "029": "622",
    "025": "622", "017": "637", "047": "637", "002": "633", "019": "645", "048": "638",
    "070": "638", "033": "647", "003": "647", "026": "647", "071": "647", "036": "632",
    "035": "632", "041": "634", "058": "641", "012": "643", "072": "643",
}
AREA_BY_REGION: dict[str, str] = {
    "Capital": "662", "Alto Golfo": "653", "Gran Desierto": "641", "Frontera": "631",
    "Cuatro Sierras": "633", "Sierra Alta": "634", "Tres Ríos": "623", "Puerto": "622",
    "Río Yaqui": "644", "Río Mayo": "642",
}
# Persons living outside Sonora: (state, municipality, postal range, area code).
ELSEWHERE = (
    ("Sinaloa", "Culiacán", (80000, 80199), "667"),
    ("Sinaloa", "Ahome", (81200, 81299), "668"),
    ("Baja California", "Mexicali", (21000, 21399), "686"),
    ("Baja California", "Tijuana", (22000, 22699), "664"),
    ("Chihuahua", "Chihuahua", (31000, 31499), "614"),
    ("Baja California Sur", "La Paz", (23000, 23099), "612"),
    ("Jalisco", "Guadalajara", (44100, 44990), "33"),
    ("Nuevo León", "Monterrey", (64000, 64990), "81"),
    ("Ciudad de México", "Coyoacán", (4000, 4999), "55"),
)
# CURP state of birth: mostly Sonora.
BIRTH_STATES = (("SR", 85), ("SL", 5), ("BC", 2), ("CH", 2), ("JC", 1), ("DF", 1), ("BS", 1),
                ("NL", 1), ("MN", 1), ("NE", 1))
EMAIL_DOMAINS = (("gmail.com", 50), ("hotmail.com", 25), ("outlook.com", 10),
                 ("yahoo.com.mx", 10), ("live.com.mx", 5))


def _weighted(pairs: tuple[tuple[Any, int], ...]) -> tuple[list[Any], list[int]]:
    return [v for v, _w in pairs], list(accumulate(w for _v, w in pairs))


@lru_cache(maxsize=8)
def _pools(seed: int) -> dict[str, Any]:
    """Name, street and place pools; Faker (es_MX) seeded for the few it contributes."""
    from faker import Faker
    from faker.providers.person.es_MX import Provider as PersonProvider

    fake = Faker("es_MX")
    fake.seed_instance(seed)
    municipalities = read_catalog()
    states, state_weights = _weighted(BIRTH_STATES)
    domains, domain_weights = _weighted(EMAIL_DOMAINS)
    last_names = list(PersonProvider.last_names) + list(SONORA_SURNAMES) * 4
    return {
        "male": list(PersonProvider.first_names_male),
        "female": list(PersonProvider.first_names_female),
        "last": last_names,
        "streets": list(STREETS) + [fake.street_name() for _ in range(len(STREETS) // 2)],
        "municipalities": municipalities,
        "municipality_weights": list(accumulate(m["population"] for m in municipalities)),
        "states": states, "state_weights": state_weights,
        "domains": domains, "domain_weights": domain_weights,
        "young": (dt.date(1976, 1, 1).toordinal(), dt.date(2006, 12, 31).toordinal()),
        "older": (dt.date(1950, 1, 1).toordinal(), dt.date(1982, 12, 31).toordinal()),
    }


def _choice(rng: Random, values: Any) -> Any:
    return values[int(rng.random() * len(values))]


def _between(rng: Random, low: int, high: int) -> int:
    """An integer in [low, high] (Random.randrange is slow in a hot loop)."""
    return low + int(rng.random() * (high - low + 1))


def _pick(rng: Random, values: list[Any], cumulative: list[int]) -> Any:
    return values[bisect(cumulative, rng.random() * cumulative[-1])]


def _phone(rng: Random, area: str) -> str:
    subscriber = _between(rng, 10 ** (9 - len(area)), 10 ** (10 - len(area)) - 1)
    return f"+52{area}{subscriber}"


@lru_cache(maxsize=8192)
def _email_part(name: str) -> str:
    return fold(name).replace(" ", "").lower()


def _email(rng: Random, first: str, last: str, domains: list[str], weights: list[int]) -> str:
    local = f"{_email_part(first.split()[0])}.{_email_part(last)}"
    if rng.random() < 0.6:
        local += str(1 + int(rng.random() * 999))
    return f"{local}@{_pick(rng, domains, weights)}"


def _person(rng: Random, pools: dict[str, Any], taken: set[str]) -> dict[str, Any]:
    sex = "M" if rng.random() < 0.52 else "H"
    names = pools["female"] if sex == "M" else pools["male"]
    first = _choice(rng, names)
    if rng.random() < 0.22:
        compound = "María" if sex == "M" else "José"
        if rng.random() < 0.5:
            first = f"{compound} {first}" if first != compound else first
        else:
            second = _choice(rng, names)
            first = f"{first} {second}" if second != first else first
    last = _choice(rng, pools["last"])
    second_last = _choice(rng, pools["last"]) if rng.random() < 0.98 else ""
    lo, hi = pools["young"] if rng.random() < 0.65 else pools["older"]
    birth = dt.date.fromordinal(_between(rng, lo, hi))
    state_code = _pick(rng, pools["states"], pools["state_weights"])

    four, consonants = curp_name_letters(first, last, second_last)
    yymmdd = f"{birth.year % 100:02d}{birth.month:02d}{birth.day:02d}"
    head = f"{four}{yymmdd}{sex}{state_code}{consonants}"
    head_sum = sum(_CURP_VALUE[c] * w for c, w in zip(head, _CURP_WEIGHTS, strict=False))
    symbols = _DIGITS if birth.year < 2000 else _LETTERS
    start = int(rng.random() * len(symbols))
    for step in range(len(symbols)):  # vary the 17th character until the CURP is new
        symbol = symbols[(start + step) % len(symbols)]
        curp = f"{head}{symbol}{(10 - (head_sum + _CURP_VALUE[symbol] * 2) % 10) % 10}"
        if curp not in taken:
            break
    else:  # every homonym slot used: another birth date
        return _person(rng, pools, taken)
    taken.add(curp)

    rfc = ""
    roll = rng.random()
    if roll < 0.85:
        first12 = f"{four}{yymmdd}{_choice(rng, _HOMOCLAVE_1)}{_choice(rng, _HOMOCLAVE_2)}"
        check = rfc_check_digit(first12)
        if roll < 0.85 * 0.015:  # a wrong check digit, as in real data
            check = "0" if check != "0" else "1"
        rfc = first12 + check

    if rng.random() < 0.95:
        m = _pick(rng, pools["municipalities"], pools["municipality_weights"])
        code = m["inegi_code"]
        low, high = POSTAL_BY_CODE.get(code) or POSTAL_BY_REGION[m["region"]]
        area = AREA_BY_CODE.get(code) or AREA_BY_REGION[m["region"]]
        address = {"street": _choice(rng, pools["streets"]), "number": str(_between(rng, 1, 2999)),
                   "neighborhood": _choice(rng, NEIGHBORHOODS), "municipality": m["name"],
                   "state": "Sonora", "postal_code": f"{_between(rng, low, high):05d}"}
    else:
        state, place, (low, high), area = _choice(rng, ELSEWHERE)
        address = {"street": _choice(rng, pools["streets"]), "number": str(_between(rng, 1, 2999)),
                   "neighborhood": _choice(rng, NEIGHBORHOODS), "municipality_name": place,
                   "state": state, "postal_code": f"{_between(rng, low, high):05d}"}
    phones = []
    if rng.random() < 0.95:
        phones.append({"value": _phone(rng, area), "label": "celular"})
        if rng.random() < 0.3:
            phones.append({"value": _phone(rng, area), "label": "casa"})
    emails = []
    if rng.random() < 0.65:
        emails.append({"value": _email(rng, first, last, pools["domains"], pools["domain_weights"]),
                       "label": "otro"})
    return {"curp": curp, "rfc": rfc, "first_name": first, "last_name": last,
            "second_last_name": second_last, "birth_date": birth, "phones": phones,
            "emails": emails, "address": address}


def make_people(*, count: int, seed: int, start: int = 0,
                taken: set[str] | None = None) -> list[dict[str, Any]]:
    """`count` synthetic persons (indexes start .. start+count-1) for `seed`.

    Each dict has person_create's keyword arguments: curp, rfc, first_name, last_name,
    second_last_name, birth_date, phones, emails ([{value, label}], E.164 phones), address.
    """
    pools = _pools(seed)
    used: set[str] = taken if taken is not None else set()
    rng = Random()
    people = []
    for index in range(start, start + count):
        rng.seed(seed * 1_000_003 + index)
        people.append(_person(rng, pools, used))
    return people
