#!/usr/bin/env node
// A Ringside bot for OpenSpiel games (spiel.*), in plain Node.js over TCP: one JSON
// message per line, written from docs/protocol.md and docs/openspiel.md alone.
//
//   node examples/spiel_bot.js HOST PORT NAME [GAME...]
//
// It plays any game that lists its legal actions. In Kuhn and Leduc poker it reads
// its own card from its private observation and bets with a King (or a pair), to
// show that a bot sees its own hidden information and nothing of the other seat's.
'use strict';

const net = require('net');
const readline = require('readline');

const [host, port, name, ...games] = process.argv.slice(2);
if (!host || !port || !name) {
  process.stderr.write('usage: node spiel_bot.js HOST PORT NAME [GAME...]\n');
  process.exit(2);
}

const socket = net.connect(Number(port), host);
const send = (message) => socket.write(JSON.stringify(message) + '\n');

function choose(request) {
  const legal = request.legal_actions || [];
  const view = request.observation || {};
  const names = view.legal_names || [];
  const mine = `${view.information_state || ''} ${view.observation || ''}`;
  // A strong hand: bet (or raise) when the rules offer it by that name.
  const strong = /\bK\b|King|Pair|pair/.test(mine);
  for (const wanted of strong ? ['Bet', 'Raise'] : ['Pass', 'Call', 'Check']) {
    const index = names.indexOf(wanted);
    if (index >= 0) return legal[index];
  }
  return legal.length ? legal[Math.floor(Math.random() * legal.length)] : null;
}

const lines = readline.createInterface({ input: socket, terminal: false });
lines.on('line', (line) => {
  if (!line.trim()) return;
  const message = JSON.parse(line);
  switch (message.type) {
    case 'prepare':
      send({ type: 'ready', match: message.match, id: message.id });
      break;
    case 'request':
      send({ type: 'action', match: message.match, id: message.id, action: choose(message) });
      break;
    case 'round_end':
      send({ type: 'ok', match: message.match, id: message.id });
      break;
    case 'ping':
      send({ type: 'pong', id: message.id || 0 });
      break;
    case 'match_result':
      process.stderr.write(`match ${message.match}: ${JSON.stringify(message.scores)}\n`);
      break;
    case 'error':
      process.stderr.write(`error ${message.code}: ${message.message}\n`);
      if (message.fatal) process.exit(1);
      break;
    default:
      break; // welcome, round_result and anything newer: nothing to answer
  }
});
socket.on('close', () => process.exit(0));
socket.on('error', (error) => {
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
});

const hello = { type: 'hello', name, protocol: 1 };
if (games.length) hello.games = games;
send(hello);
