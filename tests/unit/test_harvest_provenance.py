"""keep_provenance: the pure rule behind the harvest plugin's chained package_update."""
from regionaliot.harvesters.common import PROVENANCE_FIELDS, keep_provenance

STORED = {"harvest_url": "https://a.example/ds", "harvest_identifier": "r1",
          "harvest_withdrawn": "", "other": "x"}


def test_a_form_without_the_fields_keeps_the_stored_ones():
    assert keep_provenance({"title": "t"}, STORED) == {
        "title": "t", "harvest_url": "https://a.example/ds", "harvest_identifier": "r1"}


def test_submitted_values_are_ignored():
    submitted = {"title": "t", "harvest_identifier": "forged", "harvest_url": ""}
    assert keep_provenance(submitted, STORED)["harvest_identifier"] == "r1"
    assert keep_provenance(submitted, {}) == {"title": "t"}


def test_the_fields_are_the_schemas_hidden_ones():
    assert PROVENANCE_FIELDS == ("harvest_url", "harvest_identifier", "harvest_withdrawn")
