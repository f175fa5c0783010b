"""What the fake's workspace holds right now, table by table, as the component should write it: the truth the
multi-run tests compare Storage with (every mirrored table, children with their parent's column)."""
from fake_api.endpoints import (broadcasts, campaign_actions, lifecycle, newsletters, objects, optouts, segment_usage,
                                settings, suppressions, transactional)
from fake_api.endpoints.campaigns import campaign
from fake_api.endpoints.segments import segment

#: Primary keys of the mirrored tables that are not keyed by `id` alone.
KEYS = {"campaign_actions": ("campaign_id", "id"), "newsletter_contents": ("newsletter_id", "id"),
        "newsletter_test_groups": ("newsletter_id", "id"), "broadcast_actions": ("broadcast_id", "id"),
        "broadcast_triggers": ("broadcast_id", "id"), "transactional_contents": ("transactional_id", "id"),
        "segment_members": ("segment_id", "cio_id"), "segment_usage": ("segment_id", "used_by_type", "used_by_id"),
        "snippets": ("name",), "esp_suppressions": ("suppression_type", "email"),
        "optouts": ("cio_id", "channel", "from"), "customers": ("cio_id",),
        "objects": ("object_type_id", "object_id"), "object_relationships": ("object_type_id", "object_id", "cio_id")}


def truth(fake):
    """Every mirrored table as Customer.io holds it right now: {table: [records as the API sends them]}."""
    ws = fake.workspace
    campaign_ids = [n for n in range(1, ws.campaigns + 1) if not lifecycle.is_removed(fake, "campaign", n)]
    newsletter_ids = newsletters.newsletter_ids(fake)
    broadcast_ids = [b["id"] for b in broadcasts.expected_broadcasts(fake)]
    transactional_ids = [t["id"] for t in transactional.expected_transactional(fake)]
    type_ids = [t["id"] for t in objects.expected_object_types(fake)]
    people = [q for q in range(ws.people) if ws.exists(q)]
    return {
        "campaigns": [campaign(ws, n, lifecycle.revision(fake, "campaign", n)) for n in campaign_ids],
        "campaign_actions": [dict(a, campaign_id=n) for n in campaign_ids
                             for a in campaign_actions.expected_campaign_actions(fake, n)],
        "segments": [segment(ws, s) for s in ws.segment_ids()],
        "segment_members": [{"segment_id": s, "cio_id": ws.person(ws.segment_member(s, k))["cio_id"]}
                            for s in ws.segment_ids() for k in range(ws.segment_size(s))],
        "segment_usage": [{"segment_id": s, "used_by_type": kind, "used_by_id": used} for s in ws.segment_ids()
                          for kind, used in segment_usage.expected_segment_usage(fake, s)],
        "newsletters": newsletters.expected_newsletters(fake),
        "newsletter_contents": [dict(c, newsletter_id=n) for n in newsletter_ids
                                for c in newsletters.expected_newsletter_contents(fake, n)],
        "newsletter_test_groups": [dict(g, newsletter_id=n) for n in newsletter_ids
                                   for g in newsletters.expected_newsletter_test_groups(fake, n)],
        "broadcasts": broadcasts.expected_broadcasts(fake),
        "broadcast_actions": [dict(a, broadcast_id=b) for b in broadcast_ids
                              for a in broadcasts.expected_broadcast_actions(fake, b)],
        "broadcast_triggers": [dict(t, broadcast_id=b) for b in broadcast_ids
                               for t in broadcasts.expected_broadcast_triggers(fake, b)],
        "transactional_messages": transactional.expected_transactional(fake),
        "transactional_contents": [dict(c, transactional_id=t) for t in transactional_ids
                                   for c in transactional.expected_transactional_contents(fake, t)],
        "sender_identities": settings.expected_sender_identities(fake),
        "snippets": settings.expected_snippets(fake),
        "collections": settings.expected_collections(fake),
        "subscription_topics": settings.expected_subscription_topics(fake),
        "subscription_channels": settings.expected_subscription_channels(fake),
        "reporting_webhooks": settings.expected_reporting_webhooks(fake, strip=True),
        "workspaces": settings.expected_workspaces(fake),
        "esp_suppressions": [dict(item, suppression_type=kind) for kind in suppressions.TYPES
                             for item in suppressions.expected_suppressions(fake, kind)],
        "optouts": [{"cio_id": cio, "channel": channel, "from": sender}
                    for cio, channel, sender in optouts.expected_optout_rows(fake)],
        "customers": [dict(ws.person(q), unsubscribed=ws.unsubscribed(q)) for q in people],
        "object_types": objects.expected_object_types(fake),
        "objects": [dict(item, object_type_id=t) for t in type_ids for item in objects.expected_objects(fake, t)],
        "object_relationships": [dict(p["identifiers"], object_type_id=t, object_id=item["object_id"])
                                 for t in type_ids for item in objects.expected_objects(fake, t)
                                 for p in objects.expected_object_relationships(fake, t, item["object_id"])],
    }
