import pytest
from django.core.exceptions import ValidationError

from recupera.core.identifiers import (
    clabe_check_digit,
    normalize_email,
    normalize_phone,
    rfc_warning,
    validate_clabe,
    validate_curp,
)


def test_valid_curp_is_normalized():
    assert validate_curp(" boxw310820hnerxn09 ") == "BOXW310820HNERXN09"


def test_curp_with_wrong_check_digit_is_refused_in_spanish():
    with pytest.raises(ValidationError) as exc:
        validate_curp("BOXW310820HNERXN08")
    assert "dígito verificador" in exc.value.messages[0]


def test_short_curp_says_how_long_it_is():
    with pytest.raises(ValidationError) as exc:
        validate_curp("BOXW3108")
    assert exc.value.messages[0] == "La CURP debe tener 18 caracteres (tiene 8)."


def test_rfc_with_bad_check_digit_is_a_warning_not_an_error():
    assert rfc_warning("GODE561231GR8") is None
    assert "verificación" in rfc_warning("GODE561231GR9")
    assert rfc_warning("XAXX010101000") is None
    with pytest.raises(ValidationError):
        rfc_warning("12345")


def test_clabe_weights_3_7_1():
    # 032180000118359719 is the CLABE example published by Banxico's documentation.
    assert clabe_check_digit("03218000011835971") == 9
    assert validate_clabe("032180000118359719") == "032180000118359719"
    with pytest.raises(ValidationError):
        validate_clabe("032180000118359710")


def test_phones_are_stored_e164_and_bad_ones_refused():
    assert normalize_phone("(662) 123-4567") == "+526621234567"
    with pytest.raises(ValidationError) as exc:
        normalize_phone("12345")
    assert "teléfono" in exc.value.messages[0]


def test_email_refused_in_spanish():
    assert normalize_email(" Ana@Example.MX ") == "ana@example.mx"
    with pytest.raises(ValidationError) as exc:
        normalize_email("ana@")
    assert exc.value.messages[0] == "El correo ana@ no es una dirección válida."
