// A simulated Socket.IO network for the collab fuzz: each page's socket is a stand-in
// for socket.io-client's (on, emit, timeout(ms).emit, connected; a disconnect fails the
// acks that wait with an error, as socket.io-client's _clearAcks does), connected to a
// TinyServer through queues the fuzz delivers in random order. Nothing here is ours:
// the real Collab transport and core run on top of it.

export class SimSocket {
  constructor(net, name) {
    this.net = net;
    this.name = name;
    this.connected = false;
    this.handlers = new Map();
    this.epoch = 0; // one per connection
    this.toServer = []; // FIFO: the server handles one connection's events in order
    this.toClient = []; // acks (in order) and broadcasts (in any order)
    this.waiting = new Map(); // ack id -> {callback, withError, event}
    this.nextAck = 1;
    this.maxSubmitsWaiting = 0;
    this._timeout = null;
  }

  on(event, handler) {
    this.handlers.set(event, [...(this.handlers.get(event) || []), handler]);
    return this;
  }

  fire(event, ...args) {
    for (const handler of this.handlers.get(event) || []) handler(...args);
  }

  timeout(ms) {
    this._timeout = ms;
    return this;
  }

  emit(event, payload, callback, { raw = false } = {}) {
    const withError = this._timeout !== null;
    this._timeout = null;
    if (!this.connected) return this; // the transport must not send while offline
    const id = this.nextAck++;
    if (callback) this.waiting.set(id, { callback, withError, event: raw ? `raw ${event}` : event, payload });
    this.toServer.push({ epoch: this.epoch, event, payload: JSON.parse(JSON.stringify(payload)), id });
    const submits = [...this.waiting.values()].filter((w) => w.event === 'submit').length;
    this.maxSubmitsWaiting = Math.max(this.maxSubmitsWaiting, submits);
    return this;
  }

  connect() {
    if (this.connected) return;
    this.epoch += 1;
    this.connected = true;
    this.fire('connect');
  }

  disconnect() {
    if (!this.connected) return;
    this.connected = false;
    this.toServer = [];
    this.toClient = [];
    this.net.rooms.delete(this);
    this.fire('disconnect', 'transport close');
    const waiting = [...this.waiting.values()];
    this.waiting.clear();
    for (const w of waiting) if (w.withError) w.callback(new Error('socket has been disconnected'));
  }

  /** An ack that does not come back in time (socket.io-client's timeout fires). */
  timeOutOne(rng) {
    const ids = [...this.waiting.keys()].filter((id) => this.waiting.get(id).withError);
    if (!ids.length) return false;
    const id = rng.choice(ids);
    const w = this.waiting.get(id);
    this.waiting.delete(id);
    w.callback(new Error('operation has timed out'));
    return true;
  }

  /**
   * Deliver one message from the server: the oldest ack (acks of one connection keep their
   * order), or any broadcast (with several processes they overtake acks and each other).
   */
  deliverOne(rng) {
    if (!this.toClient.length) return false;
    let index = this.toClient.findIndex((m) => m.kind === 'ack');
    const broadcasts = this.toClient.filter((m) => m.kind !== 'ack');
    if (index < 0 || (broadcasts.length && rng.random() < 0.5)) {
      index = this.toClient.indexOf(rng.choice(broadcasts));
    }
    const [message] = this.toClient.splice(index, 1);
    if (message.kind === 'ack') {
      const w = this.waiting.get(message.id);
      this.waiting.delete(message.id);
      if (w) (w.withError ? w.callback(null, message.value) : w.callback(message.value));
    } else {
      this.fire(message.event, message.value);
    }
    return true;
  }
}

export class SimNetwork {
  /**
   * @param {TinyServer} server
   * @param {object} faults  probabilities: serverError, rateLimited, loseBroadcast, duplicateBroadcast
   */
  constructor(server, scoreId, faults = {}) {
    this.server = server;
    this.scoreId = scoreId;
    this.faults = { serverError: 0, rateLimited: 0, loseBroadcast: 0, duplicateBroadcast: 0, ...faults };
    this.rooms = new Set();
    this.stats = { serverErrors: 0, rateLimited: 0, lost: 0, duplicated: 0 };
  }

  /** The server handles the next event of ``socket``'s connection. */
  serveOne(socket, rng) {
    const message = socket.toServer.shift();
    if (!message) return false;
    const value = this.handle(socket, message, rng);
    socket.toClient.push({ kind: 'ack', id: message.id, value });
    return true;
  }

  handle(socket, { event, payload }, rng) {
    const server = this.server;
    if (event === 'join') {
      this.rooms.add(socket); // in the room first, then read (as handlers.py does)
      return { score: this.scoreId, ...server.join(payload.since ?? null) };
    }
    if (!this.rooms.has(socket)) return { ok: false, error: { code: 'not_joined', message: '' } };
    if (event === 'fetch') return { score: this.scoreId, ...server.fetch(payload.from, payload.to ?? null) };
    if (event !== 'submit') return { ok: false, error: { code: 'bad_request', message: event } };
    if (rng.random() < this.faults.rateLimited) {
      this.stats.rateLimited += 1;
      return { ok: false, error: { code: 'rate_limited', message: 'slow down', retry_after: 0.05 } };
    }
    if (rng.random() < this.faults.serverError) {
      this.stats.serverErrors += 1; // a database hiccup: nothing stored
      return { ok: false, error: { code: 'server_error', message: 'database is locked' } };
    }
    const head = server.head;
    const ack = server.submit(payload);
    if (ack.ok && server.head > head) this.broadcast(server.log[ack.seq - 1], rng);
    return ack;
  }

  broadcast(wire, rng) {
    for (const socket of this.rooms) {
      if (rng.random() < this.faults.loseBroadcast) {
        this.stats.lost += 1;
        continue;
      }
      const message = { kind: 'event', event: 'edit', value: { score: this.scoreId, ...JSON.parse(JSON.stringify(wire)) } };
      socket.toClient.push(message);
      if (rng.random() < this.faults.duplicateBroadcast) {
        this.stats.duplicated += 1;
        socket.toClient.push({ ...message });
      }
    }
  }
}
