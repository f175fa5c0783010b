"""Campaigns (automations): every field the API returns, nested values as JSON text."""
from extractors.base import Extractor, TableSpec, Walk

CAMPAIGNS = TableSpec("campaigns", ("id",))


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
