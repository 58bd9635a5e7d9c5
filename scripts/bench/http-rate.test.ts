import { describe, expect, it } from 'vitest';
import { answerSize } from './http-rate';

const bytes = (text: string) => Buffer.from(text, 'latin1');

describe('answerSize', () => {
  const sized = 'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nContent-Length: 11\r\n\r\n{"items":1}';

  it('reads an answer of a given length, and waits for the rest of one cut short', () => {
    expect(answerSize(bytes(sized))).toBe(sized.length);
    expect(answerSize(bytes(sized.slice(0, -1)))).toBe(0);
    expect(answerSize(bytes(sized.slice(0, 20)))).toBe(0);
  });

  it('reads the first of two answers that came together', () => {
    expect(answerSize(bytes(sized + sized))).toBe(sized.length);
  });

  it('reads a chunked answer to its last chunk, an empty one too', () => {
    const chunked = 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n';
    expect(answerSize(bytes(chunked + sized))).toBe(chunked.length);
    expect(answerSize(bytes(chunked.slice(0, -2)))).toBe(0);
    const empty = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n';
    expect(answerSize(bytes(empty))).toBe(empty.length);
  });

  it('refuses what is not a 200, and an answer with no length', () => {
    expect(() => answerSize(bytes('HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\n\r\n'))).toThrow(
      'expected a 200, got "HTTP/1.1 503 Service Unavailable"',
    );
    expect(() => answerSize(bytes('HTTP/1.1 200 OK\r\nconnection: close\r\n\r\n'))).toThrow('no length');
  });
});
