import { afterEach } from 'vitest';
import { createWorld, type World, type WorldOptions } from './world.js';

/**
 * Test worlds closed after each test, so a file needs no hook of its own:
 *
 *   const worlds = worldsClosedAfterEach();
 *   it('…', async () => { const world = await worlds.create({ tickets: [...] }); … });
 */
export function worldsClosedAfterEach(): { create(options?: WorldOptions): Promise<World> } {
  const open: World[] = [];
  afterEach(async () => {
    for (const world of open.splice(0).reverse()) await world.close();
  });
  return {
    async create(options) {
      const world = await createWorld(options);
      open.push(world);
      return world;
    },
  };
}
