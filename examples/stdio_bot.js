#!/usr/bin/env node
// A Ringside bot in JavaScript with no network code at all: it plays any game
// that lists its legal actions, picking one at random.
//
//   ringside bridge stdio --server ws://127.0.0.1:8000/ws/bot --name js-bot -- node examples/stdio_bot.js
//
// The bridge writes one JSON request per line on stdin and reads one JSON action
// per line from stdout (see "Bridges and stdio bots" in docs/protocol.md).
// Anything else goes to stderr, which the bridge shows with --verbose.
'use strict';

const readline = require('readline');

const input = readline.createInterface({ input: process.stdin, terminal: false });

input.on('line', (line) => {
  if (!line.trim()) return;
  const request = JSON.parse(line);
  const legal = request.legal_actions || [];
  // A game without a list of legal actions would need its rules here; send null then.
  const action = legal.length ? legal[Math.floor(Math.random() * legal.length)] : null;
  process.stderr.write(
    `${request.game} match ${request.match} round ${request.round} seat ${request.seat}: ` +
      `${JSON.stringify(action)} (${request.clock.move_time.toFixed(1)} s left)\n`,
  );
  process.stdout.write(JSON.stringify(action) + '\n');
});
