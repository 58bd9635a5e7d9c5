import type { SqliteDb } from '../../db/sqlite';
import { guards } from '../../http/access';
import { canSee, type AuthEnv, type Tokens } from '../../http/auth';
import { notFound } from '../../http/errors';
import { newRouter } from '../../http/openapi';
import { page } from '../../http/pagination';
import * as api from './api';
import type { InvoiceRow } from './sqlite/schema';
import { invoiceById, invoiceOfOrder, listInvoices, toInvoice } from './store';

export function paymentsRoutes(db: SqliteDb, tokens: Tokens) {
  const guard = guards(tokens);
  return newRouter<AuthEnv>()
    .openapi(guard(api.listInvoices), (c) => {
      const { limit, cursor } = c.req.valid('query');
      const caller = c.var.caller;
      const rows = listInvoices(db, limit + 1, caller.role === 'admin' ? undefined : caller.id, cursor);
      return c.json(
        page(rows, limit, toInvoice, (row) => row.id),
        200,
      );
    })
    .openapi(guard(api.getInvoice), (c) => {
      const invoice = invoiceById(db, c.req.valid('param').id);
      return c.json(toInvoice(visible(invoice, c.var.caller)), 200);
    })
    .openapi(guard(api.invoiceOfOrder), (c) => {
      const invoice = invoiceOfOrder(db, c.req.valid('param').id);
      return c.json(toInvoice(visible(invoice, c.var.caller)), 200);
    });
}

/** Someone else's invoice answers as if it did not exist. */
function visible(invoice: InvoiceRow | undefined, caller: AuthEnv['Variables']['caller']): InvoiceRow {
  if (!invoice || !canSee(caller, invoice.userId)) throw notFound('invoice');
  return invoice;
}
