// Every migration, by name; names are date-prefixed so that they sort in the order they must run (Kysely runs
// them in name order whatever the order here).
import type { Migration } from 'kysely';
import * as core from './2026_11_25_001_core';
import * as suppressions from './2026_11_25_002_suppressions';
import * as providers from './2026_11_25_010_providers';
import * as tracking from './2026_11_25_020_tracking';
import * as budgets from './2026_11_25_030_budgets';
import * as orders from './2026_11_25_040_orders';
import * as journeys from './2026_11_25_050_journeys';
import * as messageTouches from './2026_11_26_040_message_touches';
import * as ingestInbox from './2026_11_27_010_ingest_inbox';
import * as memberships from './2026_12_07_010_memberships';
import * as inboxDeadLetters from './2026_12_07_020_inbox_dead_letters';
import * as canonicalDestinations from './2026_12_07_030_canonical_destinations';
import * as fixedCostInCostModel from './2026_12_07_100_fixed_cost_in_cost_model';
import * as messageTouchesSent from './2026_12_07_120_message_touches_sent';
import * as canonicalProviderMessageIds from './2026_12_07_180_canonical_provider_message_ids';
import * as campaignClickRollups from './2026_12_07_200_campaign_click_rollups';
import * as messagesVariantIndex from './2026_12_07_201_messages_variant_index';
import * as auditLog from './2026_12_07_310_audit_log';
import * as erasure from './2026_12_07_400_erasure';
import * as retention from './2026_12_07_410_retention';
import * as readPaths from './2026_12_07_420_read_paths';
import * as rollupStatementTriggers from './2026_12_07_440_rollup_statement_triggers';
import * as nodeCoordination from './2026_12_07_450_node_coordination';
import * as ordersContactId from './2026_12_08_100_orders_contact_id';
import * as feedback from './2026_12_08_300_feedback';
import * as reports from './2026_12_08_400_reports';
import * as visitInboxSequence from './2026_12_08_600_visit_inbox_sequence';
import * as campaignVariantCounts from './2026_12_08_700_campaign_variant_counts';
import * as retentionCohorts from './2026_12_09_100_retention_cohorts';
import * as attributionFits from './2026_12_09_200_attribution_fits';
import * as conversions from './2026_12_09_400_conversions';
import * as declaredSource from './2026_12_09_500_declared_source';
import * as newCustomer from './2026_12_09_600_new_customer';
import * as orderLines from './2026_12_09_700_order_lines';

export const migrations: Record<string, Migration> = {
  '2026_11_25_001_core': core,
  '2026_11_25_002_suppressions': suppressions,
  '2026_11_25_010_providers': providers,
  '2026_11_25_020_tracking': tracking,
  '2026_11_25_030_budgets': budgets,
  '2026_11_25_040_orders': orders,
  '2026_11_25_050_journeys': journeys,
  '2026_11_26_040_message_touches': messageTouches,
  '2026_11_27_010_ingest_inbox': ingestInbox,
  '2026_12_07_010_memberships': memberships,
  '2026_12_07_020_inbox_dead_letters': inboxDeadLetters,
  '2026_12_07_030_canonical_destinations': canonicalDestinations,
  '2026_12_07_100_fixed_cost_in_cost_model': fixedCostInCostModel,
  '2026_12_07_120_message_touches_sent': messageTouchesSent,
  '2026_12_07_180_canonical_provider_message_ids': canonicalProviderMessageIds,
  '2026_12_07_200_campaign_click_rollups': campaignClickRollups,
  '2026_12_07_201_messages_variant_index': messagesVariantIndex,
  '2026_12_07_310_audit_log': auditLog,
  '2026_12_07_400_erasure': erasure,
  '2026_12_07_410_retention': retention,
  '2026_12_07_420_read_paths': readPaths,
  '2026_12_07_440_rollup_statement_triggers': rollupStatementTriggers,
  '2026_12_07_450_node_coordination': nodeCoordination,
  '2026_12_08_100_orders_contact_id': ordersContactId,
  '2026_12_08_300_feedback': feedback,
  '2026_12_08_400_reports': reports,
  '2026_12_08_600_visit_inbox_sequence': visitInboxSequence,
  '2026_12_08_700_campaign_variant_counts': campaignVariantCounts,
  '2026_12_09_100_retention_cohorts': retentionCohorts,
  '2026_12_09_200_attribution_fits': attributionFits,
  '2026_12_09_400_conversions': conversions,
  '2026_12_09_500_declared_source': declaredSource,
  '2026_12_09_600_new_customer': newCustomer,
  '2026_12_09_700_order_lines': orderLines,
};
