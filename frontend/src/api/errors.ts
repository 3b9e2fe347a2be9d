// Errors from bound Go methods reject with a string "code: message", where code is
// one of the application error codes (not_found, invalid, conflict, locked,
// forbidden, consent_required, internal). Users see the message part only.

const codePrefix = /^(?:[a-z]+(?:_[a-z]+)*): /;

/** The part of a rejected call that is meant for the user, without the "code: " prefix. */
export function errorMessage(e: unknown): string {
  let text: string;
  if (typeof e === 'string') {
    text = e;
  } else if (e instanceof Error) {
    text = e.message;
  } else if (e && typeof e === 'object' && 'message' in e && typeof e.message === 'string') {
    text = e.message;
  } else {
    text = '';
  }
  text = text.trim().replace(codePrefix, '');
  if (text === '') return 'Something went wrong. Please try again.';
  // Never show a stack trace or a multi-line dump: keep the first line.
  const firstLine = text.split('\n', 1)[0];
  return firstLine.charAt(0).toUpperCase() + firstLine.slice(1);
}

/** The machine-readable code of a rejected call ("locked", "invalid", ...), or "". */
export function errorCode(e: unknown): string {
  const text = typeof e === 'string' ? e : e instanceof Error ? e.message : '';
  const m = /^([a-z]+(?:_[a-z]+)*): /.exec(text.trim());
  return m ? m[1] : '';
}
