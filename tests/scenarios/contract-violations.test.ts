import { afterEach, describe, expect, it } from 'vitest';
import { changeStore, readEndState } from '../support/end-state';
import { expectInvariants } from '../support/invariants';
import { startTestSystem, transports, type TestSystem } from '../support/system';
import { waitFor } from '../../lib/wait';

/** The one product whose row the test changes behind the service's back, as a bug or an old version might. */
function renameInDatabase(system: TestSystem, productId: string, name: string) {
  return changeStore(system, 'products', (t) => `UPDATE ${t('products')} SET name = ? WHERE id = ?`, name, productId);
}

describe.each(transports)('a message that breaks its contract, over the %s broker', (transport) => {
  let system: TestSystem;
  afterEach(() => system.stop());

  it('never leaves its producer: the reply is dead-lettered where it was made, and the order is undone', async () => {
    system = await startTestSystem(transport, {
      // Longer than the default retries (about 3 s), so the reply is dead-lettered before the saga gives up.
      env: { SAGA_STEP_TIMEOUTS_MS: 'reserveStock=5000' },
    });
    const { api, broker } = system;
    const buyer = await api.customer();
    const mug = await api.createProduct({ name: 'Mug', priceCents: 500, stock: 5 });
    // A name longer than the contract allows, which StockReserved now carries.
    await renameInDatabase(system, mug.id, 'M'.repeat(300));

    const placed = await api.placeOrder(buyer.token, [{ productId: mug.id, quantity: 2 }]);
    await waitFor(async () => (await broker.deadLetters('products')).length === 1, { what: 'the dead letter' });
    const order = await api.settled(buyer.token, placed.body.id);
    expect(order).toMatchObject({ status: 'CANCELLED', reason: 'STEP_TIMEOUT', detail: 'reserveStock' });

    const [letter] = await broker.deadLetters('products');
    expect(letter).toMatchObject({ queue: 'products', routingKey: 'ReserveStock', attempts: 4 });
    expect(letter!.reason).toMatch(/products tried to send a StockReserved that breaks its contract/);
    expect(letter!.reason).toContain('data.lines[0].name');
    // Nothing reached the orchestrator's queue, and the reservation was rolled back with the reply.
    expect(await broker.deadLetters('orchestrator')).toEqual([]);
    expect((await readEndState(system)).inbox.orchestrator?.StockReserved).toBeUndefined();
    await expectInvariants(system, { deadLettered: { products: 1 } });

    // Fixed and replayed: the saga has released the order meanwhile, so the command is refused.
    await renameInDatabase(system, mug.id, 'Mug');
    await broker.replayDeadLetter(letter!.id);
    await waitFor(async () => (await readEndState(system)).inbox.products?.ReserveStock === 1, {
      what: 'products to take the replayed command',
    });
    await expectInvariants(system);
    expect(await api.product(mug.id)).toMatchObject({ stock: 5, reserved: 0, sold: 0 });
  });
});
