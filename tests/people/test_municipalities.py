from decimal import Decimal

from recupera.people.catalog import read_catalog
from recupera.people.models import Municipality

# Sonora's bounding box (degrees), with a small margin.
LAT = (Decimal("26.2"), Decimal("32.6"))
LON = (Decimal("-115.2"), Decimal("-108.3"))


def test_catalog_has_the_72_municipalities_in_inegi_order(db):
    rows = list(Municipality.objects.order_by("inegi_code"))
    assert len(rows) == 72
    assert [m.inegi_code for m in rows] == [f"{n:03d}" for n in range(1, 73)]
    assert len({m.name for m in rows}) == 72
    names = {m.inegi_code: m.name for m in rows}
    assert names["001"] == "Aconchi"
    assert names["003"] == "Álamos"
    assert names["030"] == "Hermosillo"
    assert names["070"] == "General Plutarco Elías Calles"
    assert names["072"] == "San Ignacio Río Muerto"


def test_every_seat_lies_inside_sonora_and_has_people_and_a_region(db):
    for m in Municipality.objects.all():
        assert LAT[0] <= m.latitude <= LAT[1], m.name
        assert LON[0] <= m.longitude <= LON[1], m.name
        assert m.population > 0, m.name
        assert m.region, m.name
    assert Municipality.objects.get(name="Hermosillo").population > 900_000


def test_the_shipped_csv_matches_the_loaded_catalog(db):
    rows = read_catalog()
    assert len(rows) == 72
    assert all(str(r["latitude"]).count(".") == 1 and len(str(r["latitude"]).split(".")[1]) == 4
               for r in rows)
    assert 2_900_000 < sum(r["population"] for r in rows) < 3_000_000  # Sonora, census 2020
