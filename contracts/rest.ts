import { z } from 'zod';
import { passesLuhn } from './card';
import { OrderLine, PricedLine } from './messages';
import { CancelReason, OrderStatus } from './reasons';

const Name = z.string().trim().min(1).max(100);
const Email = z
  .email()
  .max(254)
  .transform((email) => email.toLowerCase());
const Cents = z.number().int().min(0).max(100_000_000);

// Request bodies. Strict: an unknown field is a client bug worth telling about.

export const RegisterBody = z.strictObject({
  name: Name,
  email: Email,
  password: z.string().min(8).max(200),
});
export type RegisterBody = z.infer<typeof RegisterBody>;

export const LoginBody = z.strictObject({
  email: Email,
  password: z.string().min(1).max(200),
});
export type LoginBody = z.infer<typeof LoginBody>;

export const UpdateUserBody = z.strictObject({
  active: z.boolean().optional(),
  name: Name.optional(),
});
export type UpdateUserBody = z.infer<typeof UpdateUserBody>;

export const CreateProductBody = z.strictObject({
  name: Name,
  description: z.string().max(2000).optional(),
  priceCents: Cents,
  stock: z.number().int().min(0).max(1_000_000),
});
export type CreateProductBody = z.infer<typeof CreateProductBody>;

export const CardNumber = z
  .string()
  .regex(/^\d{12,19}$/, 'must be 12 to 19 digits')
  .refine(passesLuhn, 'fails the Luhn check');

export const PlaceOrderBody = z.strictObject({
  items: z.array(OrderLine).min(1).max(100),
  payment: z.strictObject({ cardNumber: CardNumber }),
});
export type PlaceOrderBody = z.infer<typeof PlaceOrderBody>;

// Responses.

export const User = z.object({
  id: z.uuid(),
  name: z.string(),
  email: z.string(),
  role: z.enum(['customer', 'admin']),
  active: z.boolean(),
});
export type User = z.infer<typeof User>;
export type Role = User['role'];

export const LoginResponse = z.object({
  token: z.string(),
  tokenType: z.literal('Bearer'),
  expiresIn: z.number().int(),
});

export const Product = z.object({
  id: z.uuid(),
  name: z.string(),
  description: z.string(),
  priceCents: z.number().int(),
  stock: z.number().int(),
  reserved: z.number().int(),
  sold: z.number().int(),
});
export type Product = z.infer<typeof Product>;

export const OrderHistoryEntry = z.object({
  status: OrderStatus,
  at: z.iso.datetime(),
  reason: CancelReason.optional(),
  detail: z.string().optional(),
});

export const Order = z.object({
  id: z.uuid(),
  userId: z.uuid(),
  status: OrderStatus,
  reason: CancelReason.optional(),
  detail: z.string().optional(),
  items: z.array(OrderLine.extend({ unitPriceCents: PricedLine.shape.unitPriceCents.optional() })),
  totalCents: z.number().int().optional(),
  invoiceId: z.uuid().optional(),
  cardLast4: z.string(),
  history: z.array(OrderHistoryEntry),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type Order = z.infer<typeof Order>;

export const Invoice = z.object({
  id: z.uuid(),
  orderId: z.uuid(),
  userId: z.uuid(),
  lines: z.array(PricedLine),
  totalCents: z.number().int(),
  cardLast4: z.string(),
  issuedAt: z.iso.datetime(),
});
export type Invoice = z.infer<typeof Invoice>;

export const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional(),
});

export const ApiError = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});
export type ApiError = z.infer<typeof ApiError>;
