import { FeedKind } from '@prisma/client';

export const FEED_FORMATS = ['bambenek', 'rank-csv', 'plain-list', 'labelled-csv', 'netlab-tsv'] as const;
export type FeedFormat = (typeof FEED_FORMATS)[number];

/** The kind of feed a format implies when a feed is created by its first ingestion. */
export const FEED_KIND_OF_FORMAT: Record<FeedFormat, FeedKind> = {
  bambenek: FeedKind.DGA,
  'rank-csv': FeedKind.BENIGN,
  'plain-list': FeedKind.BENIGN,
  'labelled-csv': FeedKind.LABELLED,
  'netlab-tsv': FeedKind.LABELLED,
};

export function isFeedFormat(value: string): value is FeedFormat {
  return (FEED_FORMATS as readonly string[]).includes(value);
}
