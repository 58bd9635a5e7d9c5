import { IdParam, Invoice, ListQuery, pageOf } from '../../contracts/rest';
import { defineRoute, errors, json } from '../../http/openapi';

const tags = ['invoices'];

export const listInvoices = defineRoute('signed-in', {
  operationId: 'listInvoices',
  method: 'get',
  path: '/invoices',
  tags,
  summary: 'Invoices, newest first: a customer’s own, or all for an admin',
  request: { query: ListQuery },
  responses: { 200: json(pageOf(Invoice, 'InvoicePage'), 'a page of invoices'), ...errors(400, 401) },
});

export const getInvoice = defineRoute('signed-in', {
  operationId: 'getInvoice',
  method: 'get',
  path: '/invoices/{id}',
  tags,
  summary: 'One invoice (its owner or an admin), with `refundedAt` once its payment was refunded',
  request: { params: IdParam },
  responses: { 200: json(Invoice, 'the invoice'), ...errors(400, 401, 404) },
});

export const invoiceOfOrder = defineRoute('signed-in', {
  operationId: 'invoiceOfOrder',
  method: 'get',
  path: '/orders/{id}/invoice',
  tags,
  summary: 'The invoice of a confirmed order (its owner or an admin); 404 for an order without one',
  request: { params: IdParam },
  responses: { 200: json(Invoice, 'the invoice'), ...errors(400, 401, 404) },
});
