"""A Reference survives the trip to CSL-JSON and back, and what has no place is named."""

from datetime import date

from broadsheet.publishing.csl_json import reference_fields, reference_to_csl
from broadsheet.publishing.models import Reference


def test_every_stored_field_survives_the_round_trip() -> None:
    ref = Reference(
        key="marsh1998",
        kind="chapter",
        contributors={
            "author": [{"family": "Marsh", "given": "Rosalind"}],
            "editor": [{"literal": "Institute of Slavonic Studies"}],
            "translator": [{"family": "Frank", "given": "Joseph"}],
        },
        title="The Word",
        original_title="Slovo",
        container_title="Essays",
        publisher="Macmillan",
        place="London",
        issued="1998-03",
        volume="2",
        issue="4",
        pages="80–95",
        url="https://example.org/x",
        doi="10.1000/xyz",
        isbn="9780333",
        archive="GARF",
        archive_location="f. 1, op. 2",
        accessed=date(2020, 5, 17),
        note="Second edition.",
    )
    item = reference_to_csl(ref)
    assert item["issued"] == {"date-parts": [[1998, 3]]}
    assert item["page"] == "80–95" and item["publisher-place"] == "London"
    fields, unknown = reference_fields(item)
    assert unknown == []
    for name, value in fields.items():
        assert getattr(ref, name) == value, name


def test_unknown_variables_and_types_are_named_not_kept() -> None:
    fields, unknown = reference_fields(
        {
            "id": "x",
            "type": "motion_picture",
            "title": "T",
            "genre": "PhD",
            "issued": {"raw": "spring"},
        }
    )
    assert fields["kind"] == "book" and fields["issued"] == "spring"
    assert "genre" in unknown and any("motion_picture" in u for u in unknown)


def test_hostile_names_and_dates_do_not_break_the_mapping() -> None:
    fields, _ = reference_fields(
        {
            "title": "<script>x</script>",
            "author": ["nope", {"family": 3}],
            "issued": {"date-parts": [["a"]]},
        }
    )
    assert fields["contributors"] == {"author": [{"family": "3"}]}
    assert fields["issued"] == "" and fields["title"] == "<script>x</script>"
