"""Campaigns (automations): every field the API returns, nested values as JSON text."""
from extractors.base import Extractor, TableSpec, Walk

#: The fields every campaign has (the README's list); trigger-specific and newer fields are added as they come.
CAMPAIGNS = TableSpec("campaigns", ("id",), columns=(
    "actions", "active", "created", "deduplicate_id", "description", "filter_segment_ids", "first_started", "id",
    "msg_templates", "name", "state", "tags", "trigger_segment_ids", "type", "updated"))


class CampaignsExtractor(Extractor):
    name = "campaigns"
    order = 50

    def tables(self):
        return [CAMPAIGNS]

    def walks(self):
        yield Walk("campaigns", self._campaigns)

    def _campaigns(self):
        body = self.client.get("/campaigns")
        for campaign in body.get("campaigns") or []:
            yield CAMPAIGNS, campaign
