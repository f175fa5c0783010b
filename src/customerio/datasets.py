"""The datasets a user switches on: one configuration key (a boolean), one or more tables of the resource
catalogue (resources.py), and what it costs per run in plain words, for the docs and the UI."""
from dataclasses import dataclass
from typing import Dict, Tuple


@dataclass(frozen=True)
class Dataset:
    key: str                                       # configuration key (a boolean)
    title: str
    tables: Tuple[str, ...]
    cost: str                                      # requests per run, in plain words, for the docs and the UI


DATASETS: Tuple[Dataset, ...] = (
    Dataset("campaigns", "Campaigns", ("campaigns",), "1 request"),
    Dataset("campaign_actions", "Campaign actions", ("campaign_actions",),
            "1 request per campaign (and per 10 actions); with Incremental Update only for campaigns changed since "
            "the last run, all of them every full_refresh_days"),
    Dataset("segments", "Segments", ("segments", "segment_members", "segment_sizes"),
            "1 request, plus 1 per segment and per 30,000 members for segment_members, plus 1 per segment for "
            "segment_sizes"),
    Dataset("segment_usage", "Segment usage", ("segment_usage",), "1 request per segment"),
    Dataset("newsletters", "Newsletters", ("newsletters", "newsletter_contents", "newsletter_test_groups"),
            "1 request per 100 newsletters, plus 2 per newsletter changed since the last run (all of them every "
            "full_refresh_days)"),
    Dataset("broadcasts", "API-triggered broadcasts", ("broadcasts", "broadcast_actions", "broadcast_triggers"),
            "1 request plus 2 per broadcast"),
    Dataset("transactional", "Transactional messages", ("transactional_messages", "transactional_contents"),
            "1 request plus 1 per template changed since the last run"),
    Dataset("workspace_settings", "Workspace settings",
            ("sender_identities", "snippets", "collections", "subscription_topics", "subscription_channels",
             "reporting_webhooks", "workspaces"), "about 10 requests"),
    Dataset("esp_suppressions", "ESP suppressions", ("esp_suppressions",),
            "4 requests plus 1 per 1,000 suppressed addresses"),
    Dataset("optouts", "SMS and WhatsApp opt-outs", ("optouts",), "1 request per 1,000 people with opt-outs"),
)

BY_DATASET: Dict[str, Dataset] = {dataset.key: dataset for dataset in DATASETS}
