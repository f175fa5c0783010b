"""What the App API accepts as message and activity types (its OpenAPI enums), plus older names.

These are API facts, kept in one place for the configuration, the extractors and the sync actions.
"""
import re

#: GET /v1/messages `type` (customerio-api.md section 6).
MESSAGE_TYPES = ("email", "webhook", "twilio", "whatsapp", "slack", "push", "in_app", "live_notification")
#: Types the original component offered that the API no longer knows; accepted, skipped with a warning.
RETIRED_MESSAGE_TYPES = ("urban_airship",)

#: GET /v1/activities `type` enum, verbatim from the vendor spec (including its `dropped_whatasapp` typo).
ACTIVITY_TYPES = (
    "add_relationship", "anon_merge", "attempted_action", "attempted_email", "attempted_in_app", "attempted_push",
    "attempted_slack", "attempted_twilio", "attempted_webhook", "attempted_whatsapp", "attribute_change",
    "bounced_action", "bounced_email", "bounced_push", "bounced_twilio", "bounced_whatsapp", "clicked_action",
    "clicked_content", "clicked_email", "clicked_in_app", "clicked_push", "clicked_twilio", "clicked_webhook",
    "converted_action", "converted_content", "converted_email", "converted_in_app", "converted_slack",
    "converted_twilio", "converted_webhook", "converted_whatsapp", "deferred_action", "deferred_email",
    "deferred_in_app", "deferred_push", "deferred_slack", "deferred_twilio", "deferred_webhook",
    "deferred_whatsapp", "delete_relationship", "delivered_action", "delivered_email", "delivered_push",
    "delivered_twilio", "delivered_whatsapp", "device_change", "drafted_action", "drafted_email", "drafted_in_app",
    "drafted_push", "drafted_slack", "drafted_twilio", "drafted_webhook", "dropped_action", "dropped_email",
    "dropped_push", "dropped_twilio", "dropped_webhook", "dropped_whatasapp", "event", "failed_action",
    "failed_attribute_change", "failed_batch_update", "failed_email", "failed_event", "failed_in_app",
    "failed_object_journeys", "failed_push", "failed_query_collection", "failed_slack", "failed_twilio",
    "failed_webhook", "failed_whatsapp", "opened_action", "opened_email", "opened_in_app", "opened_push", "page",
    "profile_create", "profile_delete", "profile_merge", "relationship_attribute_change",
    "relationship_failed_attribute_change", "screen", "sent_action", "sent_email", "sent_in_app", "sent_push",
    "sent_slack", "sent_twilio", "sent_webhook", "sent_whatsapp", "skipped_update", "spammed_email",
    "suppressed_twilio", "suppressed_whatsapp", "topic_unsubscribed_email", "undeliverable_action",
    "undeliverable_email", "undeliverable_in_app", "undeliverable_push", "undeliverable_slack",
    "undeliverable_twilio", "undeliverable_webhook", "undeliverable_whatsapp", "unsubscribed_action",
    "unsubscribed_email", "viewed_content", "webhook_event",
)
#: Types from the original component's list that the current spec no longer has; still requested as asked.
LEGACY_ACTIVITY_TYPES = (
    "stripe_event", "triggered_email", "secondary:dropped_email", "secondary:spammed_email",
    "secondary:bounced_email", "secondary:delivered_email", "secondary:opened_email", "secondary:clicked_email",
    "secondary:failed_email",
)
#: Object and relationship activity types carry an object type id: `_o:<id>:<action>`, `_r:<id>:<action>`.
OBJECT_ACTIONS = ("add_relationship", "attribute_change", "create", "delete", "delete_relationship",
                  "failed_attribute_change")
RELATIONSHIP_ACTIONS = ("attribute_change", "failed_attribute_change")
OBJECT_ACTIVITY_TYPE = re.compile(
    rf"^(_o:\d+:({'|'.join(OBJECT_ACTIONS)})|_r:\d+:({'|'.join(RELATIONSHIP_ACTIONS)}))$")


def object_activity_types(type_id: str, type_name: str):
    """(type, label) of every object and relationship activity type of one object type: `_o:3:create`,
    `Companies (3): create`."""
    for prefix, actions, kind in (("_o", OBJECT_ACTIONS, ""), ("_r", RELATIONSHIP_ACTIONS, " relationship")):
        for action in actions:
            yield f"{prefix}:{type_id}:{action}", f"{type_name} ({type_id}){kind}: {_label(action).lower()}"


def is_activity_type(name: str) -> bool:
    return name in ACTIVITY_TYPES or name in LEGACY_ACTIVITY_TYPES or bool(OBJECT_ACTIVITY_TYPE.match(name))


def label(type_name: str) -> str:
    """A readable label for a type: `secondary:opened_email` -> `Opened email (secondary)`, `whatsapp` -> `WhatsApp`."""
    return _label(type_name)


def type_title(type_name: str) -> str:
    """The picker's title for a message or activity type: the label, marked when Customer.io no longer lists it."""
    if type_name in RETIRED_MESSAGE_TYPES:
        return _label(type_name, "retired by Customer.io, skipped")
    if type_name in LEGACY_ACTIVITY_TYPES:
        return _label(type_name, "older type")
    return _label(type_name)


_PROPER_NAMES = ((r"\btwilio\b", "SMS (Twilio)"), (r"\burban airship\b", "Urban Airship"),
                 # `whatasapp` is the vendor spec's own typo in `dropped_whatasapp`; its label is spelled right.
                 (r"\bwhata?sapp\b", "WhatsApp"), (r"\bin app\b", "in-app"))


def _label(type_name: str, note: str = "") -> str:
    prefix, _, rest = type_name.rpartition(":")
    words = rest.replace("_", " ").strip().lower()
    for pattern, name in _PROPER_NAMES:
        words = re.sub(pattern, name, words)
    words = words[:1].upper() + words[1:]
    notes = [part for part in (prefix, note) if part]
    return f"{words} ({', '.join(notes)})" if notes else words
