// Campaigns in DynamoDB (one item, PK CAMPAIGN#<id>, SK CAMPAIGN), behind the DynamoStore facade
// (store/dynamo-store.ts: design decisions and access patterns). A campaign has no lock: it is
// loaded by a script (scripts/load-campaign.ts), so a put replaces it (an upsert counting the
// version up).

import type { Campaign } from '../domain/campaign';
import { TableModule } from './dynamo-base';
import { keys } from './keys';

export class Campaigns extends TableModule {
  async putCampaign(campaign: Campaign): Promise<void> {
    await this.items.upsert(keys.campaign(campaign.id), { entity: 'campaign', campaign });
  }

  async getCampaign(id: string): Promise<Campaign | undefined> {
    const item = await this.items.get(keys.campaign(id));
    return item ? (item.campaign as Campaign) : undefined;
  }
}
