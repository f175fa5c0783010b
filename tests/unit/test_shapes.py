"""Record shapes nobody on the team chose: webhook credentials stripped as URL parsers read them, and sender
identities written once whatever the flag and the lists say."""
import pytest

from customerio import shapes
from customerio.resources import BY_TABLE

#: (endpoint as Customer.io may hold it, what the table must hold). Airbyte's nine cases first (wave-2 corpus).
ENDPOINTS = [
    ("https://user:p%40ss@hooks.example.com/in?x=1", "https://hooks.example.com/in?x=1"),
    ("https://u:raw@pw@host.example/p", "https://host.example/p"),                 # a raw @ in the password
    ("http://username:password@example.com", "http://example.com"),
    ("HTTPS://user:pw@example.com/x", "HTTPS://example.com/x"),
    ("https://hooks.example.com/in?token=abc", "https://hooks.example.com/in?token=abc"),
    ("https://hooks.example.com/r?next=http://a@b", "https://hooks.example.com/r?next=http://a@b"),
    ("https://example.com/a@b/c", "https://example.com/a@b/c"),
    ("", ""),
    (None, None),
    # ... and more forms
    ("https://user@hooks.example.com/x", "https://hooks.example.com/x"),           # no password
    ("https://:pw@hooks.example.com/x", "https://hooks.example.com/x"),            # no user
    ("https://@hooks.example.com/x", "https://hooks.example.com/x"),                # empty userinfo
    ("http://u:p@10.0.0.1:8080/", "http://10.0.0.1:8080/"),                        # a port stays
    ("https://u:p@[2001:db8::1]:8443/hook", "https://[2001:db8::1]:8443/hook"),    # IPv6
    ("https://a@b:c@d@hooks.example.com", "https://hooks.example.com"),            # several @, no path
    ("https://u:p@hooks.example.com?email=a@b.c", "https://hooks.example.com?email=a@b.c"),   # query right after
    ("https://u:p@hooks.example.com#frag@x", "https://hooks.example.com#frag@x"),  # fragment right after
    ("https://hooks.example.com/?email=a@b.c", "https://hooks.example.com/?email=a@b.c"),
    ("https://hooks.example.com#a@b", "https://hooks.example.com#a@b"),
    ("https://user%3Aname:p%3Aw@hooks.example.com/", "https://hooks.example.com/"),   # percent-encoded colons
    ("  https://u:p@hooks.example.com/x", "  https://hooks.example.com/x"),        # leading blanks
    ("//u:p@hooks.example.com/x", "//hooks.example.com/x"),                        # scheme-relative
    ("https:u:p@hooks.example.com/x", "https:hooks.example.com/x"),               # browsers read an authority
    ("https:\\\\u:p@hooks.example.com/x", "https:\\\\hooks.example.com/x"),         # ... after backslashes too
    ("wss://u:p@stream.example.com/s", "wss://stream.example.com/s"),
    ("HtTp://U:P@Example.com/", "HtTp://Example.com/"),
    ("ftp://u:p@files.example.com/in", "ftp://files.example.com/in"),
    ("mailto:someone@example.com", "mailto:someone@example.com"),                 # no authority: nothing to strip
    ("hooks.example.com/in@x", "hooks.example.com/in@x"),
    (42, 42),
]


@pytest.mark.parametrize("url, clean", ENDPOINTS)
def test_webhook_credentials_are_removed_as_url_parsers_read_them(url, clean):
    assert shapes.without_credentials(url) == clean


@pytest.mark.parametrize("url, clean", [case for case in ENDPOINTS if isinstance(case[0], str)])
def test_stripping_twice_changes_nothing(url, clean):
    assert shapes.without_credentials(clean) == clean


def test_webhook_records_keep_everything_but_the_credentials():
    record = {"id": 4, "endpoint": "https://u:raw@pw@host.example/p", "events": ["email_sent"]}
    assert list(shapes.webhook_without_credentials(record)) == [{**record, "endpoint": "https://host.example/p"}]


VISIBLE, HIDDEN = "visible", "hidden"


@pytest.mark.parametrize("shape, pages", [
    ("live: each list its own kind, flag present",
     {VISIBLE: [{"id": 1, "hidden": False}, {"id": 3, "hidden": False}], HIDDEN: [{"id": 2, "hidden": True}]}),
    ("spec: no flag, hidden=true includes every sender",
     {VISIBLE: [{"id": 1}, {"id": 3}], HIDDEN: [{"id": 1}, {"id": 2}, {"id": 3}]}),
    ("no flag, each list its own kind",
     {VISIBLE: [{"id": 1}, {"id": 3}], HIDDEN: [{"id": 2}]}),
    ("flag present, hidden=true includes every sender",
     {VISIBLE: [{"id": 1, "hidden": False}, {"id": 3, "hidden": False}],
      HIDDEN: [{"id": 1, "hidden": False}, {"id": 2, "hidden": True}, {"id": 3, "hidden": False}]}),
    ("both lists hold both kinds (Airbyte's overlap)",
     {VISIBLE: [{"id": 1, "hidden": False}, {"id": 2, "hidden": True}, {"id": 3, "hidden": False}],
      HIDDEN: [{"id": 1, "hidden": False}, {"id": 2, "hidden": True}, {"id": 3, "hidden": False}]}),
])
def test_every_sender_once_with_its_hidden_flag_whatever_the_shape(shape, pages):
    resource = BY_TABLE["sender_identities"]
    assert resource.deduplicate and [p.name for p in resource.partitions] == ["visible", "hidden"]
    seen, rows = set(), []
    for partition in resource.partitions:
        for record in pages[partition.name]:
            for row in resource.shape(dict(record), partition):
                if row["id"] not in seen:            # what the extractor's deduplicate does, on the primary key
                    seen.add(row["id"])
                    rows.append(row)
    assert sorted((row["id"], row["hidden"]) for row in rows) == [(1, False), (2, True), (3, False)], shape


def test_related_people_are_read_at_either_depth():
    person = {"identifiers": {"cio_id": "ob020101", "id": "acmeInc"}, "object_type_id": "1"}
    assert shapes.relationship_items({"cio_relationships": [[person], person]}) == [person, person]
    assert shapes.relationship_items({"cio_relationships": None}) == []
