import { applyDecorators, Type as ClassType } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { IsOptional, MAX_PAGE } from './validators';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

/** `?page=&pageSize=` of every list: one style for all of them. Extend it with a list's filters. */
export class PageQuery {
  @ApiPropertyOptional({ default: 1, minimum: 1, maximum: MAX_PAGE }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(MAX_PAGE) page?: number;
  @ApiPropertyOptional({ default: DEFAULT_PAGE_SIZE, minimum: 1, maximum: MAX_PAGE_SIZE }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(MAX_PAGE_SIZE) pageSize?: number;
}

/** One page of a list: the items, where it is, and how many there are in all. */
export interface Page<T> {
  items: T[];
  page: number;
  pageSize: number;
  total: number;
}

/** The page asked for, with the defaults, and the rows it skips (for OFFSET). */
export function pageOf(query: PageQuery): { page: number; pageSize: number; offset: number } {
  const page = query.page ?? 1;
  const pageSize = query.pageSize ?? DEFAULT_PAGE_SIZE;
  return { page, pageSize, offset: (page - 1) * pageSize };
}

class PageMeta {
  @ApiProperty() page!: number;
  @ApiProperty() pageSize!: number;
  @ApiProperty({ description: 'items in the whole list, not just this page' }) total!: number;
}

/** The schema of a `Page` of `item` (with `ApiExtraModels(...pageModels(item))` on the route). */
export function pageSchema(item: ClassType<unknown>) {
  return { allOf: [{ $ref: getSchemaPath(PageMeta) }, { properties: { items: { type: 'array', items: { $ref: getSchemaPath(item) } } }, required: ['items'] }] };
}

/** The models `pageSchema(item)` refers to. */
export const pageModels = (item: ClassType<unknown>) => [PageMeta, item];

/** Documents a 200 answer that is a `Page` of `item`. */
export function ApiPageResponse(item: ClassType<unknown>, description = 'one page of the list') {
  return applyDecorators(ApiExtraModels(...pageModels(item)), ApiOkResponse({ description, schema: pageSchema(item) }));
}
