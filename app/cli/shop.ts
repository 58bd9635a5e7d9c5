import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Command, InvalidArgumentError } from 'commander';
import type { Order, Product } from '../../contracts/rest';
import { print } from '../../lib/cli';
import { callJson, describeAnswer, type Answer } from '../../lib/http-client';
import { drawSaga } from '../../saga/trace/trace-picture';
import { httpSource } from '../../saga/trace/trace-source';
import { loadConfig } from '../server/config';
import { defaultSessionFile, loadSession, saveSession, type Session } from './session';

/** `saga-shop shop …` (`npm run shop -- …`): the REST API from a terminal, as a customer. */

const POLL_MS = 200;
const money = (cents: number | undefined) => (cents === undefined ? '' : (cents / 100).toFixed(2));

interface Global {
  session: string;
}

export function shopCommand(): Command {
  const shop = new Command('shop')
    .description('Log in, browse the catalogue, place, follow and cancel orders over the REST API.')
    .option('--session <file>', 'where the session (the token) is kept, mode 600', defaultSessionFile())
    .addHelpText(
      'after',
      '\nExamples:\n  npm run shop -- login --email ann@example.com < password.txt\n  npm run shop -- products list\n  npm run shop -- order place <productId>:2 --card 4242424242424242\n  npm run shop -- order get <orderId>\n  npm run shop -- order cancel <orderId>',
    );

  shop
    .command('login')
    .description('log in and keep the token for the other commands (the password is read from stdin if not given)')
    .requiredOption('--email <email>', 'the account')
    .option('--password <password>', 'the password (visible to other users of this machine: prefer stdin)')
    .option('--url <url>', 'the shop (default: http://localhost:$PORT)')
    .action(async (options: { email: string; password?: string; url?: string }, command: Command) => {
      const url = (options.url ?? thisMachine()).replace(/\/+$/, '');
      const password = options.password ?? (await readStdin()).trim();
      if (!password) throw new Error('no password: pass --password or pipe it to stdin');
      const answer = await callJson(url, '/auth/login', json('POST', { email: options.email, password }));
      if (answer.status !== 200) throw new Error(`login refused: ${describeAnswer(answer)}`);
      const file = command.optsWithGlobals<Global>().session;
      saveSession(file, { url, email: options.email, token: answer.body.token });
      print([`logged in to ${url} as ${options.email}; session kept in ${file}`]);
    });

  shop
    .command('products')
    .description('the catalogue')
    .command('list')
    .description('every product on sale: id, price, stock')
    .action(async (_options, command: Command) => {
      const client = clientOf(command);
      const products: Product[] = [];
      let cursor: string | null = null;
      do {
        const page = (await client.get(`/products?limit=100${cursor ? `&cursor=${cursor}` : ''}`)) as {
          items: Product[];
          nextCursor: string | null;
        };
        products.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
      print(
        products.length === 0
          ? ['no products']
          : [
              `${'PRODUCT ID'.padEnd(36)}  ${'PRICE'.padStart(9)}  ${'STOCK'.padStart(6)}  NAME`,
              ...products.map(
                (p) => `${p.id}  ${money(p.priceCents).padStart(9)}  ${String(p.stock).padStart(6)}  ${p.name}`,
              ),
            ],
      );
    });

  const order = shop.command('order').description('orders: place, get, cancel');
  order
    .command('place')
    .description('place an order, follow it until it ends, then draw its saga')
    .argument('<lines...>', 'productId:quantity, one per product', (line: string, lines: string[] = []) => [
      ...lines,
      line,
    ])
    .requiredOption('--card <number>', 'the card to pay with (4242424242424242 settles, 4000000000000002 is declined)')
    .option('--no-wait', 'print the order as accepted, without following it')
    .action(async (lines: string[], options: { card: string; wait: boolean }, command: Command) => {
      const client = clientOf(command);
      const items = lines.map(parseLine);
      const placed = (await client.send(
        'POST',
        '/orders',
        { items, payment: { cardNumber: options.card } },
        { 'idempotency-key': randomUUID() },
      )) as Order;
      print([`order ${placed.id} accepted`]);
      if (!options.wait) return;
      const done = await follow(client, placed.id);
      print([ending(done), '', ...(await picture(client.session.url, done.id))]);
    });
  order
    .command('get')
    .description('an order: its status, lines, total and history')
    .argument('<orderId>')
    .action(async (id: string, _options, command: Command) => {
      const found = (await clientOf(command).get(`/orders/${encodeURIComponent(id)}`)) as Order;
      print([
        ending(found),
        ...found.items.map(
          (item) => `  ${item.quantity} × ${item.name ?? item.productId} ${money(item.unitPriceCents)}`,
        ),
        ...found.history.map((entry) => `  ${entry.at}  ${entry.status}${entry.reason ? ` ${entry.reason}` : ''}`),
      ]);
    });
  order
    .command('cancel')
    .description('ask to cancel an order; the saga undoes what it did')
    .argument('<orderId>')
    .action(async (id: string, _options, command: Command) => {
      const client = clientOf(command);
      const accepted = (await client.send('POST', `/orders/${encodeURIComponent(id)}/cancel`)) as Order;
      print([`order ${accepted.id}: cancellation asked`]);
      print([ending(await follow(client, id))]);
    });
  return shop;
}

const json = (method: string, body?: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method,
  headers: { 'content-type': 'application/json', ...headers },
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
});

/** The REST API as the session's user; every answer but a 2xx is one line that says what to do. */
function clientOf(command: Command) {
  const session: Session = loadSession(command.optsWithGlobals<Global>().session);
  const expect = (answer: Answer, what: string) => {
    if (answer.status >= 200 && answer.status < 300) return answer.body;
    if (answer.status === 401)
      throw new Error(`the shop refused the session's token (${describeAnswer(answer)}): log in again`);
    throw new Error(`${what}: ${describeAnswer(answer)}`);
  };
  const auth = { authorization: `Bearer ${session.token}` };
  return {
    session,
    get: async (path: string) => expect(await callJson(session.url, path, { headers: auth }), `GET ${path}`),
    send: async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
      expect(await callJson(session.url, path, json(method, body, { ...auth, ...headers })), `${method} ${path}`),
  };
}

/** Polls the order, printing each step of its history as it comes, until it is CONFIRMED or CANCELLED. */
async function follow(client: ReturnType<typeof clientOf>, id: string): Promise<Order> {
  let shown = 0;
  for (;;) {
    const current = (await client.get(`/orders/${id}`)) as Order;
    const started = Date.parse(current.createdAt);
    print(
      current.history
        .slice(shown)
        .map((entry) => `  +${((Date.parse(entry.at) - started) / 1000).toFixed(3)}s  ${entry.status}`),
    );
    shown = current.history.length;
    if (current.status !== 'PENDING') return current;
    await sleep(POLL_MS);
  }
}

const ending = (order: Order) =>
  order.status === 'CANCELLED'
    ? `order ${order.id} CANCELLED ${order.reason ?? ''}${order.detail ? ` (${order.detail})` : ''}`
    : `order ${order.id} ${order.status} ${money(order.totalCents)}${order.invoiceId ? `, invoice ${order.invoiceId}` : ''}`;

/** The shop on this machine's PORT; a customer's login takes none of its secrets. */
const thisMachine = () => `http://localhost:${loadConfig(process.env, { secrets: [] }).port}`;

/** The saga's picture, read as the admin of this machine's settings; a hint instead when that login fails. */
async function picture(url: string, orderId: string): Promise<string[]> {
  const source = httpSource({ url, admin: loadConfig(process.env, { secrets: ['ADMIN_PASSWORD'] }).admin });
  try {
    const { saga, messages } = await source.load(orderId);
    return drawSaga(messages, saga, new Date());
  } catch (error) {
    return [`(no picture: ${(error as Error).message}; saga-shop trace ${orderId} --picture --token <admin token>)`];
  }
}

function parseLine(line: string): { productId: string; quantity: number } {
  const [productId, quantity = '1'] = line.split(':');
  const n = Number(quantity);
  if (!productId || !Number.isInteger(n) || n < 1)
    throw new InvalidArgumentError(`"${line}" is not productId:quantity`);
  return { productId, quantity: n };
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('password: ');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
