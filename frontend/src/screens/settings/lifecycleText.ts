// Plain words for the codes of Settings → Backups and → Retention.

const holdReasons: Record<string, string> = {
  litigation: 'Litigation (a court case)',
  dispute: 'A dispute with the client',
  regulator_inquiry: "A regulator's inquiry",
  complaint: 'A complaint being investigated',
  law_enforcement_request: 'A law-enforcement request',
  insurance_claim: 'An insurance claim',
};

const releaseReasons: Record<string, string> = {
  resolved: 'The matter is resolved',
  placed_in_error: 'Placed in error',
  no_longer_required: 'No longer required',
};

const holds: Record<string, string> = {
  legal_hold: 'Legal hold',
  open_rights_request: 'Open rights request',
  erasure_hold: 'Erasure hold',
  chain_integrity: 'For its tamper-evident chain',
};

const rules: Record<string, string> = {
  health_7y_after_last_interaction: '7 years after the last interaction',
  contact_30d_after_discharge: '30 days after discharge',
  usage_log_2y: 'Log file older than 2 years',
  usage_run_log_2y: 'Run log entry older than 2 years',
  usage_audit_kept: 'Audit trail',
};

const categories: Record<string, string> = {
  health: 'Whole record',
  contact: 'Contact details',
  usage: 'Usage data',
};

const outcomes: Record<string, string> = {
  would_delete: 'Would be deleted',
  deleted: 'Deleted',
  held: 'Held',
  kept: 'Kept',
  skipped: 'Not deleted (changed since planned)',
  failed: 'Not deleted (error)',
};

const fallback = (map: Record<string, string>, code: string) => map[code] ?? code.replace(/_/g, ' ');

export const holdReasonText = (code: string) => fallback(holdReasons, code);
export const releaseReasonText = (code: string) => fallback(releaseReasons, code);
export const holdText = (code: string) => fallback(holds, code);
export const ruleText = (code: string) => fallback(rules, code);
export const categoryText = (code: string) => fallback(categories, code);
export const outcomeText = (code: string) => fallback(outcomes, code);

const tables: Record<string, [string, string]> = {
  notes: ['note', 'notes'],
  note_addenda: ['addendum', 'addenda'],
  note_summaries: ['summary', 'summaries'],
  consent_events: ['consent record', 'consent records'],
  bookings: ['booking', 'bookings'],
  rights_requests: ['rights request', 'rights requests'],
  client_history: ['history entry', 'history entries'],
  clients: ['client record', 'client records'],
  matches: ['match', 'matches'],
  exports: ['export log entry', 'export log entries'],
  outbox: ['unsent change', 'unsent changes'],
  legal_holds: ['legal hold', 'legal holds'],
  erasure_holds: ['erasure hold', 'erasure holds'],
  platform_clients: ['platform link', 'platform links'],
  log_file: ['log file', 'log files'],
  retention_runs: ['run log entry', 'run log entries'],
};

/** "3 notes, 1 consent record" — what a removal touched, counted. */
export function removedSummary(removed: { table: string; ids: string[] }[]): string {
  return removed
    .map(({ table, ids }) => {
      const name = table.replace(/_/g, ' ');
      const [one, many] = tables[table] ?? [name, name];
      return `${ids.length} ${ids.length === 1 ? one : many}`;
    })
    .join(', ');
}

/** Bytes as people read them. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GB`;
}

/** An RFC 3339 instant as a date in India ("1 Mar 2033"). */
export function formatDay(rfc3339: string): string {
  const d = new Date(rfc3339);
  if (Number.isNaN(d.getTime())) return rfc3339;
  return new Intl.DateTimeFormat('en-IN', { dateStyle: 'medium', timeZone: 'Asia/Kolkata' }).format(d);
}

/** Today's date in India, YYYY-MM-DD. */
export function todayInIndia(now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Kolkata' }).format(now);
}
