export interface LoadResult {
  /** Answers. */
  total: number;
  /** What the percentiles are of: the answers, and (paced) the requests a slow answer kept back. */
  samples: number;
  statuses: Record<number, number>;
  errors: number;
  timeouts: number;
  rps: number;
  p50: number;
  p99: number;
  max: number;
}
export function loadHttp(options: {
  url: string;
  connections: number;
  seconds: number;
  method?: string;
  headers?: Record<string, string>;
  request?: (i: number) => { body?: string; headers?: Record<string, string> };
  overallRate?: number;
  timeoutMs?: number;
}): Promise<LoadResult>;
