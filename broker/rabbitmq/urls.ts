/** The nodes a broker URL setting names: one URL, or a cluster's nodes separated by commas. */
export function nodeUrls(setting: string): string[] {
  return setting
    .split(',')
    .map((url) => url.trim())
    .filter((url) => url.length > 0);
}

export function isAmqpUrl(url: string): boolean {
  return URL.canParse(url) && /^amqps?:$/.test(new URL(url).protocol);
}
