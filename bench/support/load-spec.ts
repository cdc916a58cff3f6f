import type autocannon from 'autocannon';
import type { MeasurementWindow } from './window.js';

/**
 * How load is offered: closed loop on `connections` (each sends its next request when the
 * previous answer arrives: the peak), or `overallRate` requests per second across them, evenly
 * spaced (an open loop below the peak, where latency is the server's and not the queue's; see
 * paced-load.ts).
 */
export interface LoadShape {
  connections: number;
  overallRate?: number;
}

export interface LoadSpec extends LoadShape {
  /** `http://127.0.0.1:<port>`: every request goes to the loopback interface. */
  origin: string;
  /** Load runs until this window has closed. */
  window: MeasurementWindow;
  /**
   * The request sequence of connection number `index`. It is built per connection so its
   * closures can keep that connection's own state (a refresh-token chain, a browser's cookies).
   */
  requestsFor: (index: number) => autocannon.Request[];
  /**
   * Count every response with autocannon's own timing: a success when `isSuccess(status)`.
   * Failures are left to the requests' `onResponse`, which sees the body and can say why.
   * Omitted when one operation spans several requests (a sign-in) and the requests count it.
   */
  isSuccess?: (status: number) => boolean;
}

export interface LoadOutcome {
  /** Connection errors and timeouts over the whole run (warm-up included). */
  connectionErrors: number;
  timeouts: number;
}
