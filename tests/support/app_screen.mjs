// What a screenshot of the app must show, on the web and natively: the sidebar, the brand
// mark in the product's primary colour, and the green "connected" dot in the status area.
import assert from 'node:assert/strict';
import { boxContains } from './png.mjs';

export const colours = {
  primary: 0x7c3aed, success: 0x10b981, sidebar: 0x16161d, background: 0x0f0f14,
};

export function assertConnectedScreen(image, scale = 1) {
  const s = (v) => Math.round(v * scale);
  assert.ok(boxContains(image, { x0: s(20), y0: s(20), x1: s(42), y1: s(42) }, colours.primary, 8),
    'the brand mark in the primary colour is missing');
  assert.ok(boxContains(image, { x0: s(60), y0: s(300), x1: s(200), y1: s(400) }, colours.sidebar, 4),
    'the sidebar background is missing');
  assert.ok(boxContains(image, { x0: image.width - s(200), y0: s(100), x1: image.width - s(100),
    y1: s(200) }, colours.background, 4), 'the chat pane background is missing');
  const statusTop = image.height - s(56);
  assert.ok(boxContains(image, { x0: s(12), y0: statusTop, x1: s(32), y1: image.height },
    colours.success, 30), 'the green connected dot is missing from the status area');
}

// Below 720 logical px one pane shows at a time: with no chat open, the conversation list
// fills the window (a drawer, as on a phone), status at its bottom, no chat pane beside it.
export function assertConnectedNarrowScreen(image, scale = 1) {
  const s = (v) => Math.round(v * scale);
  assert.ok(boxContains(image, { x0: image.width - s(120), y0: s(450), x1: image.width - s(20),
    y1: s(600) }, colours.sidebar, 2), 'the list should fill a narrow window');
  assert.ok(!boxContains(image, { x0: image.width - s(120), y0: s(450), x1: image.width - s(20),
    y1: s(600) }, colours.background, 2), 'no chat pane beside the list in a narrow window');
  const statusTop = image.height - s(56);
  assert.ok(boxContains(image, { x0: s(12), y0: statusTop, x1: s(32), y1: image.height },
    colours.success, 30), 'the green connected dot is missing from the status area');
}
