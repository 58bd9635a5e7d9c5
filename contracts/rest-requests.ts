import { z } from 'zod';
import { passesLuhn } from './card';
import { OrderLine } from './messages';
import { OrderStatus } from './reasons';

/**
 * What clients send: request bodies and query strings. Bodies are strict (an unknown field is a
 * client bug worth telling about) and every number and string is bounded, so no request can make
 * a row, a sum or a hash computation unreasonably large.
 */

// Names are shown to people and written to logs: no control characters.
const Name = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters');
const Description = z
  .string()
  .max(2000)
  .regex(/^(?:[\n\r\t]|\P{Cc})*$/u, 'must not contain control characters other than line breaks and tabs');
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
    items: z.array(OrderLine).min(1).max(100),
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
export const OrderIdParam = z.object({ orderId: z.uuid() });
