import { Hono } from 'hono';
import { z } from 'zod';
import { ListQuery } from '../../contracts/rest';
import type { SqliteDb } from '../../db/sqlite';
import { authenticate, canSee, type AuthEnv, type Tokens } from '../../http/auth';
import { notFound } from '../../http/errors';
import { page } from '../../http/pagination';
import { params, query } from '../../http/validate';
import { invoiceById, invoiceOfOrder, listInvoices, toInvoice } from './store';

const IdParam = z.object({ id: z.uuid() });

export function paymentsRoutes(db: SqliteDb, tokens: Tokens) {
  const auth = authenticate(tokens);
  return new Hono<AuthEnv>()
    .get('/invoices', auth, query(ListQuery), (c) => {
      const { limit, cursor } = c.req.valid('query');
      const caller = c.var.caller;
      const rows = listInvoices(db, limit + 1, caller.role === 'admin' ? undefined : caller.id, cursor);
      return c.json(page(rows, limit, toInvoice, (row) => row.id));
    })
    .get('/invoices/:id', auth, params(IdParam), (c) => {
      const invoice = invoiceById(db, c.req.valid('param').id);
      if (!invoice || !canSee(c.var.caller, invoice.userId)) throw notFound('invoice');
      return c.json(toInvoice(invoice));
    })
    .get('/orders/:id/invoice', auth, params(IdParam), (c) => {
      const invoice = invoiceOfOrder(db, c.req.valid('param').id);
      if (!invoice || !canSee(c.var.caller, invoice.userId)) throw notFound('invoice');
      return c.json(toInvoice(invoice));
    });
}
