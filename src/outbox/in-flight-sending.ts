/** The sending half's writes of the ykien-sending slot: only the sender's code needs them. */
import type { CommentPayload } from '../api/send.js';
import { inFlightAll, PAGE, setInFlight, type InFlight } from './in-flight.js';

/** The ykien-sending slot (in-flight.ts says what it holds), written and settled as comments go. */
export const inFlight = {
  /** `endpoint`: where it goes (a site may have two boxes on one article, each with its server). */
  put: (key: string, payload: CommentPayload, endpoint: string | undefined, queued = false) => {
    const rest = inFlightAll().filter((i) => i.payload.clientId != payload.clientId);
    // Bounded: what a server may have already goes first, a comment waiting to be put back last.
    while (rest.length > 19) rest.splice(Math.max(0, rest.findIndex((i) => !i.queued)), 1);
    setInFlight([...rest, { key, payload, queued, at: Date.now(), page: PAGE, endpoint }]);
  },
  /**
   * That comment is settled (sent, refused, discarded): only its own entry goes. `fromOutbox`: this page's
   * outbox sent it, and another page's form it was put back into (another tab, IndexedDB refused) may
   * send it again: under this key then, which that page lets go (its send, its "Nhập lại").
   */
  settled: (clientId: string, fromOutbox = false) =>
    setInFlight(inFlightAll().filter((i) => i.payload.clientId != clientId || (fromOutbox && i.backIn && i.backIn != PAGE))),
  /** A discarded comment's entry back as it was ("Hoàn tác"). */
  back: (entry: InFlight) => setInFlight([...inFlightAll().filter((i) => i.payload.clientId != entry.payload.clientId), entry]),
};
