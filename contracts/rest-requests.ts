import { z } from 'zod';
import { passesLuhn } from './card';
import { OrderLines } from './messages';
import { OrderStatus } from './reasons';

/**
 * What clients send: request bodies and query strings. Bodies are strict (an unknown field is a
 * client bug worth telling about) and every number and string is bounded, so no request can make
 * a row, a sum or a hash computation unreasonably large.
 */

// Character classes of the text rules below, shared by the checks and by the one `pattern`
// each field shows in the OpenAPI document (a `u`-flagged RegExp would print its flag into it).
const CONTROL = '\\p{Cc}';
const BIDI_CONTROL = '\\u202A-\\u202E\\u2066-\\u2069';
const INVISIBLE = '\\p{White_Space}\\p{Cc}\\p{Cf}\\p{M}\\p{Z}\\u115F\\u1160\\u3164\\uFFA0\\u2800';
const unicode = (source: string) => new RegExp(source, 'u');

/**
 * Names are shown to people and written to logs, so they must read as what they are: no control
 * characters; no bidirectional overrides or isolates, which make "Mug \u202Egpj.exe" display as
 * "Mug exe.jpg"; no lone surrogate, which SQLite would store changed; and at least one visible
 * character, not only spaces, zero-width or filler characters and combining marks.
 */
const Name = z
  .string()
  .trim()
  .min(1, { abort: true })
  .max(100)
  .regex(unicode(`^[^${CONTROL}]*$`), 'must not contain control characters')
  .regex(unicode(`^[^${BIDI_CONTROL}]*$`), 'must not contain bidirectional override or isolate characters')
  .refine((name) => name.isWellFormed(), 'must not contain a lone surrogate')
  .regex(unicode(`[^${INVISIBLE}]`), 'must contain a visible character')
  .meta({ pattern: `^(?=[\\s\\S]*[^${INVISIBLE}])[^${CONTROL}${BIDI_CONTROL}]*$` });

const DESCRIPTION_TEXT = `^(?:[\\n\\r\\t]|[^${CONTROL}])*$`;
const Description = z
  .string()
  .max(2000)
  .regex(unicode(DESCRIPTION_TEXT), 'must not contain control characters other than line breaks and tabs')
  .meta({ pattern: DESCRIPTION_TEXT });
const Email = z
  .email()
  .max(254)
  .transform((email) => email.toLowerCase());
const Cents = z.number().int().min(0).max(100_000_000);
const Units = z.number().int().min(0).max(1_000_000);

const atLeastOneField = (body: object) => Object.keys(body).length > 0;
const nothingToChange = { message: 'at least one field must be given' };

export const RegisterBody = z.strictObject({ name: Name, email: Email, password: z.string().min(8).max(200) }).meta({
  id: 'RegisterBody',
  examples: [{ name: 'Ann', email: 'ann@example.com', password: 'correct-horse' }],
});
export type RegisterBody = z.infer<typeof RegisterBody>;

export const LoginBody = z
  .strictObject({ email: Email, password: z.string().min(1).max(200) })
  .meta({ id: 'LoginBody', examples: [{ email: 'ann@example.com', password: 'correct-horse' }] });
export type LoginBody = z.infer<typeof LoginBody>;

export const UpdateUserBody = z
  .strictObject({ active: z.boolean().optional(), name: Name.optional() })
  .refine(atLeastOneField, nothingToChange)
  .meta({
    id: 'UpdateUserBody',
    description: '`active` may be changed by an admin only; `name` by the user or an admin.',
    examples: [{ name: 'Ann Smith' }, { active: false }],
  });
export type UpdateUserBody = z.infer<typeof UpdateUserBody>;

export const CreateProductBody = z
  .strictObject({ name: Name, description: Description.optional(), priceCents: Cents, stock: Units })
  .meta({
    id: 'CreateProductBody',
    examples: [{ name: 'Mug', description: 'Stoneware, 350 ml', priceCents: 1250, stock: 10 }],
  });
export type CreateProductBody = z.infer<typeof CreateProductBody>;

export const UpdateProductBody = z
  .strictObject({ name: Name.optional(), description: Description.optional(), priceCents: Cents.optional() })
  .refine(atLeastOneField, nothingToChange)
  .meta({ id: 'UpdateProductBody', examples: [{ priceCents: 1400 }, { name: 'Large mug', description: '500 ml' }] });
export type UpdateProductBody = z.infer<typeof UpdateProductBody>;

export const RestockBody = z
  .strictObject({ quantity: Units.min(1) })
  .meta({ id: 'RestockBody', examples: [{ quantity: 25 }] });
export type RestockBody = z.infer<typeof RestockBody>;

export const CardNumber = z
  .string()
  .regex(/^\d{12,19}$/, 'must be 12 to 19 digits')
  .refine(passesLuhn, 'fails the Luhn check');

export const PlaceOrderBody = z
  .strictObject({
    items: OrderLines.meta({
      description: 'One line per product (1 to 100 lines): a productId repeated on another line is a 400.',
    }),
    payment: z.strictObject({ cardNumber: CardNumber }),
  })
  .meta({
    id: 'PlaceOrderBody',
    examples: [
      {
        items: [{ productId: '3f2b8c1e-5d4a-4e6b-9a7c-1d2e3f4a5b6c', quantity: 2 }],
        payment: { cardNumber: '4242424242424242' },
      },
    ],
  });
export type PlaceOrderBody = z.infer<typeof PlaceOrderBody>;

export const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional(),
});

/** `email`: the one account with that address (an admin's look-up, as the saga search resolves a customer). */
export const UsersQuery = ListQuery.extend({ email: Email.optional() });

export const ProductsQuery = ListQuery.extend({
  name: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .optional()
    .meta({ description: 'only products whose name contains this, any case' }),
});

export const OrdersQuery = ListQuery.extend({ status: OrderStatus.optional() });

export const IdParam = z.object({ id: z.uuid() });

/** An operator's action on a saga always says why: the trace keeps it beside who acted. */
export const SagaActionBody = z
  .strictObject({ reason: z.string().trim().min(1).max(200) })
  .meta({ id: 'SagaAction', examples: [{ reason: 'payments provider down since 14:02' }] });
export const ExtendSagaBody = SagaActionBody.extend({
  /** How long to move the awaited steps' deadlines on, at most SAGA_MAX_EXTEND_MS. */
  byMs: z.number().int().positive(),
}).meta({ id: 'ExtendSaga', examples: [{ byMs: 600_000, reason: 'the bank answers slowly until 15:00' }] });
export const OrderIdParam = z.object({ orderId: z.uuid() });

/** The services whose data the audit reads (users holds none of what it checks), in the order it reads them. */
export const AuditedService = z.enum(['orders', 'orchestrator', 'products', 'payments']);
export type AuditedService = z.infer<typeof AuditedService>;
