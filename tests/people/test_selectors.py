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
