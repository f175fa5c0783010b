"""The type catalogue's titles: what the form's pickers show for each message and activity type."""
import pytest

from customerio.catalog import (ACTIVITY_TYPES, LEGACY_ACTIVITY_TYPES, MESSAGE_TYPES, RETIRED_MESSAGE_TYPES, label,
                                type_title)


@pytest.mark.parametrize("name, title", [
    ("whatsapp", "WhatsApp"), ("sent_whatsapp", "Sent WhatsApp"), ("dropped_whatasapp", "Dropped WhatsApp"),
    ("twilio", "SMS (Twilio)"), ("clicked_twilio", "Clicked SMS (Twilio)"), ("in_app", "In-app"),
    ("opened_in_app", "Opened in-app"), ("live_notification", "Live notification"),
    ("urban_airship", "Urban Airship (retired by Customer.io, skipped)"),
    ("secondary:opened_email", "Opened email (secondary, older type)"), ("stripe_event", "Stripe event (older type)"),
    ("page", "Page"),
])
def test_type_titles(name, title):
    assert type_title(name) == title


def test_label_keeps_its_prefix_form():
    assert label("secondary:opened_email") == "Opened email (secondary)"
    assert label("whatsapp") == "WhatsApp"


def test_every_type_has_a_distinct_title():
    for names in (MESSAGE_TYPES + RETIRED_MESSAGE_TYPES, ACTIVITY_TYPES + LEGACY_ACTIVITY_TYPES):
        titles = [type_title(name) for name in names]
        assert len(set(titles)) == len(titles)
        assert all(title[0].isupper() and "_" not in title for title in titles)


def test_the_production_type_lists_match_the_fakes_own_copy_of_the_spec():
    from customerio.catalog import ACTIVITY_TYPES, LEGACY_ACTIVITY_TYPES
    from fake_api.endpoints.activity_types import OLDER_TYPES, SPEC_TYPES
    assert ACTIVITY_TYPES == SPEC_TYPES and LEGACY_ACTIVITY_TYPES == OLDER_TYPES
