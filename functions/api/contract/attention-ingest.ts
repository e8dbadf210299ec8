/** The attention oracle's ingest routes: outside producers' events, and voiding a key's events. */
import {
  ingestRequestBody,
  MAX_AMOUNT_PER_EVENT,
  MAX_EVENTS_PER_REQUEST,
} from '../../../layers/shared/src/core/attention/ingest-request.ts';
import { RESERVED_KEY_IDS } from '../../../layers/shared/src/core/attention/signals.ts';
import { groupThousands } from '../../../layers/shared/src/core/numbers.ts';
import { CREDENTIAL_NAME } from '../../../layers/shared/src/services/platform/api-auth.ts';
import { defineRoute, isoTime } from './route-contract.ts';
import { z } from './zod.ts';

export const INGEST_ROUTES = {
  'POST /ingest': defineRoute({
    tag: 'attention',
    summary: 'Send engagement events',
    description: `Outside producers' events, validated as a whole (nothing is enqueued unless every event is valid; a refusal names the event index and the field) and enqueued for the ingest writer. At most ${MAX_EVENTS_PER_REQUEST} events; an event counts at most ${groupThousands(MAX_AMOUNT_PER_EVENT.bits)} bits, ${groupThousands(MAX_AMOUNT_PER_EVENT.gift)} gifted subs or ${groupThousands(MAX_AMOUNT_PER_EVENT.raid)} raiders (far above anything Twitch produces); a client \`ts\` more than 5 minutes from server time is replaced by the receive time. Rate limited per source IP; each ingest API key has a quota of events per minute and per hour, and its events are stored with its name.`,
    body: { schema: ingestRequestBody, required: true },
    responses: {
      202: {
        description: 'Enqueued',
        schema: z.object({
          received: z.number().int(),
          enqueued: z.number().int(),
          messages: z.number().int().openapi({ description: 'Queue messages the events were packed into' }),
        }),
      },
    },
    errors: {
      400: 'the body or an event is malformed, or an event counts more than its cap',
      429: "the per-IP limit or the key's quota of events is exceeded, or the queue refused part of the request (see `retry-after`)",
    },
  }),
  'POST /admin/ingest-keys/{keyId}/void': defineRoute({
    tag: 'attention',
    summary: "Void one ingest API key's events in epochs not yet sealed",
    description:
      'For a key that was leaked or misused: every event it sent to an (epoch, channel) not sealed yet is removed, with the participation and weight built from them, in one transaction; what was sealed stays. Revoke the key first (remove it from `IngestApiKeys`; it stops working within 60 s) and let the ingest queue drain, then void: voiding again is safe and removes what arrived since. The answer is the audit record: the counts, and which admin token voided the key.',
    params: z.object({
      keyId: z
        .string()
        .regex(CREDENTIAL_NAME, 'keyId must be a key name: 1–64 of A-Z, a-z, 0-9, _, . and -')
        .refine(
          (name) => !RESERVED_KEY_IDS.has(name),
          'keyId must name an ingest API key, not irc or unattributed',
        )
        .openapi({ description: "The key's name in the IngestApiKeys secret", example: 'partner-a' }),
    }),
    responses: {
      200: {
        description: 'Voided (an unknown key or one with nothing left to void answers with zero counts)',
        schema: z
          .object({
            keyId: z.string(),
            voidedBy: z.string().openapi({ description: 'The name of the admin token that voided the key' }),
            voidedAt: isoTime,
            epochChannels: z
              .number()
              .int()
              .openapi({ description: '(epoch, channel) pairs not sealed yet that held events of the key' }),
            eventsRemoved: z.number().int(),
            participationRowsDeleted: z
              .number()
              .int()
              .openapi({ description: "Viewers' rows that held nothing but the key's events" }),
            participationRowsRecomputed: z
              .number()
              .int()
              .openapi({ description: "Viewers' rows that keep other events, the key's part taken out" }),
            eventsLeftInSealedEpochs: z
              .number()
              .int()
              .openapi({ description: 'Events of the key in sealed epochs, left as sealed' }),
          })
          .openapi('VoidedIngestKey'),
      },
    },
    errors: { 400: '`keyId` is not a key name, or names the IRC worker or unattributed events' },
  }),
} as const;
