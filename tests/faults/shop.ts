import { randomUUID } from 'node:crypto';
import type { Http } from './http';
import type { Rng } from './seed';

export const CARDS = {
  settles: '4242424242424242',
  declined: '4000000000000002',
  insufficientFunds: '4000000000009995',
} as const;
export const settles = (card: string) => card === CARDS.settles;

export interface Customer {
  id: string;
  email: string;
  token: string;
}
export interface CatalogueItem {
  id: string;
  priceCents: number;
  /** Units on the shelf when created. */
  stock: number;
}
export interface Shop {
  adminToken: string;
  customers: Customer[];
  catalogue: CatalogueItem[];
}

/** What the client saw of an order (GET /orders/:id). */
export interface OrderView {
  id: string;
  status: 'PENDING' | 'CONFIRMED' | 'CANCELLED';
  reason?: string;
  detail?: string;
  totalCents?: number;
  items: { productId: string; quantity: number }[];
}

const ADMIN = {
  email: process.env.ADMIN_EMAIL ?? 'admin@example.com',
  password: process.env.ADMIN_PASSWORD ?? 'admin',
};

export function expectStatus(reply: { status: number; body: unknown }, status: number, what: string) {
  if (reply.status !== status)
    throw new Error(`${what}: expected ${status}, got ${reply.status} ${JSON.stringify(reply.body)}`);
}

/** Logs in the admin, registers customers and creates the catalogue (before any fault). */
export async function setUpShop(
  http: Http,
  rng: Rng,
  { customers = 6, products = 4, stock = [20, 35] as [number, number] } = {},
): Promise<Shop> {
  const login = async (email: string, password: string) => {
    const reply = await http.retrying('POST', '/auth/login', { body: { email, password } });
    expectStatus(reply, 200, `login of ${email}`);
    return reply.body.token as string;
  };
  const adminToken = await login(ADMIN.email, ADMIN.password);
  const people = await Promise.all(
    Array.from({ length: customers }, async (_, i) => {
      const email = `fault-${i}-${randomUUID()}@example.com`;
      const password = 'a-long-enough-password';
      const reply = await http.retrying('POST', '/auth/register', { body: { name: `Customer ${i}`, email, password } });
      expectStatus(reply, 201, `register ${email}`);
      return { id: reply.body.id as string, email, token: await login(email, password) };
    }),
  );
  const specs = Array.from({ length: products }, (_, i) => ({
    name: `Fault product ${i}`,
    priceCents: rng.int(100, 5000),
    stock: rng.int(stock[0], stock[1]),
  }));
  const catalogue: CatalogueItem[] = [];
  for (const spec of specs) {
    const reply = await http.retrying('POST', '/products', { token: adminToken, body: spec });
    expectStatus(reply, 201, `create ${spec.name}`);
    catalogue.push({ id: reply.body.id, priceCents: spec.priceCents, stock: spec.stock });
  }
  return { adminToken, customers: people, catalogue };
}
