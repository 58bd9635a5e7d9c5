/**
 * The URL with its password masked, for messages and logs. What does not parse as a URL with a
 * host loses everything up to its last `@`: a malformed URL may still hold a password.
 */
export function redactUrl(url: string): string {
  const parsed = URL.canParse(url) ? new URL(url) : undefined;
  if (!parsed?.host) return url.replace(/^([a-z][a-z\d+.-]*:\/\/)?.*@/i, (_, scheme = '') => `${scheme}***@`);
  if (!parsed.password) return url;
  parsed.password = '***';
  return parsed.href;
}

/** A setting that may list several URLs separated by commas (a cluster's nodes), each masked. */
export function redactUrls(setting: string): string {
  return setting.split(',').map(redactUrl).join(',');
}

/**
 * Free text (an error's message) with the password of every URL in it masked, for the one line
 * a failure prints: what raised it may have quoted a URL whole.
 */
export function redactUrlsIn(text: string): string {
  // Up to the last `@` before a space or comma: a password may hold `@` or `/` unencoded.
  return text.replace(/([a-z][a-z\d+.-]*:\/\/[^\s:/@,]*:)[^\s,]*@/gi, '$1***@');
}
