from recupera.people.selectors import person_detail, person_list, person_search


def test_search_by_curp_exact_and_prefix(person_factory, django_assert_num_queries):
    ana, _ = person_factory(first_name="Ana", last_name="Valenzuela",
                            address={"municipality": "Navojoa"})
    person_factory(first_name="Luis", last_name="Encinas", second_last_name="Duarte")
    with django_assert_num_queries(1):
        found = person_search(query=ana.curp.lower(), limit=10)
    assert [p.pk for p in found] == [ana.pk]
    assert found[0].municipality_name == "Navojoa"
    assert [p.pk for p in person_search(query=ana.curp[:8], limit=10)] == [ana.pk]


def test_search_by_name_tokens_ignores_accents_and_order(person_factory):
    lucia, _ = person_factory(first_name="Lucía", last_name="Peñúñuri", second_last_name="Félix")
    person_factory(first_name="Lucía", last_name="Romero")
    assert [p.pk for p in person_search(query="felix lucia", limit=10)] == [lucia.pk]
    assert [p.pk for p in person_search(query="PENUNURI", limit=10)] == [lucia.pk]
    assert len(person_search(query="lucía", limit=10)) == 2
    assert person_search(query="   ", limit=10) == []


def test_search_by_phone_matches_the_end_of_the_number(person_factory, django_assert_num_queries):
    ana, _ = person_factory(phones=["662 123 4567"])
    person_factory(first_name="Otra", phones=["644 999 0000"])
    with django_assert_num_queries(1):
        assert [p.pk for p in person_search(query="662-123-4567", limit=5)] == [ana.pk]
    assert [p.pk for p in person_search(query="1234567", limit=5)] == [ana.pk]
    assert [p.pk for p in person_search(query="+52 662 123 4567", limit=5)] == [ana.pk]
    assert person_search(query="12345", limit=5) == []


def test_search_results_carry_what_the_global_search_shows(person_factory):
    person_factory(first_name="Ramón", last_name="Encinas", address={"state": "Sinaloa",
                                                                     "municipality_name": "Ahome"})
    (found,) = person_search(query="ramon", limit=5)
    assert found.full_name == "Ramón Encinas Romero" and found.curp and found.pk
    assert found.municipality_name == "Ahome"


def test_list_is_ordered_by_surnames(person_factory):
    person_factory(first_name="Zoe", last_name="Acosta")
    person_factory(first_name="Abel", last_name="Zazueta")
    assert [p.last_name for p in person_list(filters={})] == ["Acosta", "Zazueta"]


def test_person_detail_loads_in_three_queries(person_factory, django_assert_num_queries):
    ana, _ = person_factory(phones=["6621234567"], emails=["ana@example.com"],
                            address={"municipality": "Cajeme"})
    with django_assert_num_queries(3):
        person = person_detail(pk=ana.pk)
        assert len(person.contact_points.all()) == 2
        assert person.current_address.municipality.name == "Cajeme"


def _common_name_people(person_factory):
    """Seven people named García (in an order unlike the name order) and one Ruiz."""
    names = [("Zoe", "García", "Ortiz"), ("Ana", "García", "López"), ("Luis", "García", "Ayala"),
             ("Ana", "García", "Ayala"), ("Beto", "García", "Zamora"), ("Ana", "Gárcia", "Mora"),
             ("Eva", "García", "Ayala")]
    people = [person_factory(first_name=f, last_name=last, second_last_name=s)[0]
              for f, last, s in names]
    person_factory(first_name="Ana", last_name="Ruiz")
    return people


def _in_name_order(people):
    return [p.pk for p in sorted(people, key=lambda p: (p.last_name, p.second_last_name,
                                                        p.first_name, p.pk))]


def test_a_name_search_sorts_its_matches_in_one_query(person_factory,
                                                      django_assert_num_queries):
    people = _common_name_people(person_factory)
    with django_assert_num_queries(1):
        found = person_search(query="garcia", limit=5)
    assert [p.pk for p in found] == _in_name_order(people)[:5]
    assert [p.full_name for p in found][:2] == ["Ana García Ayala", "Eva García Ayala"]
    assert found.capped is False
    assert [p.pk for p in person_search(query="ana garcia", limit=5)] == _in_name_order(
        [p for p in people if p.first_name == "Ana"])
    with django_assert_num_queries(1):
        nobody = person_search(query="nadie", limit=5)
    assert nobody == [] and nobody.capped is False


def test_a_name_matching_more_people_than_the_cap_is_capped(person_factory, monkeypatch,
                                                           django_assert_num_queries):
    """More matches than NAME_SORT_MAX: the answer says so (capped) and is NAME_SORT_MAX + 1
    of the matches, sorted by name; at the cap exactly, it is every match."""
    from recupera.people import selectors

    people = _common_name_people(person_factory)
    matches = {p.pk for p in people}
    monkeypatch.setattr(selectors, "NAME_SORT_MAX", 3)
    with django_assert_num_queries(1):
        found = person_search(query="garcia", limit=50)
    assert found.capped is True
    assert len(found) == 4 and {p.pk for p in found} <= matches
    assert [p.pk for p in found] == _in_name_order(list(found))
    monkeypatch.setattr(selectors, "NAME_SORT_MAX", 7)
    exactly = person_search(query="garcia", limit=50)
    assert exactly.capped is False and [p.pk for p in exactly] == _in_name_order(people)


def test_the_search_page_asks_for_more_of_a_name_that_matches_too_many(
        person_factory, supervisor, client_for, monkeypatch):
    from django.urls import reverse

    from recupera.people import selectors

    _common_name_people(person_factory)
    client = client_for(supervisor)
    page = client.get(reverse("search"), {"q": "garcia"}).content.decode()
    assert "personas coinciden con la búsqueda" not in page and "Ana García Ayala" in page
    monkeypatch.setattr(selectors, "NAME_SORT_MAX", 3)
    page = client.get(reverse("search"), {"q": "garcia"}).content.decode()
    assert "Más de 3 personas coinciden con la búsqueda; la lista muestra algunas" in page
    # said before the list, where it is read first; not also "the first 50"
    assert page.index("personas coinciden con la búsqueda") < page.index('<table class="grid">')
    assert "Se muestran los primeros 50" not in page
    monkeypatch.setattr(selectors, "NAME_SORT_MAX", 1000)
    page = client.get(reverse("search"), {"q": "zzgarcia"}).content.decode()
    assert "Ninguna persona coincide" in page
