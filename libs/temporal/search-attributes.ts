import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * The project's custom search attributes: supervisors filter live workflows by these in
 * Temporal's visibility (and the Web UI). Pure, so workflow code may import it.
 */
export const SUBDISTRICT = defineSearchAttributeKey('EpiSubdistrict', SearchAttributeType.KEYWORD);
export const COMMUNITY = defineSearchAttributeKey('EpiCommunity', SearchAttributeType.KEYWORD);
export const CATEGORY = defineSearchAttributeKey('EpiCategory', SearchAttributeType.KEYWORD);
export const STATUS = defineSearchAttributeKey('EpiStatus', SearchAttributeType.KEYWORD);
export const NEXT_DUE_AT = defineSearchAttributeKey('EpiNextDueAt', SearchAttributeType.DATETIME);

export const ALL_SEARCH_ATTRIBUTES = [SUBDISTRICT, COMMUNITY, CATEGORY, STATUS, NEXT_DUE_AT];

/** `name=Type` pairs as `temporal server start-dev --search-attribute` takes them. */
export function searchAttributeFlags(): string[] {
  const cliType: Record<string, string> = { KEYWORD: 'Keyword', DATETIME: 'Datetime', TEXT: 'Text', INT: 'Int' };
  return ALL_SEARCH_ATTRIBUTES.flatMap((key) => ['--search-attribute', `${key.name}=${cliType[key.type]}`]);
}
