"""What a documented column holds: a Keboola base type, given to Storage as a hint, and a description.

Each table's documented columns are defined next to the table (the catalogue, the custom extractors) with the
helpers below; Storage shows the descriptions, and SQL workspaces and Keboola's AI assistant read them with the
types. A type describes the text the cell really holds (every cell is text, see output/cells.py): INTEGER for
Unix times in seconds and for counts, BOOLEAN for `true`/`false`, STRING for ids (text on purpose: `123`, never
`123.0`, and some ids are emails), free text and JSON. Nothing is converted to fit a type. Columns that come from
the data (attributes, `data_*`, fields Customer.io adds later) are not documented and get neither.

The fields every Customer.io item has (`id`, `created`, `tags`, ...) and those every message template has
(`subject`, `from_id`, ...) mean the same in every table: `documented()` describes them once, for the item.
"""
from dataclasses import dataclass
from typing import Dict, Iterable, Tuple, Union

STRING, INTEGER, BOOLEAN = "STRING", "INTEGER", "BOOLEAN"
BASE_TYPES = (STRING, INTEGER, BOOLEAN)
UNIX = "Unix time (seconds, UTC)"


@dataclass(frozen=True)
class Column:
    """A documented column: always in the table's header, with its base type hint and its description."""
    name: str
    type: str
    description: str


def text(name: str, description: str) -> Column:
    """Ids, names, codes, free text and JSON text."""
    return Column(name, STRING, description)


def when(name: str, event: str, otherwise: str = "") -> Column:
    """A Unix time: `when("created", "the campaign was created")`; `otherwise` says what an empty or 0 cell means."""
    return Column(name, INTEGER, f"{UNIX} {event}" + (f"; {otherwise}." if otherwise else "."))


def count(name: str, description: str) -> Column:
    return Column(name, INTEGER, description)


def flag(name: str, description: str) -> Column:
    """`true`/`false` (empty when the API sent none)."""
    return Column(name, BOOLEAN, description)


def person(whose: str = "the person") -> Tuple[Column, ...]:
    """The identifiers of a person: `cio_id` (always set), `id`, `email`."""
    return (text("cio_id", f"Customer.io's own id of {whose}; joins customers.cio_id."),
            text("id", f"The id of {whose} in your workspace; empty for people known only by an email address."),
            text("email", f"The email address of {whose}, if set."))


def recipient_identifiers() -> Tuple[Column, ...]:
    """A message's or an activity's person, as `customer_identifiers_*` columns."""
    return tuple(Column(f"customer_identifiers_{column.name}", column.type, column.description)
                 for column in person("the person"))


def common(item: str) -> Dict[str, Column]:
    """Fields that mean the same on every kind of item (`item`: "campaign", "newsletter content", ...)."""
    return {column.name: column for column in (
        text("id", f"Id of the {item}."),
        text("deduplicate_id", f"Id and Unix time of the last change (id:time): changes with the {item}."),
        text("name", f"Name of the {item}."),
        text("description", f"Description of the {item}."),
        when("created", f"the {item} was created"),
        when("updated", f"the {item} was last changed"),
        when("created_at", f"the {item} was created"),
        when("updated_at", f"the {item} was last changed"),
        text("tags", f"JSON list of the {item}'s tags."),
        # message templates: campaign and broadcast actions, newsletter and transactional contents
        text("body", "Body of the message: HTML for email, text or JSON for other channels; may hold Liquid."),
        text("subject", "Subject line (email)."),
        text("preheader_text", "Preview text shown next to the subject line in an inbox (email)."),
        text("from", "Sender address (email)."),
        text("from_id", "Id of the sender identity (sender_identities.id)."),
        text("reply_to", "Reply-to address (email), if set."),
        text("reply_to_id", "Id of the reply-to sender identity (sender_identities.id); empty if none."),
        text("recipient", "Recipient: an address or a Liquid expression such as {{customer.email}}."),
        text("bcc", "Blind-copy address(es) (email), if any."),
        flag("fake_bcc", "true: instead of true blind copies, one copy whose subject names the recipients."),
        text("headers", "Custom email headers, JSON text."),
        text("language", f"Language of this {item}; empty for the default language."),
        text("type", "Channel: email, twilio (SMS), push, in_app, webhook, slack, ..."),
        # campaigns and broadcasts
        text("actions", f"JSON list of the {item}'s steps, each {{id, type}}."),
        flag("active", f"true when the {item} can still send messages."),
        when("first_started", f"the {item} first started", "0 if it never did"),
        # references to other tables
        text("campaign_id", "Id of the campaign (campaigns.id)."),
        text("segment_id", "Id of the segment (segments.id)."),
        text("newsletter_id", "Id of the newsletter (newsletters.id)."),
        text("broadcast_id", "Id of the broadcast (broadcasts.id)."),
        text("transactional_id", "Id of the transactional message (transactional_messages.id)."),
        text("object_type_id", "Id of the object type (object_types.id)."),
        text("content_ids", f"JSON list of the ids of the {item}'s variants, one per language or A/B variant."),
        flag("subscribed_by_default", "true: people are subscribed until they opt out."),
    )}


def documented(item: str, *columns: Union[str, Column]) -> Tuple[Column, ...]:
    """A table's documented columns: a name is one of the `common` fields of `item`, a Column is the table's own."""
    shared = common(item)
    return tuple(shared[column] if isinstance(column, str) else column for column in columns)


def table_description(row: str, key: Iterable[str], source: str) -> str:
    """A table's description: what one row is, its key and where it comes from, in the same words everywhere."""
    names = list(key)
    keys = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"{row}, identified by {keys}. From {source}."
