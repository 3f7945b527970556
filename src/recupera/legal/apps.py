from django.apps import AppConfig


class LegalConfig(AppConfig):
    name = "recupera.legal"
    label = "legal"
    verbose_name = "Jurídico"

    def ready(self) -> None:
        from recupera.core import extensions
        from recupera.legal import prescription

        extensions.note_clocks.register(prescription.note_clocks)
        extensions.earliest_prescriptions.register(prescription.earliest_by_credit)
        extensions.credits_that_may_prescribe.register(prescription.credits_that_may_prescribe)
        extensions.prescription_fact_sql.register(prescription.fact_columns)
        extensions.prescription_start_cutoff.register(prescription.start_cutoff)
