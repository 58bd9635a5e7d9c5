import type { Database } from '../../db/database';
import { guards } from '../../http/access';
import { canSee, type AuthEnv, type Tokens } from '../../http/auth';
import { notFound } from '../../http/errors';
import { newRouter } from '../../http/openapi';
import { page } from '../../http/pagination';
import * as api from './api';
import { toInvoice, type InvoiceRow, type PaymentsStore } from './store';

export function paymentsRoutes(database: Database<PaymentsStore>, tokens: Tokens) {
  const guard = guards(tokens);
  return newRouter<AuthEnv>()
    .openapi(guard(api.listInvoices), async (c) => {
      const { limit, cursor } = c.req.valid('query');
      const caller = c.var.caller;
      const buyer = caller.role === 'admin' ? undefined : caller.id;
      const rows = await database.read((store) => store.listInvoices(limit + 1, buyer, cursor));
      return c.json(
        page(rows, limit, toInvoice, (row) => row.id),
        200,
      );
    })
    .openapi(guard(api.getInvoice), async (c) => {
      const { id } = c.req.valid('param');
      const invoice = await database.read((store) => store.invoiceById(id));
      return c.json(toInvoice(visible(invoice, c.var.caller)), 200);
    })
    .openapi(guard(api.invoiceOfOrder), async (c) => {
      const { id } = c.req.valid('param');
      const invoice = await database.read((store) => store.invoiceOfOrder(id));
      return c.json(toInvoice(visible(invoice, c.var.caller)), 200);
    });
}

/** Someone else's invoice answers as if it did not exist. */
function visible(invoice: InvoiceRow | undefined, caller: AuthEnv['Variables']['caller']): InvoiceRow {
  if (!invoice || !canSee(caller, invoice.userId)) throw notFound('invoice');
  return invoice;
}
